package advox_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// TestDefaultAuditQuietAndShared: with no Auditor, the Client, Retention
// and Accounts write their audit events to their logger at
// DefaultAuditLevel — nothing at slog's default Info, all of it at debug —
// one default for all three. Broke: the Client audited at Info into
// slog.Default, Accounts audited nothing.
func TestDefaultAuditQuietAndShared(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
			ctx := ctxT(t)
			accts, err := accounts.New(memstore.NewAccounts(), &accounts.Options{Logger: log})
			require.NoError(t, err)
			c, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), &advox.Options{Logger: log, Accounts: accts})
			require.NoError(t, err)
			defer c.Close()
			_, err = accts.Create(ctx, customer("acme"))
			require.NoError(t, err)
			_, err = accts.Disclose(ctx, "acme", "partner-7", accounts.DisclosureSupport) // refused: no consent
			require.ErrorIs(t, err, advox.ErrNoConsent)
			_, err = c.Usage(ctx, advox.PurposeBill, "acme", time.Time{}, time.Time{})
			require.NoError(t, err)
			_, err = advox.NewRetention(memstore.New(nil), &advox.RetentionOptions{Logger: log}).PurgeNow(ctx)
			require.NoError(t, err)

			var audits []string
			for _, l := range testkit.JSONLines(t, &buf) {
				if l["msg"][0] == "advox audit" {
					audits = append(audits, l["action"][0].(string))
					assert.Equal(t, []any{"DEBUG"}, l["level"])
				}
			}
			if level == slog.LevelInfo {
				assert.Empty(t, audits, "quiet at Info")
				return
			}
			assert.Equal(t, []string{"create account", "disclose: technical-support", "usage", "purge"}, audits)
		})
	}
}

// persistentStore hides memstore's InMemory, standing in for a store whose
// traffic and keys outlive the process.
type persistentStore struct {
	storage.TrafficStore
	keys storage.KeyStore
}

func (p persistentStore) EnsureKey(ctx context.Context, k storage.DataKey) (storage.DataKey, error) {
	return p.keys.EnsureKey(ctx, k)
}
func (p persistentStore) Key(ctx context.Context, id string) (storage.DataKey, error) {
	return p.keys.Key(ctx, id)
}
func (p persistentStore) DestroyKeys(ctx context.Context, account string) (int, error) {
	return p.keys.DestroyKeys(ctx, account)
}

// TestNoKEKWarningOnlyWhenSomethingOutlivesTheProcess: without a KEK,
// sealed traffic is unreadable after a restart; worth a warning only when
// the store keeps it past one. Broke: memstore got the warning too.
func TestNoKEKWarningOnlyWhenSomethingOutlivesTheProcess(t *testing.T) {
	for _, tt := range []struct {
		name  string
		store func() storage.TrafficStore
		warn  bool
	}{
		{"memstore", func() storage.TrafficStore { return memstore.New(nil) }, false},
		{"persistent", func() storage.TrafficStore { m := memstore.New(nil); return persistentStore{m, m} }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c, err := advox.NewClient(memtransport.New(nil), tt.store(), &advox.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
			require.NoError(t, err)
			require.NoError(t, c.Close())
			assert.Equal(t, tt.warn, strings.Contains(buf.String(), "no KEK"), buf.String())
		})
	}
}
