package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestRetentionWalkthrough(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out strings.Builder
	require.NoError(t, run(context.Background(), &out))
	checkWalkthrough(t, out.String())
}

// checkWalkthrough checks that the printed walkthrough says what the
// package comment promises, each purge under the heading of the step that
// ran it.
func checkWalkthrough(t *testing.T, got string) {
	t.Helper()
	for _, want := range []string{
		"== the enforcer ran (2026-05-01)\npurge: 0 record(s) deleted",
		"== the enforcer ran (2026-07-01)\npurge: 1 record(s) deleted",
		"acme   3 record(s) readable, of which past their deadline but held by an unpaid invoice: [Jan 31 Jan 31]",
		"== the enforcer ran (2026-08-01)\npurge: 1 record(s) deleted",
		"== after the partial payment (2026-08-15)\nacme   2 record(s) readable, of which past their deadline but held by an unpaid invoice",
		"== after settlement (2026-09-01)\npurge: 2 record(s) deleted; oldest remaining deadline: none\nacme   0 record(s) readable",
		"== after the erase (2026-09-02)\nacme   1 record(s) readable; usage on record: 1 message(s)\nglobex 0 record(s) readable; usage on record: 2 message(s)",
		"support looking up globex's recipient: 0 record(s) found",
	} {
		assert.Contains(t, got, want)
	}
}
