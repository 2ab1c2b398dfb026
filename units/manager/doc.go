// Package manager is svunit's supervision engine: it runs the programs of a
// unit set as its children, keeps their state, restarts them by policy,
// stops them in order, and tells subscribers what happens.
//
// # Surface
//
// New loads the units (bad ones are logged and skipped); Boot starts the
// enabled ones; Shutdown stops everything in reverse start order. Units,
// Unit and Set read state; Start, Stop, Restart and ReloadOrRestart queue
// Jobs (systemd's sense: one per unit, with a Done channel and a Result);
// Kill signals a unit's processes; ResetFailed clears FATAL; Reload applies
// a changed unit directory as Supervisor's update does; Subscribe delivers
// Events (unit changed/new/removed, job new/removed).
//
// # States
//
// A unit has Supervisor's state (STOPPED, STARTING, RUNNING, BACKOFF,
// STOPPING, EXITED, FATAL, UNKNOWN), moved only along the table in state.go,
// and systemd's ActiveState/SubState derived from it. A start job is done
// when the unit is RUNNING (after StartSecs, READY=1, the forking parent's
// exit, or a oneshot's success) and failed when it ends in FATAL. A stop
// job is done when every process is gone, or "timeout" when SIGKILL was
// needed. A job finishes only after the snapshot showing its outcome is
// published, so a caller that sees Done closed reads that state.
//
// A start or restart also starts the units its units name in Requires= and
// Wants= (transitively), as systemd pulls them in; a unit whose Requires=
// failed gets "dependency" and is not spawned.
//
// A request on several units runs in start-order layers, each layer's jobs
// handed to their units once the previous layer's jobs are done. As in
// systemd, a new job replaces a pending conflicting one on the same unit:
// a stop cancels the unit's start, restart or reload (result "canceled"),
// and one of those cancels a stop. A job still waiting for its layer is
// canceled at once and never handed, so a later layer of a boot does not
// start units that a "stop all" stopped; a job its unit already works on
// is canceled there when the new one arrives.
//
// # Restarts
//
// An exit before RUNNING is Supervisor's BACKOFF: the n-th retry waits n
// steps of max(StartSecs, RestartSec) (1s, 2s, 3s with the defaults, as in
// Supervisor), and the unit is FATAL after StartRetries retries. An exit after
// RUNNING is EXITED; Restart= decides (with SuccessExitStatus=,
// RestartPreventExitStatus=, RestartForceExitStatus=) and the delay grows
// from RestartSec over RestartSteps to RestartMaxDelaySec while the program
// keeps crashing (starting again from RestartSec after a run of 10s or
// more), so a crash loop costs little CPU. StartLimitBurst= within
// StartLimitIntervalSec= also ends in FATAL. Start and ResetFailed clear
// FATAL.
//
// # Concurrency contract
//
// Each unit's mutable state is owned by one goroutine at a time, which
// runs only while the unit has messages: a post to an empty mailbox starts
// it and it ends when the box is empty again, so an idle unit costs no
// goroutine and no stack. Everyone else talks to it through that unbounded
// mailbox, so posting never blocks: not the API, not the reaper, not
// timers; once a removed unit is gone, a request sent to it is answered on
// the sender's side (its job skipped), never left waiting. Readers get immutable Snapshots,
// published with an atomic pointer at every state change and after each
// batch of messages. One
// reaper per process (SIGCHLD, then waitid/wait4 until nothing is left)
// routes exits by pid; the process is made a child subreaper on Linux, so
// orphaned grandchildren are reaped too. Timers exist only while something
// is pending (StartSecs, a restart delay, a stop timeout, a stop waiting
// for processes the main one left): an idle manager has no periodic
// wake-ups. A mass start does not starve the rest of the program: a
// request hands its start jobs to the units a few at a time (each once the
// previous unit has forked), and at most GOMAXPROCS-1 goroutines prepare
// and fork a child at once, so an API call never waits behind a thousand
// runnable unit goroutines. Events fan out without blocking: a subscriber
// more than SubscriptionBuffer events behind is dropped, its channel closed
// and its Err set. All exported methods are safe for concurrent use.
//
// Because the reaper waits for every child of the process, a program that
// embeds a Manager may still use os/exec on Linux (the reaper leaves alone
// children in the manager's own process group, which unit processes never
// are), but not on other systems.
//
// # What it does not do
//
// It knows nothing of D-Bus (bus/api exports it), does not parse unit
// files (package units does), and does not copy output (package journal
// does; the manager opens one journal.Output per unit and hands its files
// to each child). New and Reload open the outputs of the units they load
// on a goroutine of their own, in start order, so that a boot's first
// spawns overlap the creation of later units' log files (about a
// millisecond a file on some file systems); a spawn waits for its unit's
// outputs, and a snapshot shows the log files once they are open. Where the manager can create a cgroup v2 subtree under
// its own group, each unit runs in a group of its own (clone3 puts the
// child there before it runs), and KillMode=control-group means that
// group; elsewhere it means the run's process group, every descendant of
// its main process, and every orphan that carries the run's INVOCATION_ID
// (Linux, through /proc), or the process group alone (other systems). The
// manager enables no cgroup controllers: it sets no CPU or memory limits.
// UMask= and Limit*= are applied by forking while the manager carries them
// (see limits.go). ExecStartPre=, ExecStartPost=, ExecStop= and
// ExecReload= run as control processes (one at a time per unit); a stop
// kills a running pre or post command at once rather than waiting for it.
// There is no watchdog, and no socket or timer activation.
package manager
