package units

import "golang.org/x/sys/unix"

// rlimitResources maps the Limit*= directives OpenBSD supports: the BSD set
// without LimitAS, which OpenBSD does not have.
var rlimitResources = map[string]int{
	"LimitCPU": unix.RLIMIT_CPU, "LimitFSIZE": unix.RLIMIT_FSIZE, "LimitDATA": unix.RLIMIT_DATA,
	"LimitSTACK": unix.RLIMIT_STACK, "LimitCORE": unix.RLIMIT_CORE, "LimitRSS": unix.RLIMIT_RSS,
	"LimitNOFILE": unix.RLIMIT_NOFILE, "LimitNPROC": unix.RLIMIT_NPROC, "LimitMEMLOCK": unix.RLIMIT_MEMLOCK,
}
