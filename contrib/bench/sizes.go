//go:build linux

package main

import "time"

// sizes are the workload parameters of a run.
type sizes struct {
	Rounds         int
	LaunchN        []int // programs started with the manager
	StartSecs      []int
	ControlN       int // programs for stop all / start all / status / API
	InfoCalls      int // one-program info calls per round
	ShutdownN      int
	ShutdownRounds int           // at most; 0 is Rounds
	ShutdownDeaf   int           // of those, programs that ignore SIGTERM, in the second case
	StopTimeout    time.Duration // every program's, in the shutdown workload
	IdleN          []int
	IdleRounds     int           // at most; 0 is Rounds
	IdleSettle     time.Duration // after the programs run, before measuring
	IdleWindow     time.Duration
	LogBig         int64 // bytes in 64 KiB writes
	LogSmall       int64 // bytes in 100-byte writes
	LogMax         int64 // rotation size
	Crashes        int
	RespawnRounds  int
	StopStarts     int
}

// fullSizes are the issue's: minutes per workload.
var fullSizes = sizes{
	Rounds:        3,
	LaunchN:       []int{100, 1000},
	StartSecs:     []int{0, 1},
	ControlN:      1000,
	InfoCalls:     1000,
	ShutdownN:     100,
	ShutdownDeaf:  10,
	StopTimeout:   2 * time.Second,
	IdleN:         []int{0, 100, 1000},
	IdleRounds:    2,
	IdleSettle:    3 * time.Second,
	IdleWindow:    30 * time.Second,
	LogBig:        1 << 30,
	LogSmall:      256 << 20,
	LogMax:        64 << 20,
	Crashes:       100,
	RespawnRounds: 1,
	StopStarts:    100,
}

// quickSizes exercise every code path in a few minutes.
var quickSizes = sizes{
	Rounds:         2,
	LaunchN:        []int{20},
	StartSecs:      []int{0, 1},
	ControlN:       30,
	InfoCalls:      50,
	ShutdownN:      10,
	ShutdownRounds: 1,
	ShutdownDeaf:   2,
	StopTimeout:    time.Second,
	IdleN:          []int{0, 20},
	IdleRounds:     1,
	IdleSettle:     500 * time.Millisecond,
	IdleWindow:     2 * time.Second,
	LogBig:         64 << 20,
	LogSmall:       4 << 20,
	LogMax:         4 << 20,
	Crashes:        5,
	RespawnRounds:  1,
	StopStarts:     5,
}

// roundsOf is the rounds of a workload limited to at most n (0: no limit).
func (s sizes) roundsOf(n int) int {
	if n == 0 {
		return s.Rounds
	}
	return min(s.Rounds, n)
}
