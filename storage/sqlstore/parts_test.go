package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

func TestPartsCodec(t *testing.T) {
	created := time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)
	tests := []struct {
		name  string
		parts []storage.Part
	}{
		{"none", nil},
		{"one accepted", []storage.Part{{OperatorID: "op-1", Status: transport.StatusAccepted, UpdatedAt: created}}},
		{"no operator id, zero time", []storage.Part{{Status: transport.StatusUnknown}}},
		{"several, times before and after creation", []storage.Part{
			{OperatorID: "a", Status: transport.StatusDelivered, UpdatedAt: created.Add(90 * time.Second)},
			{OperatorID: "b", Status: transport.StatusUndeliverable, ErrorCode: "0x0000000b", UpdatedAt: created.Add(-time.Nanosecond)},
			{OperatorID: "c", Status: transport.StatusEnroute, UpdatedAt: created.AddDate(1, 0, 0)},
		}},
		{"a status this version does not know", []storage.Part{{OperatorID: "x", Status: "quarantined", UpdatedAt: created}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := encodeParts(nil, tt.parts, created)
			got, err := decodeParts(b, created)
			require.NoError(t, err)
			require.Len(t, got, len(tt.parts))
			for i, p := range tt.parts {
				assert.Equal(t, p.OperatorID, got[i].OperatorID)
				assert.Equal(t, p.Status, got[i].Status)
				assert.Equal(t, p.ErrorCode, got[i].ErrorCode)
				assert.True(t, p.UpdatedAt.Equal(got[i].UpdatedAt), "part %d: %v became %v", i, p.UpdatedAt, got[i].UpdatedAt)
			}
		})
	}
	one := encodeParts(nil, tests[1].parts, created)
	assert.LessOrEqual(t, len(one), 2+1+1+len("op-1")+1+1, "a one-part record costs a few bytes beyond its operator id")

	for _, bad := range [][]byte{nil, {}, {2, 0}, {1, 1}, {1, 1, 99, 0, 0, 0}, {1, 1, 1, 5, 'a'}, append(one, 0)} {
		_, err := decodeParts(bad, created)
		assert.ErrorIs(t, err, errBadParts, "%x", bad)
	}

	// The status bytes are the stored format: they never move, and every
	// status of the vocabulary has one. (They were the positions in
	// transport.Statuses, a slice any importer could reorder.)
	for i, s := range []transport.Status{"unknown", "accepted", "enroute", "delivered", "expired", "deleted", "undeliverable", "rejected"} {
		assert.Equal(t, byte(i+1), statusCode[s], s)
	}
	for _, s := range transport.Statuses() {
		assert.NotZero(t, statusCode[s], "%s is stored as a byte", s)
	}
}

// FuzzDecodeParts: a parts column read from the database is outside
// input (a damaged or altered file). Decoding never panics, and what
// decodes encodes back to something that decodes the same.
func FuzzDecodeParts(f *testing.F) {
	created := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	f.Add(encodeParts(nil, []storage.Part{{OperatorID: "op-1", Status: transport.StatusAccepted, UpdatedAt: created}}, created))
	f.Add(encodeParts(nil, []storage.Part{{Status: "new-status", ErrorCode: "e"}, {OperatorID: "x"}}, created))
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{1, 1, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := decodeParts(b, created)
		if err != nil {
			return
		}
		again, err := decodeParts(encodeParts(nil, parts, created), created)
		if err != nil {
			t.Fatalf("re-encoded parts do not decode: %v", err)
		}
		if len(again) != len(parts) {
			t.Fatalf("%d parts became %d", len(parts), len(again))
		}
		for i := range parts {
			if parts[i].OperatorID != again[i].OperatorID || parts[i].Status != again[i].Status ||
				parts[i].ErrorCode != again[i].ErrorCode || !parts[i].UpdatedAt.Equal(again[i].UpdatedAt) {
				t.Fatalf("part %d: %+v became %+v", i, parts[i], again[i])
			}
		}
	})
}
