//go:build !unix

package httptransport_test

import "time"

// cpuTime is not measured on this platform; cpu-µs/op reads 0.
func cpuTime() time.Duration { return 0 }
