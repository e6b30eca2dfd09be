package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/azenna/advox/storage"
)

// PasswordParams are the argon2id parameters new password hashes are made
// with. They are stored in each hash (PHC string format), so changing them
// never invalidates existing passwords.
type PasswordParams struct {
	// Time is the number of passes over memory.
	Time uint32
	// Memory is the memory used, in KiB.
	Memory uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are the salt and hash lengths in bytes.
	SaltLen, KeyLen uint32
}

// DefaultPasswordParams returns the OWASP recommendation for argon2id:
// 19 MiB of memory, 2 passes, 1 thread, 16-byte salt, 32-byte hash.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// passwordFloor is OWASP's table of equally strong argon2id settings
// (Password Storage Cheat Sheet): memory in KiB and passes, each with one
// thread. New hashes must reach one of them.
var passwordFloor = [...]struct{ memory, time uint32 }{
	{46 * 1024, 1}, {19 * 1024, 2}, {12 * 1024, 3}, {9 * 1024, 4}, {7 * 1024, 5},
}

// minNewPasswordSalt is the shortest salt of a new hash (128 bits, as RFC
// 9106 recommends).
const minNewPasswordSalt = 16

// checkFloor refuses parameters for new hashes below OWASP's floor: less
// memory and fewer passes than every row of its table, or a salt shorter
// than 16 bytes. Hashes read back from a store are only bounded (see
// validate): they are verified, then rehashed.
func (p PasswordParams) checkFloor() error {
	if p.SaltLen < minNewPasswordSalt {
		return fmt.Errorf("salt length must be at least %d bytes", minNewPasswordSalt)
	}
	for _, f := range passwordFloor {
		if p.Memory >= f.memory && p.Time >= f.time {
			return nil
		}
	}
	return errors.New("below OWASP's floor for argon2id: at least 19 MiB with 2 passes, or 46 MiB with 1, " +
		"12 MiB with 3, 9 MiB with 4, 7 MiB with 5")
}

// work is the argon2id cost of p in KiB × passes: what a hash with p costs
// to verify, in the unit login timing is equalised in.
func (p PasswordParams) work() uint64 { return uint64(p.Memory) * uint64(p.Time) }

// Bounds on parameters, for new hashes and for hashes read back from a
// store (a tampered store must not make a login take minutes or gigabytes).
const (
	maxPasswordTime   = 64
	maxPasswordMemory = 1 << 20 // KiB: 1 GiB
	minPasswordSalt   = 8
	maxPasswordSalt   = 64
	minPasswordKey    = 16
	maxPasswordKey    = 128
	// maxPasswordWork bounds passes × memory (KiB): 2 GiB-passes, a few
	// seconds, so that the two bounds above never combine into minutes.
	maxPasswordWork = 2 << 20
)

// validate reports parameters out of bounds.
func (p PasswordParams) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxPasswordTime:
		return fmt.Errorf("time must be 1–%d", maxPasswordTime)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxPasswordMemory:
		return fmt.Errorf("memory must be 8×threads–%d KiB", maxPasswordMemory)
	case p.SaltLen < minPasswordSalt || p.SaltLen > maxPasswordSalt:
		return fmt.Errorf("salt length must be %d–%d bytes", minPasswordSalt, maxPasswordSalt)
	case p.KeyLen < minPasswordKey || p.KeyLen > maxPasswordKey:
		return fmt.Errorf("key length must be %d–%d bytes", minPasswordKey, maxPasswordKey)
	case uint64(p.Time)*uint64(p.Memory) > maxPasswordWork:
		return fmt.Errorf("time × memory must be at most %d KiB", maxPasswordWork)
	}
	return nil
}

// hashPassword hashes password with a fresh random salt and encodes the
// result as "$argon2id$v=19$m=…,t=…,p=…$salt$hash" (unpadded base64).
func hashPassword(password string, p PasswordParams) (storage.PasswordHash, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return storage.PasswordHash(fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))), nil
}

// errBadHash is the error of a malformed stored hash. It never contains
// the hash.
var errBadHash = errors.New("malformed password hash")

// parsedHash is a decoded password hash.
type parsedHash struct {
	params    PasswordParams
	salt, key []byte
}

// parsePasswordHash decodes a hash made by hashPassword, refusing any other
// algorithm, version, or parameters out of bounds.
func parsePasswordHash(h storage.PasswordHash) (parsedHash, error) {
	parts := strings.Split(string(h), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return parsedHash{}, errBadHash
	}
	var ph parsedHash
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return parsedHash{}, errBadHash
	}
	var vals [3]uint64
	for i, name := range [3]string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
			return parsedHash{}, errBadHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return parsedHash{}, errBadHash
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return parsedHash{}, errBadHash
	}
	var err1, err2 error
	ph.salt, err1 = base64.RawStdEncoding.Strict().DecodeString(parts[4])
	ph.key, err2 = base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return parsedHash{}, errBadHash
	}
	ph.params = PasswordParams{
		Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		SaltLen: uint32(len(ph.salt)), KeyLen: uint32(len(ph.key)),
	}
	if ph.params.validate() != nil {
		return parsedHash{}, errBadHash
	}
	return ph, nil
}

// verifyPassword reports whether password matches h, comparing in
// constant time. A malformed hash matches nothing.
func verifyPassword(h storage.PasswordHash, password string) bool {
	ph, err := parsePasswordHash(h)
	if err != nil {
		return false
	}
	return ph.verify(password)
}

// verify reports whether password matches the hash, comparing in constant
// time.
func (ph parsedHash) verify(password string) bool {
	p := ph.params
	key := argon2.IDKey([]byte(password), ph.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(key, ph.key) == 1
}

// padWork spends, on a throwaway argon2id computation, the work by which
// done falls short of target (both in KiB × passes), in target's passes
// and threads, and returns the work spent. Verifying a hash made with
// older, cheaper parameters is padded this way to what the current ones
// cost, so that such a user answers no sooner than an unknown one.
func padWork(done uint64, target PasswordParams) uint64 {
	want := target.work()
	if done >= want {
		return 0
	}
	mem := (want - done + uint64(target.Time) - 1) / uint64(target.Time) // rounded up
	mem = max(mem, 8*uint64(target.Threads))
	var salt [minNewPasswordSalt]byte
	argon2.IDKey(nil, salt[:], target.Time, uint32(mem), target.Threads, 16)
	return mem * uint64(target.Time)
}
