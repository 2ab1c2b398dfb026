package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// hostChildren are the running -H children. SIGINT, SIGTERM and SIGHUP
// sent to the -H parent alone (a script's kill, not a terminal's Ctrl-C,
// which reaches the whole process group) are passed on to them, so that
// a 'logs -f' child ends its ssh session and its log stream instead of
// following for ever after its parent is gone.
type hostChildren struct {
	mu    sync.Mutex // guards the fields below
	procs map[*os.Process]bool
	sig   os.Signal // the last signal passed on; nil before any
}

// forwardSignals starts passing the signals on; stop undoes it.
func forwardSignals() (hc *hostChildren, stop func()) {
	hc = &hostChildren{procs: map[*os.Process]bool{}}
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				hc.signal(s)
			case <-done:
				return
			}
		}
	}()
	return hc, func() { signal.Stop(ch); close(done) }
}

func (hc *hostChildren) signal(s os.Signal) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.sig = s
	for p := range hc.procs {
		p.Signal(s)
	}
}

// add registers a started child; one that starts after a signal gets it at
// once.
func (hc *hostChildren) add(p *os.Process) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.procs[p] = true
	if hc.sig != nil {
		p.Signal(hc.sig)
	}
}

func (hc *hostChildren) remove(p *os.Process) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	delete(hc.procs, p)
}
