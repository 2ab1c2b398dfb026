package main

import (
	"testing"
	"time"
)

func TestUptimeAndSpan(t *testing.T) {
	for _, tc := range []struct {
		d            time.Duration
		uptime, span string
	}{
		{3 * time.Second, "0:00:03", "3s"},
		{2*time.Minute + 5*time.Second, "0:02:05", "2min 5s"},
		{time.Hour + 2*time.Minute, "1:02:00", "1h 2min"},
		{26 * time.Hour, "1 day, 2:00:00", "1 day 2h"},
		{50 * time.Hour, "2 days, 2:00:00", "2 days 2h"},
	} {
		if got := uptime(tc.d); got != tc.uptime {
			t.Errorf("uptime(%v) = %q, want %q", tc.d, got, tc.uptime)
		}
		if got := span(tc.d); got != tc.span {
			t.Errorf("span(%v) = %q, want %q", tc.d, got, tc.span)
		}
	}
}
