package manager

import (
	"errors"
	"sync"
)

// EventType says what an Event reports.
type EventType int

const (
	UnitChanged EventType = iota // a unit's snapshot changed: Old and New are set
	UnitNew                      // a unit was loaded (at New or by Reload): New is set
	UnitRemoved                  // a unit was removed by Reload: Old is set
	JobNew                       // a job was queued: Job is set
	JobRemoved                   // a job finished: Job is set, with its Result
)

var eventNames = [...]string{"unit-changed", "unit-new", "unit-removed", "job-new", "job-removed"}

func (t EventType) String() string {
	if t < 0 || int(t) >= len(eventNames) {
		return "unknown"
	}
	return eventNames[t]
}

// An Event is one thing that happened in the manager.
type Event struct {
	Type     EventType
	Unit     string    // the unit's name
	Old, New *Snapshot // for UnitChanged, UnitNew, UnitRemoved (never modified)
	Job      *Job      // for JobNew and JobRemoved
}

// SubscriptionBuffer is how many events a subscriber may fall behind before
// it is dropped.
const SubscriptionBuffer = 4096

// ErrSlowSubscriber is the reason a subscription ends when its reader fell
// more than SubscriptionBuffer events behind.
var ErrSlowSubscriber = errors.New("manager: subscriber fell behind and was dropped; subscribe again and re-read the state with Units")

// errUnsubscribed is the reason after Close.
var errUnsubscribed = errors.New("manager: unsubscribed")

// A Subscription receives the manager's events on C in the order each unit
// produced them. The manager never waits for a reader: when C is full the
// subscription is dropped, C is closed, and Err returns ErrSlowSubscriber.
type Subscription struct {
	C <-chan Event

	c   chan Event
	hub *hub
	err error // guarded by hub.mu; set once, when c is closed
}

// Err returns why C was closed, or nil while it is open.
func (s *Subscription) Err() error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.err
}

// Close ends the subscription; C is closed and Err returns a non-nil error.
// Events already in C may still be read.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.hub.drop(s, errUnsubscribed)
}

// hub fans events out to subscriptions without blocking the publisher.
type hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{} // guarded by mu
}

func (h *hub) subscribe() *Subscription {
	c := make(chan Event, SubscriptionBuffer)
	s := &Subscription{C: c, c: c, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[*Subscription]struct{})
	}
	h.subs[s] = struct{}{}
	return s
}

// publish delivers e to every subscription that has room and drops the rest.
// It holds mu while sending so that events of one unit keep their order.
func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.c <- e:
		default:
			h.drop(s, ErrSlowSubscriber)
		}
	}
}

// drop closes s's channel with reason err; h.mu must be held.
func (h *hub) drop(s *Subscription, err error) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	s.err = err
	close(s.c)
}

// closeAll ends every subscription, at shutdown.
func (h *hub) closeAll(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.drop(s, err)
	}
}
