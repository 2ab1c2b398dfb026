package manager

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"svunit.dev/svunit/units"
)

// A service is the runtime of one unit. Its goroutine (run) owns the
// fields under "Owned by the run goroutine"; other goroutines only send
// messages (send) and read the published snapshot and outputs. The
// goroutine exists only while messages wait: the mailbox starts it on a
// post to an empty box and it ends when the box is empty again, so an idle
// unit costs no goroutine and no stack. At most one runs at a time, and
// each takes over the state from the last through the mailbox's lock.
type service struct {
	m    *Manager // set at creation, never changed
	name string   // set at creation, never changed
	box  mailbox
	done chan struct{}            // closed when the unit is gone and its goroutine's last round ends
	snap atomic.Pointer[Snapshot] // the last published snapshot; written by run
	out  atomic.Pointer[outputs]  // the unit's output capture; swapped by run on reload

	// Owned by the run goroutine.
	u              *units.Unit
	state          State
	result         Result
	proc           procGroup     // main pid (0 when none), its group, the run's INVOCATION_ID
	killing        bool          // SIGKILL was sent during the current stop
	stopDeadline   time.Time     // when the current stop turns to SIGKILL; zero: never
	leftoverWait   time.Duration // the next look for processes the main one left
	backoffs       int           // early exits since the last RUNNING (Supervisor's backoff count)
	nRestarts      uint32
	restartStep    int     // consecutive automatic restarts, for the growing delay
	restartPending bool    // Exited, with an automatic restart scheduled
	wantStart      bool    // start again once the current stop completes (restart)
	execIndex      int     // oneshot: which ExecStart= line runs
	ctrl           control // the running ExecStartPre/Post/Stop/Reload= process
	holdsSlot      bool    // inside takeSpawnSlot's hold: nested spawns take no second slot
	startTimes     []time.Time
	runningSince   time.Time
	timer          *time.Timer
	timerGen       uint64
	timerKind      timerKind
	startJobs      []*Job   // finish when the unit is up (or fails to be)
	stopJobs       []*Job   // finish when the unit's process is gone
	finished       []jobEnd // finished after the batch's snapshot is published
	lastExit       ExitInfo
	spawnErr       string
	statusText     string
	ts             Timestamps
	retired        []*outputs    // outputs replaced by a reload, closed when the run ends
	removed        chan struct{} // non-nil once removal was asked; closed when done
	gone           bool          // run returns after this round
}

// procGroup names the processes of one run of a unit.
type procGroup struct {
	main       int    // the main pid, 0 when none
	last       int    // the main pid, kept while its exit is handled to find its children
	pgid       int    // the process group the run was started in
	invocation string // INVOCATION_ID given to the run
	cgroup     string // the unit's cgroup directory, "" without cgroups
}

// timerKind says what the one timer of a service is waiting for.
type timerKind int

const (
	timerNone         timerKind = iota
	timerStartSecs              // Starting → Running after StartSecs
	timerStartTimeout           // notify/forking/oneshot did not finish starting
	timerRetry                  // Backoff or an automatic restart: spawn again
	timerStopTimeout            // the stop signal was not enough: SIGKILL
	timerLeftovers              // look again whether the stop left processes
)

// Messages a service's goroutine handles.
type (
	msgStart   struct{ job *Job }
	msgStop    struct{ job *Job }
	msgRestart struct{ job *Job }
	msgReload  struct{ job *Job }
	msgKill    struct {
		who   string
		sig   syscall.Signal
		reply chan error
	}
	msgResetFailed struct{}
	msgReplace     struct {
		u    *units.Unit
		out  *outputs // non-nil: the unit's output settings changed
		same bool     // u is Equal to the unit's definition: no event
	}
	msgRemove struct{ done chan struct{} }
	msgExit   struct {
		pid int
		ws  syscall.WaitStatus
	}
	msgTimer  struct{ gen uint64 }
	msgNotify struct {
		pid    int
		fields map[string]string
	}
)

// mailbox is an unbounded queue that says when to start its reader:
// posting never blocks, so the reaper and the API never wait for a busy
// unit, and no goroutine waits on an empty box.
type mailbox struct {
	mu      sync.Mutex
	q       []any // guarded by mu
	running bool  // guarded by mu; a goroutine is taking from the box
	closed  bool  // guarded by mu; set when the unit is gone
}

// post queues m. It reports false when the box is closed, and start when
// the caller must start a goroutine to take from the box.
func (b *mailbox) post(m any) (ok, start bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, false
	}
	b.q = append(b.q, m)
	start = !b.running
	b.running = true
	return true, start
}

// close refuses later posts and returns what was queued but not taken.
func (b *mailbox) close() []any {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	q := b.q
	b.q = nil
	return q
}

// take returns the queued messages; when there are none it returns nil
// and the caller's goroutine must end, since the next post starts another.
func (b *mailbox) take() []any {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.q
	b.q = nil
	if len(q) == 0 {
		b.running = false
	}
	return q
}

func newService(m *Manager, u *units.Unit, out *outputs) *service {
	s := &service{m: m, name: u.Name, u: u, done: make(chan struct{})}
	s.out.Store(out)
	s.ts.InactiveEnter = now()
	s.snap.Store(s.snapshot())
	return s
}

// exited is the reaper's entry point (exitSink).
func (s *service) exited(pid int, ws syscall.WaitStatus) { s.send(msgExit{pid, ws}) }

// send posts m to the service's goroutine; once that has ended (the unit
// was removed), m is answered here instead, so no job or caller waits on a
// goroutine that is gone.
func (s *service) send(m any) {
	ok, start := s.box.post(m)
	if !ok {
		answerRemoved(m)
		return
	}
	if start {
		s.m.wg.Add(1)
		go s.run()
	}
}

// removedReason is the reason of jobs skipped because their unit is gone.
const removedReason = "the unit was removed"

// answerRemoved finishes what a message waits for, for a removed unit.
func answerRemoved(m any) {
	jobOf(m).ackPost()
	switch m := m.(type) {
	case msgStart:
		m.job.finish(JobSkipped, removedReason)
	case msgRestart:
		m.job.finish(JobSkipped, removedReason)
	case msgReload:
		m.job.finish(JobSkipped, removedReason)
	case msgStop:
		m.job.finish(JobDone, "")
	case msgKill:
		m.reply <- errNoProcess
	case msgRemove:
		close(m.done)
	}
}

// run is the service's goroutine: it handles messages, publishing a
// snapshot after each batch, until the box is empty or the unit is gone.
func (s *service) run() {
	defer s.m.wg.Done()
	for {
		msgs := s.box.take()
		if msgs == nil {
			return
		}
		for _, msg := range msgs {
			s.handle(msg)
			jobOf(msg).ackPost()
		}
		s.checkRemoved()
		s.publish()
		s.finishJobs()
		if s.gone {
			for _, m := range s.box.close() {
				answerRemoved(m)
			}
			close(s.done)
			return
		}
	}
}

func (s *service) handle(msg any) {
	if s.removed != nil {
		switch msg.(type) {
		case msgStart, msgRestart, msgReload, msgRemove:
			answerRemoved(msg) // no new work for a unit on its way out
			return
		}
	}
	switch msg := msg.(type) {
	case msgStart:
		s.start(msg.job)
	case msgStop:
		s.stop(msg.job)
	case msgRestart:
		s.restart(msg.job)
	case msgReload:
		s.reload(msg.job)
	case msgKill:
		msg.reply <- s.kill(msg.who, msg.sig)
	case msgResetFailed:
		s.resetFailed()
	case msgReplace:
		s.replace(msg.u, msg.out, msg.same)
	case msgRemove:
		s.removed = msg.done
		s.stop(nil)
	case msgExit:
		s.onExit(msg.pid, msg.ws)
	case msgTimer:
		if msg.gen == s.timerGen {
			s.onTimer(s.timerKind)
		}
	case msgNotify:
		s.onNotify(msg.pid, msg.fields)
	}
}

// replace takes a reloaded definition. New outputs take over at once; the
// old ones stay open while a process of the run may still write to them.
// An unchanged definition (same) is swapped in without an event: only the
// snapshot's Unit pointer would differ.
func (s *service) replace(u *units.Unit, out *outputs, same bool) {
	s.u = u
	if same {
		snap := *s.snap.Load()
		snap.Unit = u
		s.snap.Store(&snap)
	}
	if out == nil {
		return
	}
	s.retired = append(s.retired, s.out.Swap(out))
	s.closeRetired()
}

// closeRetired closes replaced outputs once no process of the run is left.
// Close waits for the copiers to drain, so it runs on its own goroutine.
func (s *service) closeRetired() {
	if s.proc.main != 0 || s.ctrl.pid != 0 || len(s.retired) == 0 {
		return
	}
	old := s.retired
	s.retired = nil
	go func() {
		for _, o := range old {
			o.close()
		}
	}()
}

// checkRemoved ends the goroutine once a removed unit has no process left.
func (s *service) checkRemoved() {
	if s.removed == nil || s.proc.main != 0 || s.ctrl.pid != 0 {
		return
	}
	s.clearTimer()
	s.cancelJobs(&s.startJobs, JobSkipped, removedReason)
	s.cancelJobs(&s.stopJobs, JobDone, "")
	close(s.removed)
	s.gone = true
}

// move changes the state, checking the transition table.
func (s *service) move(to State) {
	from := s.state
	if from == to {
		return
	}
	if !CanMove(from, to) {
		s.m.logf("%s: internal error: transition %s → %s is not allowed", s.name, from, to)
		to, s.result = Unknown, ResultUnknownState
	}
	s.state = to
	t := now()
	s.ts.StateChange = t
	wasActive, isActive := from == Running, to == Running
	if wasActive && !isActive {
		s.ts.ActiveExit = t
	}
	if !wasActive && isActive {
		s.ts.ActiveEnter = t
	}
	wasIdle, isIdle := idle(from), idle(to)
	if wasIdle && !isIdle {
		s.ts.InactiveExit = t
	}
	if !wasIdle && isIdle {
		s.ts.InactiveEnter = t
	}
	s.publish() // every state is an event, even when the next follows at once
}

// idle reports whether systemd would call a unit in state st inactive.
func idle(st State) bool { return st == Stopped || st == Exited || st == Fatal || st == Unknown }

// setTimer arms the service's only timer; an earlier one is forgotten.
func (s *service) setTimer(d time.Duration, kind timerKind) {
	s.clearTimer()
	gen := s.timerGen
	s.timerKind = kind
	s.timer = time.AfterFunc(d, func() { s.send(msgTimer{gen}) })
}

// clearTimer disarms the timer; a firing already posted is ignored by its
// generation.
func (s *service) clearTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.timerGen++
	s.timerKind = timerNone
}

// jobEnd is a job's result, held until the snapshot that shows it is
// published: whoever sees Done closed then reads the state the job made.
type jobEnd struct {
	job    *Job
	result JobResult
	reason string
}

// endJob finishes j with r at the end of the current batch.
func (s *service) endJob(j *Job, r JobResult, reason string) {
	s.finished = append(s.finished, jobEnd{j, r, reason})
}

// cancelJobs ends every job in *js with r and empties the list.
func (s *service) cancelJobs(js *[]*Job, r JobResult, reason string) {
	for _, j := range *js {
		s.endJob(j, r, reason)
	}
	*js = nil
}

// finishJobs finishes the jobs ended during the batch.
func (s *service) finishJobs() {
	for _, e := range s.finished {
		e.job.finish(e.result, e.reason)
	}
	s.finished = nil
}

// snapshot builds the current Snapshot.
func (s *service) snapshot() *Snapshot {
	active, sub := activeState(s.state, s.result, s.restartPending, s.killing)
	desc := s.u.Description
	if desc == "" {
		desc = s.u.Name
	}
	load := "loaded"
	if s.removed != nil {
		load = "not-found"
	}
	snap := &Snapshot{
		Unit: s.u, State: s.state, ActiveState: active, SubState: sub, LoadState: load,
		Result: s.result, MainPID: s.proc.main, ControlPID: s.ctrl.pid, LastExit: s.lastExit, NRestarts: s.nRestarts,
		SpawnError: s.spawnErr, StatusText: s.statusText, Invocation: s.proc.invocation, ControlGroup: s.proc.cgroup,
		Timestamps: s.ts, Description: desc,
	}
	snap.Logs = s.out.Load().info()
	return snap
}

// publish stores a new snapshot and tells subscribers, when anything changed.
func (s *service) publish() {
	old := s.snap.Load()
	snap := s.snapshot()
	if *old == *snap {
		return
	}
	s.snap.Store(snap)
	s.m.hub.publish(Event{Type: UnitChanged, Unit: s.name, Old: old, New: snap})
}

// newInvocationID returns 128 random bits in hex, like systemd's.
func newInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
