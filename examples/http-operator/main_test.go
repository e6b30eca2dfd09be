package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example runs end to end with every profile and prints what its
// package comment promises: a throttled first submit retried safely, both
// messages delivered, numbers masked.
func TestRun(t *testing.T) {
	// The two recipients, written out in any form.
	fullNumber := regexp.MustCompile(`(\+46|\b0)70-?1234567|070-123 45 67|(\+46|\b0)70-?7654321|70 765 43 21`)
	for name := range profiles {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			require.NoError(t, run(context.Background(), name, &out))
			got := out.String()
			assert.Regexp(t, `(?m)^sent \w+: 1 segment\(s\), gsm7, 2 attempt\(s\)`, got)
			assert.Equal(t, 2, strings.Count(got, ": delivered\n"), got)
			assert.Contains(t, got, "+4670*****67")
			assert.Contains(t, got, "== operator: 3 submit request(s), 2 accepted")
			assert.Empty(t, fullNumber.FindAllString(got, -1), "unmasked number printed")
		})
	}
	require.Error(t, run(context.Background(), "nope", &strings.Builder{}))
}
