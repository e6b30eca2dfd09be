package transporttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

// testLinker checks an adapter that is a transport.Linker: its link comes
// up, announcing it, a submit made after FailFast while the link is up
// goes through, and Close takes the link down, announcing that too.
func testLinker(t *testing.T, h Harness, tr transport.Transport, f Features) {
	l, ok := tr.(transport.Linker)
	if !ok {
		t.Skip("the adapter is not a transport.Linker")
	}
	ctx := withTimeout(t, f)
	up, changed := l.Link()
	require.NotNil(t, changed, "Link returns a channel")
	for !up {
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatal("the link never came up")
		}
		up, changed = l.Link()
	}
	l.FailFast()
	l.FailFast() // twice is harmless
	m := message("over a link", transport.GSM7)
	_, err := tr.Submit(ctx, m)
	require.NoError(t, err, "failing fast changes nothing while the link is up")
	waitReceived(t, h, m.To, f)

	require.NoError(t, tr.Close())
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("Close did not announce the end of the link")
	}
	up, _ = l.Link()
	assert.False(t, up, "a closed transport has no link")
}
