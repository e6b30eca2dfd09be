package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
)

// TestEraseReachesListedAndUnlisted erases, in chunks smaller than the
// account's listed records, an account that also has newer records not
// yet listed (SQLite, listing.go): a chunk deletes from both halves, and
// the next chunk must not start past the listed records it left.
func TestEraseReachesListedAndUnlisted(t *testing.T) {
	s := newSQLite(t, &Options{EraseChunk: 4, Now: clockAt(t0)})
	ctx := testCtx(t)
	setListEvery(t, s, 1000)
	var listed []storage.Record
	for i := range 10 {
		listed = append(listed, testRecord(idOf("l", i), "acct", t0.Add(time.Duration(i)*time.Second), "op"))
	}
	require.NoError(t, s.Record(ctx, listed...)) // the first insert lists what is waiting
	require.NoError(t, s.Record(ctx, testRecord("tail", "acct", t0.Add(time.Hour), "op")))

	n, err := s.EraseAccount(ctx, "acct")
	require.NoError(t, err)
	assert.Equal(t, 11, n, "every record of the account erased")
	assert.Empty(t, collectIDs(t, s, storage.Query{Account: "acct"}))
	var left int
	require.NoError(t, s.rdb.QueryRow("SELECT COUNT(*) FROM advox_records WHERE account = 'acct'").Scan(&left))
	assert.Zero(t, left, "records of the erased account left in the database")
	u, err := s.Usage(ctx, "acct", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 11, u.Messages, "the aggregate counts each record once")
}
