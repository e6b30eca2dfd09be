package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// t0 is a fixed instant on a whole microsecond.
var t0 = time.Date(2026, 2, 3, 4, 5, 6, 789000000, time.UTC)

// testRecord is a record of account with one accepted part per operator
// id, created at created and kept for a year after t0. Its recipient is
// stand-in ciphertext under no key.
func testRecord(id, account string, created time.Time, opIDs ...string) storage.Record {
	r := storage.Record{
		ID: id, Account: account, Transport: "test", From: "Advox",
		Recipient: storage.Sealed{Data: []byte("sealed:" + id)}, RecipientIndex: []byte("index:" + account),
		Encoding: transport.GSM7, Segments: len(opIDs),
		CreatedAt: created, UpdatedAt: created, Deadline: t0.AddDate(1, 0, 0),
	}
	for _, op := range opIDs {
		r.Parts = append(r.Parts, storage.Part{OperatorID: op, Status: transport.StatusAccepted, UpdatedAt: created})
	}
	r.Status = storage.OverallOf(r.Parts)
	return r
}

// sealedRecord stores a data key for account in s (id keyID, wrapped key
// wrapped, created at t0) and returns it with a test record of the
// account, id msg, sealed under it and not yet recorded.
func sealedRecord(t testing.TB, ctx context.Context, s *Store, keyID, account, wrapped, msg string) (storage.DataKey, storage.Record) {
	t.Helper()
	key, err := s.EnsureKey(ctx, storage.DataKey{ID: keyID, Account: account, Wrapped: []byte(wrapped), CreatedAt: t0})
	require.NoError(t, err)
	r := testRecord(msg, account, t0, "op-"+msg)
	r.Recipient.KeyID = key.ID
	return key, r
}

// clockAt is a store clock fixed at t.
func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func idOf(prefix string, i int) string { return fmt.Sprintf("%s-%05d", prefix, i) }
