package manager

// clockMonotonic is NetBSD's CLOCK_MONOTONIC, which x/sys/unix does not
// name there.
const clockMonotonic = 3
