package journal

import "sync"

// chunkSize is the size of a pooled buffer: the default capacity of a Linux
// pipe, so that one read can empty a full pipe.
const chunkSize = 64 << 10

// spliceMax bounds one splice call; the kernel moves at most what the pipe
// holds anyway.
const spliceMax = 1 << 20

// chunks holds buffers shared by all streams. A stream takes one only while
// it has bytes to move through user space and gives it back at once, so
// quiet units hold none.
var chunks = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

func getChunk() *[]byte  { return chunks.Get().(*[]byte) }
func putChunk(b *[]byte) { chunks.Put(b) }
