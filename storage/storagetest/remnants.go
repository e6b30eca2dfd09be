package storagetest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// Remnants: what a store erases or purges must not stay in what it keeps
// at rest — a database file's free pages, a write-ahead log — where anyone
// who reads the files finds it. The cases run when Features.Remnants can
// show the store's bytes.

func init() {
	contractCases = append(contractCases,
		testCase{"EraseLeavesNoRemnants", testEraseLeavesNoRemnants},
		testCase{"PurgeLeavesNoRemnants", testPurgeLeavesNoRemnants},
	)
}

// randomBytes returns n random bytes: a needle no other value contains.
func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// markedRecord is a record of account whose blind index, sealed
// recipient and sealed body are random, so that a byte scan finds them
// and nothing else.
func markedRecord(t *testing.T, account string, created time.Time) storage.Record {
	r := newRecord(account, created)
	r.Recipient.Data, r.RecipientIndex = randomBytes(t, 40), randomBytes(t, 32)
	r.Body, r.BodyUntil = storage.Sealed{Data: randomBytes(t, 60)}, start.AddDate(1, 0, 0)
	return r
}

// recordValues lists what of the records must go with them: the blind
// index (its first 8 bytes, which a store may keep apart as a key
// prefix), the sealed recipient and the sealed body.
func recordValues(recs []storage.Record) map[string][]byte {
	v := map[string][]byte{}
	for _, r := range recs {
		v[r.ID+" blind index"] = r.RecipientIndex[:8]
		v[r.ID+" sealed recipient"] = r.Recipient.Data
		v[r.ID+" sealed body"] = r.Body.Data
	}
	return v
}

// remnantsOf closes s through f.Remnants and reports which of gone are
// still in its bytes, and which of kept are not.
func remnantsOf(t *testing.T, s storage.TrafficStore, f Features, gone, kept map[string][]byte) (left, lost []string) {
	t.Helper()
	files := f.Remnants(t, s)
	require.NotEmpty(t, files, "Remnants returned no bytes")
	in := func(v []byte) bool {
		for _, b := range files {
			if bytes.Contains(b, v) {
				return true
			}
		}
		return false
	}
	for name, v := range gone {
		if in(v) {
			left = append(left, name)
		}
	}
	for name, v := range kept {
		if !in(v) {
			lost = append(lost, name)
		}
	}
	return left, lost
}

// testEraseLeavesNoRemnants: once an account is erased — its data key
// destroyed first, where the store keeps keys, as the Client does — none
// of its records' blind indexes, sealed numbers or bodies, nor its wrapped
// key, is in the store's bytes; another account's are.
func testEraseLeavesNoRemnants(t *testing.T, s storage.TrafficStore, _ *Clock, f Features) {
	if f.Remnants == nil {
		t.Skip("Features.Remnants is nil: the store cannot show its bytes")
	}
	ks, _ := s.(storage.KeyStore)
	var erased, kept []storage.Record
	gone, stay := map[string][]byte{}, map[string][]byte{}
	for _, account := range []string{"acct-gone", "acct-kept"} {
		var keyID string
		if ks != nil {
			wrapped := randomBytes(t, 60)
			k, err := ks.EnsureKey(ctx(t), storage.DataKey{ID: "key-" + account, Account: account, Wrapped: wrapped, CreatedAt: start})
			require.NoError(t, err)
			keyID = k.ID
			if account == "acct-gone" {
				gone["the erased account's wrapped key"] = wrapped
			} else {
				stay["the kept account's wrapped key"] = wrapped
			}
		}
		for i := range 30 {
			r := markedRecord(t, account, base.Add(time.Duration(i)*time.Minute))
			r.Recipient.KeyID, r.Body.KeyID = keyID, keyID
			require.NoError(t, s.Record(ctx(t), r))
			if account == "acct-gone" {
				erased = append(erased, r)
			} else {
				kept = append(kept, r)
			}
		}
	}
	if ks != nil {
		n, err := ks.DestroyKeys(ctx(t), "acct-gone")
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}
	n, err := s.EraseAccount(ctx(t), "acct-gone")
	require.NoError(t, err)
	require.Equal(t, len(erased), n)

	for name, v := range recordValues(erased) {
		gone[name] = v
	}
	for name, v := range recordValues(kept) {
		stay[name] = v
	}
	left, lost := remnantsOf(t, s, f, gone, stay)
	assert.Empty(t, left, "found of the erased account")
	assert.Empty(t, lost, "not found of the kept account: the scan does not see the data")
}

// testPurgeLeavesNoRemnants: the blind indexes, sealed numbers and bodies
// of purged records are not in the store's bytes; those of the records
// kept are. The account's key stays (its other records need it), so what
// the purge deleted must go from the bytes themselves.
func testPurgeLeavesNoRemnants(t *testing.T, s storage.TrafficStore, clk *Clock, f Features) {
	if f.Remnants == nil {
		t.Skip("Features.Remnants is nil: the store cannot show its bytes")
	}
	var expired, kept []storage.Record
	for i := range 60 {
		r := markedRecord(t, fmt.Sprintf("acct-%d", i%3), base.Add(time.Duration(i)*time.Minute))
		if i%2 == 0 {
			r.Deadline = start.Add(time.Hour)
			expired = append(expired, r)
		} else {
			kept = append(kept, r)
		}
		require.NoError(t, s.Record(ctx(t), r))
	}
	clk.Set(start.Add(2 * time.Hour))
	res, err := s.Purge(ctx(t), start.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, len(expired), res.Deleted)

	left, lost := remnantsOf(t, s, f, recordValues(expired), recordValues(kept))
	assert.Empty(t, left, "found of the purged records")
	assert.Empty(t, lost, "not found of the kept records: the scan does not see the data")
}
