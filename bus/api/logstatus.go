package api

import (
	"svunit.dev/svunit/journal"
)

// LogStream is one entry of the io.svunit1.Unit property LogStatus and of
// UnitStatus.LogStatus: how a unit's stdout or stderr capture is faring.
// Its D-Bus type is LogStreamSignature.
type LogStream struct {
	Stream             string // "stdout" or "stderr"
	Sink               string // where it goes: "append:/var/log/svunit/web.unit.stdout.log", "syslog", "stdout" for a merged stderr…
	Written            uint64 // bytes delivered to the sink
	Dropped            uint64 // bytes lost to sink failures and LogOverflow=drop
	Error              string // the current failure; "" once a write has worked again
	LastError          string // the most recent failure, kept after recovery
	LastErrorTimestamp uint64 // µs since the epoch of LastError; 0 for never
}

// LogStreamSignature is LogStream's D-Bus type.
const LogStreamSignature = "(ssttsst)"

// unsignalledProps change all the time but are not sent in
// PropertiesChanged (a counter of bytes written would flood the bus):
// introspection marks them EmitsChangedSignal=false, so that clients read
// them when they need them instead of caching them.
var unsignalledProps = map[string]bool{"LogStatus": true}

// logStreams converts a unit's journal.Status; streams without a sink (a
// unit whose output goes nowhere: the manager has no log directory) are
// left out.
func logStreams(st journal.Status) []LogStream {
	out := []LogStream{}
	for _, s := range []struct {
		name string
		st   journal.StreamStatus
	}{{"stdout", st.Stdout}, {"stderr", st.Stderr}} {
		if s.st.Sink == "" {
			continue
		}
		ls := LogStream{
			Stream: s.name, Sink: s.st.Sink, Written: uint64(max(s.st.Written, 0)), Dropped: uint64(max(s.st.Dropped, 0)),
			Error: s.st.Error, LastError: s.st.LastError,
		}
		if !s.st.LastErrorTime.IsZero() {
			ls.LastErrorTimestamp = uint64(s.st.LastErrorTime.UnixMicro())
		}
		out = append(out, ls)
	}
	return out
}

// addLogStatus fills info.LogStatus with the live state of the unit's
// capture. The signal pump leaves it empty: it is read on request only.
func (a *API) addLogStatus(info *unitInfo) {
	if info.Unit == nil {
		return
	}
	if st, ok := a.m.LogStatus(info.Name); ok {
		info.LogStatus = logStreams(st)
	}
}

// logStatusOf is the LogStatus property: never nil, so that it encodes as
// an empty array.
func logStatusOf(u *unitInfo) []LogStream {
	if u.LogStatus == nil {
		return []LogStream{}
	}
	return u.LogStatus
}
