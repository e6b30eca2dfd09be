package wire

import (
	"net"
	"sync"
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriterBatchesWholePDUs(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	w := NewWriter(client, 0)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, w.Write(frame(pdu.EnquireLinkID, uint32(i+1), nil)))
		}()
	}
	seen := map[uint32]bool{}
	for range n {
		h, _, err := Read(server)
		require.NoError(t, err)
		seen[h.Seq] = true
	}
	wg.Wait()
	assert.Len(t, seen, n, "every PDU arrives whole")

	require.NoError(t, client.Close())
	assert.Error(t, w.Write(frame(pdu.EnquireLinkID, 99, nil)))
	assert.Error(t, w.Write(frame(pdu.EnquireLinkID, 100, nil)), "the error sticks")
}
