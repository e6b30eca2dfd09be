package advox

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/storage"
)

// FuzzParsePasswordHash feeds stored-hash text (outside input: it comes
// back from a store) to the parser: it must never panic, accept only
// parameters within bounds, and verify nothing for a malformed hash.
func FuzzParsePasswordHash(f *testing.F) {
	good, err := hashPassword("correct horse battery", PasswordParams{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(good), "", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=064,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ph, err := parsePasswordHash(storage.PasswordHash(s))
		if err != nil {
			assert.False(t, verifyPassword(storage.PasswordHash(s), "x"))
			assert.NotContains(t, err.Error(), "$", "errors never echo the hash")
			return
		}
		assert.NoError(t, ph.params.validate())
		assert.LessOrEqual(t, ph.params.Memory, uint32(maxPasswordMemory))
		assert.LessOrEqual(t, ph.params.Time, uint32(maxPasswordTime))
	})
}
