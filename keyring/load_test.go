package keyring_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
)

const (
	kekHex   = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	indexHex = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
)

// sameKEK checks that a KEK loaded from kekHex opens what a StaticKEK of
// those bytes wrapped.
func sameKEK(t *testing.T, k keyring.KEK) {
	t.Helper()
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i)
	}
	want, err := keyring.NewStaticKEK(raw)
	require.NoError(t, err)
	wrapped, err := want.WrapKey(context.Background(), []byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	got, err := k.UnwrapKey(context.Background(), wrapped)
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", string(got))
}

func TestFromEnv(t *testing.T) {
	t.Setenv(keyring.EnvKEK, kekHex)
	t.Setenv(keyring.EnvIndexKey, " "+indexHex+"\n")
	keys, err := keyring.FromEnv()
	require.NoError(t, err)
	sameKEK(t, keys.KEK)
	assert.Len(t, keys.IndexKey, 32)
	assert.Equal(t, byte(0x1f), keys.IndexKey[0])

	for _, tc := range []struct{ name, kek, index, names string }{
		{"no KEK", "", indexHex, keyring.EnvKEK},
		{"KEK not hex", "zz" + kekHex[2:], indexHex, keyring.EnvKEK},
		{"short KEK", kekHex[:62], indexHex, keyring.EnvKEK},
		{"long KEK", kekHex + "00", indexHex, keyring.EnvKEK},
		{"no index key", kekHex, "", keyring.EnvIndexKey},
		{"short index key", kekHex, indexHex[:60], keyring.EnvIndexKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(keyring.EnvKEK, tc.kek)
			t.Setenv(keyring.EnvIndexKey, tc.index)
			_, err := keyring.FromEnv()
			require.ErrorIs(t, err, advox.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.names)
			assert.NotContains(t, err.Error(), kekHex[10:30], "the key is never echoed")
			assert.NotContains(t, err.Error(), indexHex[10:30], "the key is never echoed")
		})
	}
}

func TestFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "advox.env")
	require.NoError(t, os.WriteFile(path, []byte("# advox keys\n\nOTHER=x\nexport ADVOX_KEK="+kekHex+"\nADVOX_INDEX_KEY=\""+indexHex+"\"\n"), 0o600))
	keys, err := keyring.FromFile(path)
	require.NoError(t, err)
	sameKEK(t, keys.KEK)
	assert.Len(t, keys.IndexKey, 32)

	require.NoError(t, os.WriteFile(path, []byte("ADVOX_KEK="+kekHex+"\n"), 0o600))
	_, err = keyring.FromFile(path)
	require.ErrorIs(t, err, advox.ErrInvalidArgument)
	assert.Contains(t, err.Error(), keyring.EnvIndexKey)
	assert.NotContains(t, err.Error(), kekHex[10:30])

	_, err = keyring.FromFile(filepath.Join(t.TempDir(), "missing.env"))
	assert.ErrorIs(t, err, advox.ErrInvalidArgument)
}

// Keys never print their keys, whichever way they are formatted or logged.
func TestKeysNeverPrinted(t *testing.T) {
	t.Setenv(keyring.EnvKEK, kekHex)
	t.Setenv(keyring.EnvIndexKey, indexHex)
	keys, err := keyring.FromEnv()
	require.NoError(t, err)
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("loaded", "keys", keys)
	for _, s := range []string{fmt.Sprint(keys), fmt.Sprintf("%v %+v %#v %s", keys, keys, keys, keys), log.String()} {
		assert.Contains(t, s, "redacted")
		assert.NotContains(t, s, "31 30 29", "index key bytes")
		assert.NotContains(t, s, "[31 30")
	}
}

// FuzzFromFile: an env file of any content is read without a panic; what
// it refuses is an ErrInvalidArgument that never quotes the file, and what
// it accepts is a KEK and an index key of the lengths required.
func FuzzFromFile(f *testing.F) {
	for _, s := range []string{
		"ADVOX_KEK=" + kekHex + "\nADVOX_INDEX_KEY=" + indexHex + "\n",
		"# c\n\nexport ADVOX_KEK=\"" + kekHex + "\"\nADVOX_INDEX_KEY='" + indexHex + "'\r\n",
		"=\n==\nA\nB=\n", "ADVOX_KEK=zz\n", strings.Repeat("A=1\n", 100), "\x00=\xff\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "advox.env")
	f.Fuzz(func(t *testing.T, b []byte) {
		require.NoError(t, os.WriteFile(path, b, 0o600))
		keys, err := keyring.FromFile(path)
		if err != nil {
			require.ErrorIs(t, err, advox.ErrInvalidArgument)
			if len(b) >= 16 {
				assert.NotContains(t, err.Error(), string(b))
			}
			return
		}
		assert.GreaterOrEqual(t, len(keys.IndexKey), keyring.MinIndexKeyLen)
		assert.NotNil(t, keys.KEK)
	})
}
