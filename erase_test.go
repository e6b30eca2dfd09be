package advox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
	"github.com/azenna/advox/transport/memtransport"
)

// TestEraseReachesBackups: a copy of the traffic database taken before an
// erase, restored and read by a Client that holds the same KEK, no longer
// yields the erased account's numbers (its key lived in the keys file,
// which the copy does not include), while other accounts stay readable.
func TestEraseReachesBackups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traffic.db")
	ctx := context.Background()
	open := func(path string, opts *sqlstore.Options) (*advox.Client, *sqlstore.Store) {
		st, err := sqlite.Open(ctx, path, opts)
		require.NoError(t, err)
		c, err := advox.NewClient(memtransport.New(nil), st, &advox.Options{KEK: kek(t), IndexKey: indexKey})
		require.NoError(t, err)
		return c, st
	}
	c, st := open(path, nil)
	erased := send(t, c, "acct-e", "+46701234567", "hej")
	kept := send(t, c, "acct-k", "+46707654321", "hej")
	require.NoError(t, c.Close())
	require.NoError(t, st.Close())
	data, err := os.ReadFile(path) // closed: everything is in the main file
	require.NoError(t, err)
	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, os.WriteFile(backup, data, 0o600))

	c, st = open(path, nil)
	_, err = c.EraseAccountTraffic(ctx, "acct-e", advox.EraseOnRequest)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, st.Close())

	// The backup restored beside the live keys file.
	c, st = open(backup, &sqlstore.Options{KeysPath: path + ".keys"})
	defer st.Close()
	defer c.Close()
	_, err = c.Status(ctx, advox.PurposeTroubleshoot, erased.ID)
	assert.Equal(t, advox.CodeErased, advox.CodeOf(err), "the backup's copy of an erased account is unreadable: %v", err)
	r, err := c.Status(ctx, advox.PurposeTroubleshoot, kept.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number("+46707654321"), r.To)
}

// keysWith is a store that says where it keeps its keys.
type keysWith struct {
	*memstore.Store
	apart bool
}

func (k keysWith) KeysApart() bool { return k.apart }

func TestEraseCryptoShredsThenDeletes(t *testing.T) {
	trail := &testkit.AuditLog{}
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey, Auditor: trail})
	var ids []string
	for i := range 20 {
		ids = append(ids, send(t, c, "acct-x", fmt.Sprintf("+4670123%04d", i), "x").ID)
	}
	keep := send(t, c, "acct-y", to, "y")
	backup, err := st.Get(context.Background(), ids[0]) // a copy taken before the erase
	require.NoError(t, err)

	rep, err := c.EraseAccountTraffic(context.Background(), "acct-x", advox.EraseOnRequest)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.KeysDestroyed)
	assert.Equal(t, 20, rep.Records)
	assert.Less(t, rep.UnreadableAfter, time.Second)

	for _, id := range ids {
		_, err := c.Status(context.Background(), advox.PurposeTroubleshoot, id)
		assert.ErrorIs(t, err, advox.ErrNotFound)
	}
	for _, err := range c.Records(context.Background(), advox.PurposeTroubleshoot, storage.Query{Account: "acct-x"}) {
		t.Fatalf("a record survived the erase (err %v)", err)
	}
	for _, err := range c.FindByRecipient(context.Background(), advox.PurposeTroubleshoot, "acct-x", "+46701230000", time.Time{}, time.Time{}) {
		t.Fatalf("a lookup by number found erased traffic (err %v)", err)
	}
	u, err := c.Usage(context.Background(), advox.PurposeBill, "acct-x", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 20, u.Messages, "billing survives as aggregates")

	// The copy taken before is unreadable: its key is gone, and the store
	// refuses to take it back.
	_, err = st.Key(context.Background(), backup.Recipient.KeyID)
	assert.ErrorIs(t, err, storage.ErrErased, "the data key of the copy is destroyed")
	err = st.Record(context.Background(), backup)
	assert.ErrorIs(t, err, storage.ErrErased, "a restored copy is refused")

	_, err = c.Status(context.Background(), advox.PurposeTroubleshoot, keep.ID)
	assert.NoError(t, err, "other accounts are untouched")

	// New traffic after the erase gets a new key and is readable.
	after := send(t, c, "acct-x", to, "after")
	rec, err := c.Status(context.Background(), advox.PurposeTroubleshoot, after.ID)
	require.NoError(t, err)
	assert.Equal(t, phone.Number(to), rec.To)
	assert.Contains(t, trail.Actions(), "erase:customer-request")

	_, err = c.EraseAccountTraffic(context.Background(), "acct-x", "because")
	assert.ErrorIs(t, err, advox.ErrInvalidArgument, "reasons are a closed set")
}

// TestEraseUnderConcurrentSends: sends racing an erase are either erased
// with it or recorded after it, readable under the new key; nothing sent
// before the erase began survives.
func TestEraseUnderConcurrentSends(t *testing.T) {
	c, st := newClient(t, memtransport.New(nil), &advox.Options{KEK: kek(t), IndexKey: indexKey})
	var before []string
	for range 50 {
		before = append(before, send(t, c, "acct-c", to, "before").ID)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.Send(context.Background(), advox.Message{Account: "acct-c", From: "Advox", To: to, Text: "during"})
				assert.NoError(t, err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	_, err := c.EraseAccountTraffic(context.Background(), "acct-c", advox.EraseOnRequest)
	require.NoError(t, err)
	close(stop)
	wg.Wait()

	for _, id := range before {
		_, err := st.Get(context.Background(), id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "traffic from before the erase survived")
	}
	n := 0
	for r, err := range c.Records(context.Background(), advox.PurposeTroubleshoot, storage.Query{Account: "acct-c"}) {
		require.NoError(t, err, "every surviving record was recorded after the erase, under the new key")
		assert.Equal(t, phone.Number(to), r.To)
		n++
	}
	t.Logf("%d sends recorded after the erase", n)
}

// keyOrder is a KeyStore kept apart from the traffic store that records
// the order of destroy and erase calls.
type keyOrder struct {
	storage.KeyStore
	log  *[]string
	mu   *sync.Mutex
	fail error
}

func (k keyOrder) DestroyKeys(ctx context.Context, account string) (int, error) {
	k.mu.Lock()
	*k.log = append(*k.log, "destroy keys")
	k.mu.Unlock()
	if k.fail != nil {
		return 0, k.fail
	}
	return k.KeyStore.DestroyKeys(ctx, account)
}

type eraseOrder struct {
	storage.TrafficStore
	log *[]string
	mu  *sync.Mutex
}

func (e eraseOrder) EraseAccount(ctx context.Context, account string) (int, error) {
	e.mu.Lock()
	*e.log = append(*e.log, "erase records")
	e.mu.Unlock()
	return e.TrafficStore.EraseAccount(ctx, account)
}

func TestEraseEveryStoreKeysFirstIdempotent(t *testing.T) {
	ctx := context.Background()
	var calls []string
	var mu sync.Mutex
	traffic := memstore.New(nil)
	keys := traffic // memstore checks records against its own keyring
	c, err := advox.NewClient(memtransport.New(nil), eraseOrder{traffic, &calls, &mu},
		&advox.Options{KEK: kek(t), IndexKey: indexKey, Keys: keyOrder{KeyStore: keys, log: &calls, mu: &mu}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	var ids []string
	for i := range 3 {
		ids = append(ids, send(t, c, "acct-z", fmt.Sprintf("+4670555%04d", i), "x").ID)
	}
	stored, err := traffic.Get(ctx, ids[0])
	require.NoError(t, err)

	rep, err := c.EraseAccountTraffic(ctx, "acct-z", advox.EraseAccountClosed)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Records)
	assert.Equal(t, 1, rep.KeysDestroyed)
	assert.Equal(t, []string{"destroy keys", "erase records"}, calls, "keys are destroyed first")
	_, err = keys.Key(ctx, stored.Recipient.KeyID)
	assert.ErrorIs(t, err, storage.ErrErased, "the key is gone from the key store")
	for _, id := range ids {
		_, err := traffic.Get(ctx, id)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the record is gone from the traffic store")
	}

	again, err := c.EraseAccountTraffic(ctx, "acct-z", advox.EraseAccountClosed)
	require.NoError(t, err, "erase is idempotent")
	assert.Zero(t, again.Records)
	assert.Zero(t, again.KeysDestroyed)
	u, err := c.Usage(ctx, advox.PurposeBill, "acct-z", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, u.Messages, "aggregates survive both erases, counted once")
}

func TestEraseTypedErrors(t *testing.T) {
	ctx := context.Background()
	var calls []string
	var mu sync.Mutex
	traffic := memstore.New(nil)
	keys := traffic
	failing := keyOrder{KeyStore: keys, log: &calls, mu: &mu, fail: fmt.Errorf("kms down: %w", storage.ErrUnavailable)}
	c, err := advox.NewClient(memtransport.New(nil), traffic, &advox.Options{KEK: kek(t), IndexKey: indexKey, Keys: failing})
	require.NoError(t, err)
	r := send(t, c, "acct-t", to, "x")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		account string
		reason  advox.EraseReason
		want    error
	}{
		{"empty account", ctx, "", advox.EraseOnRequest, advox.ErrInvalidArgument},
		{"personnummer as account", ctx, "19121212-1212", advox.EraseOnRequest, advox.ErrPersonalNumber},
		{"free-text reason", ctx, "acct-t", "gdpr", advox.ErrInvalidArgument},
		{"key store down: nothing deleted", ctx, "acct-t", advox.EraseOnRequest, advox.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.EraseAccountTraffic(tt.ctx, tt.account, tt.reason)
			require.ErrorIs(t, err, tt.want)
			var e *advox.Error
			require.ErrorAs(t, err, &e)
			assert.NotContains(t, err.Error(), "19121212")
		})
	}
	_, err = traffic.Get(ctx, r.ID)
	assert.NoError(t, err, "records stay while their keys could not be destroyed")
	_, err = c.EraseAccountTraffic(canceled, "acct-t", advox.EraseOnRequest)
	assert.True(t, errors.Is(err, context.Canceled) || errors.Is(err, advox.ErrUnavailable), "got %v", err)

	require.NoError(t, c.Close())
	_, err = c.EraseAccountTraffic(ctx, "acct-t", advox.EraseOnRequest)
	assert.ErrorIs(t, err, advox.ErrClosed)
	assert.False(t, strings.Contains(fmt.Sprint(calls), "erase records"))
}

// failingErase is a store whose record deletion fails after the keys went.
type failingErase struct {
	*memstore.Store
}

func (f failingErase) EraseAccount(context.Context, string) (int, error) {
	return 0, fmt.Errorf("disk full: %w", storage.ErrUnavailable)
}

// An erase whose record deletion failed is not logged as done: the keys
// are gone, the records left, and the error says so.
func TestEraseFailureIsNotLoggedAsDone(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	c, err := advox.NewClient(memtransport.New(nil), failingErase{memstore.New(nil)}, &advox.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	send(t, c, "acct-x", to, "x")
	rep, err := c.EraseAccountTraffic(context.Background(), "acct-x", advox.EraseOnRequest)
	require.Error(t, err)
	assert.Equal(t, 1, rep.KeysDestroyed, "the records are unreadable all the same")
	assert.Contains(t, buf.String(), "erase incomplete")
	assert.NotContains(t, buf.String(), "account traffic erased")
}

// EraseAccountTraffic destroys the account's data key first, so every copy
// of its traffic is unreadable at once, then deletes the records, keeping
// only aggregate usage for billing.
func ExampleClient_EraseAccountTraffic() {
	ctx := context.Background()
	client, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for range 3 {
		if _, err := client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"}); err != nil {
			log.Fatal(err)
		}
	}
	rep, err := client.EraseAccountTraffic(ctx, "acme", advox.EraseOnRequest)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("keys destroyed:", rep.KeysDestroyed, "records deleted:", rep.Records)

	n := 0
	for range client.Records(ctx, advox.PurposeTroubleshoot, storage.Query{Account: "acme"}) {
		n++
	}
	u, _ := client.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{})
	fmt.Println("records left:", n, "messages still billed:", u.Messages)
	// Output:
	// keys destroyed: 1 records deleted: 3
	// records left: 0 messages still billed: 3
}
