#!/usr/bin/env bash
# bench.sh: the manager's performance figures, each against a floor measured
# in the same run (see bench_test.go), then the real daemon: wake-ups, PSS
# per unit and shutdown time of 'svunit daemon' with 1000 units vs none.
#
#   bash units/manager/bench.sh [-idle-window 10s]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
window=${WINDOW:-10}

echo "== go test -bench (ratios are against plain fork/exec from Go)"
go test -run '^$' -bench . -benchtime 1x ./units/manager/ "$@"

echo "== svunit daemon, idle, ${window}s window"
tmp=$(mktemp -d)
trap 'kill -KILL "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/svunit" ./cmd/svunit

# switches PID: voluntary + involuntary context switches of every thread.
switches() {
  cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ {n += $2} END {print n}'
}
pss() { awk '/^Pss:/ {print $2}' /proc/"$1"/smaps_rollup; }
children() { cat /proc/"$1"/task/*/children | wc -w; }

# run N: starts a daemon on N sleeper units and prints "wakeups pss_kB stop_ms".
run() {
  local n=$1 dir="$tmp/units$1"
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    printf '[Service]\nExecStart=/bin/sleep 3600\nStartSecs=0\n[Install]\nWantedBy=default.target\n' >"$dir/s$i.unit"
  done
  "$tmp/svunit" daemon --units "$dir" --log-dir "$tmp/log$n" >"$tmp/out$n" 2>&1 &
  pid=$!
  until grep -q ready "$tmp/out$n" 2>/dev/null && (( $(children "$pid") >= n )); do sleep 0.1; done
  sleep 2 # let the runtime settle after the mass start
  local w0 w1
  w0=$(switches "$pid"); sleep "$window"; w1=$(switches "$pid")
  local p; p=$(pss "$pid")
  local t0; t0=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo "$((w1 - w0)) $p $(( ($(date +%s%N) - t0) / 1000000 ))"
}
read -r w0 p0 s0 < <(run 0)
read -r w1 p1 s1 < <(run 1000)
echo "wake-ups in ${window}s: ${w0} with no units, ${w1} with 1000 running units"
echo "PSS: ${p0} kB with no units, ${p1} kB with 1000: $(( (p1 - p0) / 1000 )) kB per unit (journal pipes included)"
echo "shutdown of 1000 units: ${s1} ms (no units: ${s0} ms)"
