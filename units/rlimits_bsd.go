//go:build darwin || freebsd || netbsd

package units

import "golang.org/x/sys/unix"

// rlimitResources maps the Limit*= directives these systems support; the
// Linux-only ones (LOCKS, SIGPENDING, MSGQUEUE, NICE, RTPRIO, RTTIME) are
// refused with an error naming the directive.
var rlimitResources = map[string]int{
	"LimitCPU": unix.RLIMIT_CPU, "LimitFSIZE": unix.RLIMIT_FSIZE, "LimitDATA": unix.RLIMIT_DATA,
	"LimitSTACK": unix.RLIMIT_STACK, "LimitCORE": unix.RLIMIT_CORE, "LimitRSS": unix.RLIMIT_RSS,
	"LimitNOFILE": unix.RLIMIT_NOFILE, "LimitAS": unix.RLIMIT_AS, "LimitNPROC": unix.RLIMIT_NPROC,
	"LimitMEMLOCK": unix.RLIMIT_MEMLOCK,
}
