package accounts

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	p := PasswordParams{Time: 1, Memory: 64, Threads: 2, SaltLen: 16, KeyLen: 32}
	h, err := hashPassword("correct horse battery", p)
	require.NoError(t, err)
	ph, err := parsePasswordHash(h)
	require.NoError(t, err)
	assert.Equal(t, p, ph.params)
	assert.True(t, verifyPassword(h, "correct horse battery"))
	assert.False(t, verifyPassword(h, "correct horse batterY"))
}

func TestParsePasswordHashRefuses(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0", "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	for name, h := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"old version":      "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"params reordered": "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"leading zero":     "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"memory too large": "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"too many passes":  "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + key,
		"minutes of work":  "$argon2id$v=19$m=1048576,t=64,p=1$" + salt + "$" + key,
		"no threads":       "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"threads > 255":    "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key,
		"padded base64":    "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"short salt":       "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"short key":        "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$aGFzaA",
		"extra field":      "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$",
	} {
		_, err := parsePasswordHash(storage.PasswordHash(h))
		assert.ErrorIs(t, err, errBadHash, name)
		assert.False(t, verifyPassword(storage.PasswordHash(h), "x"), name)
	}
	_, err := parsePasswordHash(storage.PasswordHash("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key))
	assert.NoError(t, err, "the well-formed control")
	_, err = parsePasswordHash(storage.PasswordHash("$argon2id$v=19$m=1048576,t=2,p=1$" + salt + "$" + key))
	assert.NoError(t, err, "the most work allowed")
}

// The bounds on passes and memory hold together, for new hashes too: a
// login never costs minutes of argon2id.
func TestPasswordParamsBoundWork(t *testing.T) {
	p := DefaultPasswordParams()
	require.NoError(t, p.validate())
	p.Time, p.Memory = 64, maxPasswordMemory
	assert.Error(t, p.validate())
	p.Time = 2
	assert.NoError(t, p.validate())
}

// TestPasswordParamsFloor: new hashes reach a row of OWASP's argon2id
// table. Broke: m=8 KiB with one pass was accepted.
func TestPasswordParamsFloor(t *testing.T) {
	p := func(m, t uint32) PasswordParams {
		return PasswordParams{Time: t, Memory: m, Threads: 1, SaltLen: 16, KeyLen: 32}
	}
	for _, tt := range []struct {
		name string
		p    PasswordParams
		ok   bool
	}{
		{"default", DefaultPasswordParams(), true},
		{"46 MiB, 1 pass", p(46*1024, 1), true},
		{"12 MiB, 3 passes", p(12*1024, 3), true},
		{"9 MiB, 4 passes", p(9*1024, 4), true},
		{"7 MiB, 5 passes", p(7*1024, 5), true},
		{"8 KiB, 1 pass", p(8, 1), false},
		{"19 MiB, 1 pass", p(19*1024, 1), false},
		{"7 MiB, 4 passes", p(7*1024, 4), false},
		{"45 MiB, 1 pass", p(45*1024, 1), false},
		{"8-byte salt", PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 8, KeyLen: 32}, false},
	} {
		assert.Equal(t, tt.ok, tt.p.checkFloor() == nil, tt.name)
	}
}

// TestPadWork: padding brings a cheaper verification up to the target's
// work, and adds nothing to one that costs as much or more.
func TestPadWork(t *testing.T) {
	target := PasswordParams{Time: 2, Memory: 128, Threads: 2, SaltLen: 16, KeyLen: 32}
	assert.Equal(t, uint64(192), padWork(64, target))
	assert.Equal(t, uint64(0), padWork(256, target))
	assert.Equal(t, uint64(0), padWork(1000, target))
	assert.Equal(t, uint64(32), padWork(250, target), "at least argon2's smallest memory (8 KiB a thread)")
}

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
