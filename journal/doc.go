// Package journal captures the output of supervised programs and delivers it
// to sinks: files rotated by size with backups, syslog, systemd-journald, the
// manager's own stdout, or nowhere. It also reads log files back for svunit
// logs: Tail, and Follow and FollowLines (tail -F, across rotations).
//
// Open makes one Output per unit from a Config. ParseTarget, ParseOverflow,
// ParseSyslogFacility, ParseSyslogLevel and ParseSyslogFormat validate the
// unit-file values; DefaultPath names a unit's default log file; Status
// reports each stream's bytes written and dropped and its errors.
// It owns a pipe per stream (stderr may share stdout's: ToStdout, or
// StandardError=inherit as in systemd, or the same file) whose write ends
// are given to every child the unit runs. On Linux one epoll instance,
// served by one goroutine, watches the read ends of all streams, each
// armed for one event: when a pipe has bytes a copier goroutine starts,
// moves them to the sink until the pipe is empty, arms the pipe again and
// exits (elsewhere one goroutine per stream waits in Go's poller). Null and
// Inherit need no pipe: the child gets /dev/null or a duplicate of the
// manager's stdout.
//
// Files: a regular file is written by splice(2) on Linux, with no copy
// through user space, via a relay pipe (splicing a pipe into a file holds
// the pipe's lock for the whole write, which would stall the child). When a file reaches Config.MaxBytes it is
// rotated to NAME.1 … NAME.Backups; the bytes after its last newline (at
// most 1 MiB) are read back and move to the new file, so no line is split
// and no file exceeds MaxBytes (a longer line is cut). A file that is not
// regular (FIFO, tty) is written as a stream and never rotated. Default and
// Append files are created on their first bytes, not by Open (creating
// thousands of files in one directory at boot is slow, and most streams
// write little): Open only checks that the directory is writable and the
// path is not a directory, and a file that cannot be created then is a
// failing write like any other. File and Truncate, and files that exist and
// are not regular, are opened by Open. A log file
// removed or replaced behind our back is noticed within a MiB or a second of
// further output and created again.
//
// Memory: a quiet unit costs two pipes of the kernel's default size and no
// goroutine and no buffer (about 2 KB of heap in all): buffers come from a
// shared sync.Pool only while bytes pass through user space. A busy stream
// (its pipe found full, or bytes again within 2 ms of the last batch)
// grows its pipe to 1 MiB (on Linux; at most 64 such pipes at once, 16 for
// a manager that is not root, within the kernel's per-user budget), so a
// chatty writer runs ahead; its copier then lingers a millisecond when it
// empties the pipe instead of parking, so small writes move in large
// batches and do not wake the manager one by one, unless the writer is
// fast enough to fill half the pipe meanwhile.
// Nothing runs on a timer while a unit is quiet.
//
// Concurrency: an Output's methods may be called from any goroutine. Reopen
// and Rotate take the stream's lock, and so wait for the chunk being
// written; Status and SetPID never wait for a sink. Close closes the
// children's fds, drains the pipes for up to a second (processes that still
// hold a copy of them then get EPIPE), flushes partial lines and closes the
// sinks. Tail and Follow read files only and need no Output.
//
// Faults: a sink that fails (disk full, file removed, syslog or journald
// gone) never stops the copy or blocks the child: what it cannot take is
// dropped and counted in Status with the error, and the next write tries
// again. A full disk leaves only whole lines in the file. A sink that works
// but is slow slows the child through the full pipe under Overflow Block (the
// default, as Supervisor), or loses what does not fit in a small queue under
// Overflow Drop.
//
// The package deliberately does not start children, parse unit files, or
// talk D-Bus; it does not compress rotated files or rotate by time (use
// logrotate with Reopen), and it does not share a file with another writer:
// it writes at its own offset, which splice needs.
package journal
