package advox

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// newMessageID returns a 32-character hex id: 48 bits of milliseconds, so
// ids sort by creation time and index well, and 80 random bits.
func newMessageID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[:6], ts[2:])
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}
