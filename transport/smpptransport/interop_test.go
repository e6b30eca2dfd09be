package smpptransport

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/nodesmpp"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
)

// moSMSCScript is an SMSC on node-smpp that delivers messages from
// handsets on command: each stdin line is a JSON deliver_sm (hex for the
// octet fields), sent on the bound session; it prints the command_status
// of the answer. It prints "listening PORT" once up and "bound" once a
// session bound.
const moSMSCScript = `
const smpp = require('smpp');
const readline = require('readline');
let session = null;
const server = smpp.createServer(s => {
	s.on('error', () => {});
	s.on('bind_transceiver', pdu => { s.send(pdu.response({system_id: 'node-smpp'})); session = s; console.log('bound'); });
	s.on('enquire_link', pdu => s.send(pdu.response()));
	s.on('unbind', pdu => { s.send(pdu.response()); s.close(); });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
readline.createInterface({input: process.stdin}).on('line', line => {
	const m = JSON.parse(line);
	const pdu = {source_addr_ton: 1, source_addr_npi: 1, source_addr: m.from,
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: m.to,
		esm_class: m.esm, data_coding: m.coding};
	if (m.short) pdu.short_message = Buffer.from(m.short, 'hex');
	if (m.payload) pdu.message_payload = Buffer.from(m.payload, 'hex');
	if (m.sar) { pdu.sar_msg_ref_num = m.sar[0]; pdu.sar_total_segments = m.sar[1]; pdu.sar_segment_seqnum = m.sar[2]; }
	session.deliver_sm(pdu, resp => console.log('status ' + resp.command_status));
}).on('close', () => process.exit(0));
`

// TestNodeSMPPInbound has node-smpp, an SMPP implementation the project
// did not write, deliver messages from handsets — parts with 8- and
// 16-bit headers, SAR TLVs, message_payload, UCS-2 with a surrogate pair
// split across parts, Latin-1 — to the transport, and checks both what
// the inbound handler got and the command_status node-smpp read in each
// deliver_sm_resp (ESME_RX_T_APPN when the handler failed). It runs only
// with ADVOX_NODE_SMPP=1, node and npm on PATH (npm installs node-smpp
// outside the repository).
func TestNodeSMPPInbound(t *testing.T) {
	if os.Getenv("ADVOX_NODE_SMPP") != "1" {
		t.Skip("set ADVOX_NODE_SMPP=1 to run against node-smpp (needs node and npm)")
	}
	node := nodesmpp.Start(t, nodesmpp.Modules(t), moSMSCScript)
	stdin, out := node.In, node.Out

	tr := newTransport(t, Config{Addr: node.Addr, SystemID: "advox", Password: "x", Backoff: fastBackoff, Logger: quiet})
	var mu sync.Mutex
	var got []transport.Inbound
	fail := false
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("store down")
		}
		got = append(got, m)
		return nil
	})
	require.True(t, out.Scan(), "never bound")
	require.Equal(t, "bound", out.Text())
	waitBound(t, tr)

	type mo struct {
		From    string `json:"from"`
		To      string `json:"to"`
		ESM     int    `json:"esm"`
		Coding  int    `json:"coding"`
		Short   string `json:"short,omitempty"`
		Payload string `json:"payload,omitempty"`
		SAR     []int  `json:"sar,omitempty"`
	}
	deliver := func(m mo) string {
		m.From, m.To = "46701234567", "46766860000"
		b, err := json.Marshal(m)
		require.NoError(t, err)
		_, err = fmt.Fprintln(stdin, string(b))
		require.NoError(t, err)
		require.True(t, out.Scan(), "node-smpp gone")
		return out.Text()
	}
	take := func() []transport.Inbound {
		mu.Lock()
		defer mu.Unlock()
		g := got
		got = nil
		return g
	}
	hexOf := func(b ...[]byte) string {
		var all []byte
		for _, x := range b {
			all = append(all, x...)
		}
		return hex.EncodeToString(all)
	}
	ucs := wire.UTF16BE("a😀b") // a, D83D | DE00, b

	cases := []struct {
		name  string
		mos   []mo
		want  string
		width transport.Concat
	}{
		{"UDH 8-bit, out of order", []mo{
			{ESM: 0x40, Short: hexOf([]byte{5, 0, 3, 7, 2, 2}, []byte("world"))},
			{ESM: 0x40, Short: hexOf([]byte{5, 0, 3, 7, 2, 1}, []byte("hello "))},
		}, "hello world", transport.Concat8},
		{"UDH 16-bit, UCS-2 pair split", []mo{
			{ESM: 0x40, Coding: 8, Short: hexOf([]byte{6, 8, 4, 1, 2, 2, 1}, ucs[:4])},
			{ESM: 0x40, Coding: 8, Short: hexOf([]byte{6, 8, 4, 1, 2, 2, 2}, ucs[4:])},
		}, "a😀b", transport.Concat16},
		{"SAR", []mo{
			{Short: hexOf([]byte("sar ")), SAR: []int{300, 2, 1}},
			{Short: hexOf([]byte("parts")), SAR: []int{300, 2, 2}},
		}, "sar parts", transport.Concat16},
		{"message_payload, Latin-1", []mo{{Coding: 3, Payload: hexOf([]byte{'p', 0xE5, ' ', 'l', 0xE5, 'n', 'g'})}}, "på lång", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range c.mos {
				assert.Equal(t, "status 0", deliver(m), "taken")
			}
			parts := take()
			require.Len(t, parts, len(c.mos))
			byseq := make([]transport.Inbound, len(parts))
			for _, p := range parts {
				assert.Empty(t, p.Malformed)
				assert.Equal(t, "+46701234567", p.From)
				assert.Equal(t, "+46766860000", p.To)
				assert.Equal(t, c.width, p.RefWidth)
				i := max(p.Seq, 1) - 1
				byseq[i] = p
			}
			text, err := transport.JoinText(byseq)
			require.NoError(t, err)
			assert.Equal(t, c.want, text)
		})
	}
	t.Run("handler error", func(t *testing.T) {
		mu.Lock()
		fail = true
		mu.Unlock()
		assert.Equal(t, fmt.Sprintf("status %d", StatusTempAppError), deliver(mo{Short: hexOf([]byte("STOP"))}),
			"node-smpp reads ESME_RX_T_APPN")
		mu.Lock()
		fail = false
		mu.Unlock()
		assert.Equal(t, "status 0", deliver(mo{Short: hexOf([]byte("STOP"))}))
		require.Eventually(t, func() bool { return len(take()) == 1 }, 5*time.Second, time.Millisecond)
	})
}
