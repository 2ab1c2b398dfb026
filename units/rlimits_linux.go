package units

import "golang.org/x/sys/unix"

// rlimitResources maps every Limit*= directive to its resource on Linux.
var rlimitResources = map[string]int{
	"LimitCPU": unix.RLIMIT_CPU, "LimitFSIZE": unix.RLIMIT_FSIZE, "LimitDATA": unix.RLIMIT_DATA,
	"LimitSTACK": unix.RLIMIT_STACK, "LimitCORE": unix.RLIMIT_CORE, "LimitRSS": unix.RLIMIT_RSS,
	"LimitNOFILE": unix.RLIMIT_NOFILE, "LimitAS": unix.RLIMIT_AS, "LimitNPROC": unix.RLIMIT_NPROC,
	"LimitMEMLOCK": unix.RLIMIT_MEMLOCK, "LimitLOCKS": unix.RLIMIT_LOCKS, "LimitSIGPENDING": unix.RLIMIT_SIGPENDING,
	"LimitMSGQUEUE": unix.RLIMIT_MSGQUEUE, "LimitNICE": unix.RLIMIT_NICE, "LimitRTPRIO": unix.RLIMIT_RTPRIO,
	"LimitRTTIME": unix.RLIMIT_RTTIME,
}
