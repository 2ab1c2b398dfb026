// Package journal captures the output of supervised programs and delivers it
// to sinks: files rotated by size with backups, syslog, systemd-journald, the
// manager's own fds, or nowhere.
//
// Open makes one Output per unit. It owns a pipe per stream (stderr may share
// stdout's) whose write ends are given to each child the unit runs, and one
// goroutine per stream that copies from the pipe to the sink. Copying into a
// file is done by the kernel (splice on Linux) while the file is far from its
// rotation size; only near the boundary are bytes read into a pooled buffer
// to find the last newline, so that rotation never splits a line. A quiet
// unit costs two pipes and two goroutines blocked in the runtime poller, and
// no buffer: buffers come from a sync.Pool and go back after each read.
//
// Concurrency: an Output's methods may be called from any goroutine. SetPID,
// Reopen, Rotate and Status take the stream's lock only briefly; Rotate and
// Reopen wait for a copy in progress to finish its current chunk. Close
// stops the copiers after draining what the pipes hold. Tail and Follow are
// independent of any Output and read files only.
//
// Faults: a sink that fails (disk full, file removed, syslog or journald
// gone) does not stop the copy. The data that could not be written is
// counted as dropped and the error is kept in Status until a write succeeds
// again. Under Overflow Block a slow but working sink slows the writer
// through the pipe, as in Supervisor; under Drop the pipe is always drained.
//
// The package deliberately does not start children, parse unit files, or
// talk D-Bus; it does not compress rotated files or rotate by time (use
// logrotate with Reopen for that), and it does not frame output into lines
// for file sinks except at a rotation boundary.
package journal
