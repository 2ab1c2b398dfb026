package manager

import (
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
	JobCanceled   JobResult = "canceled"   // a later job for the same unit replaced it
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

	done    chan struct{}
	once    sync.Once
	onDone  func(*Job)  // the manager's bookkeeping; called once, after Done is closed
	running atomic.Bool // handed to its unit (earlier layers are done)
}

// State is systemd's JobState: "waiting" while the job waits for earlier
// layers of its request, "running" once its unit works on it.
func (j *Job) State() string {
	if j.running.Load() {
		return "running"
	}
	return "waiting"
}

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
