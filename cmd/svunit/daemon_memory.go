package main

import "runtime/debug"

// freeMemory returns the memory a boot or a reload used on the way to the
// OS (the manager calls it once their jobs are done). Starting a thousand
// units leaves megabytes of garbage (snapshots, events, job bookkeeping),
// and an idle daemon allocates nothing, so no collection would run to free
// it and the runtime would keep those pages: debug.FreeOSMemory collects
// once and hands every free page back.
func freeMemory() { debug.FreeOSMemory() }
