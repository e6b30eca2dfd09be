// Package testlog holds what the library's tests share about logs: a
// reader of JSON log lines that keeps duplicated keys visible, and the
// TestMain that scans everything a test binary logged for phone numbers.
// Not for users.
package testlog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// JSONLines decodes every JSON log line in b, keeping duplicated keys
// visible: each line is decoded key by key, and each key maps to every
// value it had.
func JSONLines(t testing.TB, b *bytes.Buffer) []map[string][]any {
	t.Helper()
	var out []map[string][]any
	for line := range strings.Lines(b.String()) {
		dec := json.NewDecoder(strings.NewReader(line))
		_, err := dec.Token() // {
		require.NoError(t, err)
		m := map[string][]any{}
		for dec.More() {
			k, err := dec.Token()
			require.NoError(t, err)
			var v any
			require.NoError(t, dec.Decode(&v))
			m[k.(string)] = append(m[k.(string)], v)
		}
		out = append(out, m)
	}
	return out
}
