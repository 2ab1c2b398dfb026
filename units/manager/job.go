package manager

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// JobType is what a job does to its unit, named as systemd's job types.
type JobType string

const (
	JobStart           JobType = "start"
	JobStop            JobType = "stop"
	JobRestart         JobType = "restart"
	JobReloadOrRestart JobType = "reload-or-restart"
)

// JobResult is systemd's result of a finished job.
type JobResult string

const (
	JobDone       JobResult = "done"       // the unit reached the state the job asked for
	JobFailed     JobResult = "failed"     // it did not (FATAL, spawn error, failed oneshot, …)
	JobCanceled   JobResult = "canceled"   // a later, conflicting job for the same unit replaced it
	JobTimeout    JobResult = "timeout"    // a stop needed SIGKILL, or a start timed out
	JobDependency JobResult = "dependency" // a unit it Requires= failed in the same request
	JobSkipped    JobResult = "skipped"    // nothing to do (the unit was removed)
)

// A Job is one request on one unit, in systemd's sense. Result and Reason are
// written once, before Done is closed; read them only after Done is closed
// (or use Wait).
type Job struct {
	ID   uint32
	Unit string
	Type JobType
	Done <-chan struct{}

	Result JobResult // valid once Done is closed
	Reason string    // a sentence for failed/timeout/dependency results; valid once Done is closed

	done   chan struct{}
	once   sync.Once
	onDone func(*Job)   // the manager's bookkeeping; called once, after Done is closed
	stage  atomic.Int32 // jobWaiting, then jobHanded or jobWithdrawn, changed once by CompareAndSwap
	ack    *postAck     // set by the request's poster before the job is handed; nil for none
}

// A job's stage: whether it went to its unit or was withdrawn first. One
// compare-and-swap decides, so a job is never both handed and canceled.
const (
	jobWaiting   int32 = iota // earlier layers of its request are not done
	jobHanded                 // posted to its unit, which finishes it
	jobWithdrawn              // replaced before it was handed: canceled
)

// State is systemd's JobState: "waiting" while the job waits for earlier
// layers of its request, "running" once its unit works on it.
func (j *Job) State() string {
	if j.stage.Load() == jobHanded {
		return "running"
	}
	return "waiting"
}

// hand claims a waiting job for its unit; false means it was withdrawn
// (or already finished) and must not be posted.
func (j *Job) hand() bool {
	return !j.finished() && j.stage.CompareAndSwap(jobWaiting, jobHanded)
}

// ackPost tells j's request that its unit has handled it (see postWindow).
// It accepts a nil j.
func (j *Job) ackPost() {
	if j != nil {
		j.ack.done()
	}
}

// withdraw cancels a job that has not been handed to its unit yet and
// reports whether it did. A handed job is left to its unit, which cancels
// it when the conflicting job arrives there.
func (j *Job) withdraw(reason string) bool {
	if !j.stage.CompareAndSwap(jobWaiting, jobWithdrawn) {
		return false
	}
	j.finish(JobCanceled, reason)
	return true
}

// conflicts reports whether a new job of type b replaces a pending job of
// type a on the same unit: a stop replaces any start, restart or reload, and
// any of those replaces a stop, as systemd's job table does. Jobs of the
// same direction both run (the second finds the unit up, or stopped).
func conflicts(a, b JobType) bool { return (a == JobStop) != (b == JobStop) }

// Wait blocks until j finishes and returns its result and reason.
func (j *Job) Wait() (JobResult, string) {
	<-j.Done
	return j.Result, j.Reason
}

// finished reports whether j is done, without blocking.
func (j *Job) finished() bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

// finish records the result and closes Done; later calls do nothing.
func (j *Job) finish(r JobResult, reason string) {
	j.once.Do(func() {
		j.Result, j.Reason = r, reason
		close(j.done)
		if j.onDone != nil {
			j.onDone(j)
		}
	})
}

// jobTable holds the jobs that have not finished.
type jobTable struct {
	lastID atomic.Uint32
	mu     sync.Mutex
	jobs   map[uint32]*Job // guarded by mu
}

// newJob makes a job, lists it, and calls onDone when it finishes.
func (t *jobTable) newJob(unit string, typ JobType, onDone func(*Job)) *Job {
	d := make(chan struct{})
	j := &Job{ID: t.lastID.Add(1), Unit: unit, Type: typ, Done: d, done: d}
	j.onDone = func(j *Job) {
		t.mu.Lock()
		delete(t.jobs, j.ID)
		if len(t.jobs) == 0 {
			t.jobs = nil // a map keeps the room of its largest size: let a mass start's go
		}
		t.mu.Unlock()
		onDone(j)
	}
	t.mu.Lock()
	if t.jobs == nil {
		t.jobs = make(map[uint32]*Job)
	}
	t.jobs[j.ID] = j
	t.mu.Unlock()
	return j
}

// withdrawConflicting cancels the waiting jobs of the named units that a
// new job of type typ replaces, so that a later layer of their request does
// not undo it (a boot's layered start going on after "stop all").
func (t *jobTable) withdrawConflicting(names map[string]bool, typ JobType) {
	reason := fmt.Sprintf("a %s job for the unit replaced it", typ)
	for _, j := range t.list() {
		if names[j.Unit] && conflicts(j.Type, typ) {
			j.withdraw(reason)
		}
	}
}

// list returns the unfinished jobs.
func (t *jobTable) list() []*Job {
	t.mu.Lock()
	defer t.mu.Unlock()
	js := make([]*Job, 0, len(t.jobs))
	for _, j := range t.jobs {
		js = append(js, j)
	}
	return js
}
