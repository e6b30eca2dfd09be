package advox_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/storage/sqlstore"
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
		st, err := sqlstore.OpenSQLite(path, opts)
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

// TestKeysInTrafficDatabase: NewClient refuses a store whose own keyring
// would travel with its backups, unless told to accept it (then it warns),
// and takes a store that keeps them apart, or a keyring of the
// application's, as they are.
func TestKeysInTrafficDatabase(t *testing.T) {
	tests := []struct {
		name            string
		apart, accepted bool
		keys            bool // a KeyStore of the application's
		wantErr, warns  bool
	}{
		{name: "apart", apart: true},
		{name: "together", wantErr: true},
		{name: "together, accepted", accepted: true, warns: true},
		// A store that reports where its keys are (sqlstore) records only
		// under its own keyring: a keyring apart would fail every record.
		{name: "together, own keyring", keys: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			opts := &advox.Options{KEK: kek(t), IndexKey: indexKey, KeysInTrafficDatabase: tt.accepted, Logger: slog.New(slog.NewTextHandler(&buf, nil))}
			if tt.keys {
				opts.Keys = memstore.New(nil)
			}
			c, err := advox.NewClient(memtransport.New(nil), keysWith{memstore.New(nil), tt.apart}, opts)
			if tt.wantErr {
				assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
				return
			}
			require.NoError(t, err)
			require.NoError(t, c.Close())
			assert.Equal(t, tt.warns, strings.Contains(buf.String(), "backups stay readable"))
		})
	}
}
