package smsctest_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// moSink collects the parts an SMPP transport hands to its inbound
// handler; fail makes the first delivery of each part fail.
type moSink struct {
	mu    sync.Mutex
	parts []transport.Inbound
	fail  bool
	seen  map[int]bool
}

func (k *moSink) handle(_ context.Context, in transport.Inbound) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail && !k.seen[in.Seq] {
		k.seen[in.Seq] = true
		return errors.New("store down")
	}
	k.parts = append(k.parts, in)
	return nil
}

func (k *moSink) got() []transport.Inbound {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.parts)
}

// moClient is an SMPP transport bound to a fresh simulator, with sink as
// its inbound handler.
func moClient(t *testing.T, sink *moSink) (*smsctest.Server, *smpptransport.Transport) {
	t.Helper()
	smsc, err := smsctest.NewServer(&smsctest.Options{RedeliveryDelay: 5 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { smsc.Close() })
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
	})
	require.NoError(t, err)
	t.Cleanup(func() { tr.Close() })
	tr.SetInboundHandler(sink.handle)
	return smsc, tr
}

// Every form of message from a handset the simulator injects reaches the
// SMPP transport's inbound handler as parts that join back into the text.
func TestInjectMO(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mo    smsctest.MO
		parts int // handler calls
	}{
		{"single GSM", smsctest.MO{Text: "STOP"}, 1},
		{"single ASCII", smsctest.MO{Text: "START", DataCoding: 1}, 1},
		{"single Latin-1", smsctest.MO{Text: "Hej då", DataCoding: 3}, 1},
		{"UCS-2 UDH 8-bit, pair split", smsctest.MO{Text: "a😀b", DataCoding: 8, Parts: 2, Ref: 7}, 2},
		{"UDH 16-bit", smsctest.MO{Text: "one two three", Parts: 3, Concat: smsctest.ConcatUDH16, Ref: 0x1234}, 3},
		{"SAR", smsctest.MO{Text: "split by SAR", Parts: 2, Concat: smsctest.ConcatSAR, Ref: 99}, 2},
		{"message_payload", smsctest.MO{Text: "in the payload", Payload: true}, 1},
		{"data_sm", smsctest.MO{Text: "data sm parts", Parts: 2, DataSM: true, Ref: 3}, 2},
		{"out of order", smsctest.MO{Text: "abcdef", Parts: 3, Order: []int{3, 1, 2}, Ref: 5}, 3},
		{"duplicated part", smsctest.MO{Text: "abcdef", Parts: 2, Order: []int{1, 2, 1}, Ref: 6}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &moSink{}
			smsc, _ := moClient(t, sink)
			tc.mo.From, tc.mo.To = "+46701234567", "+46766860000"
			require.NoError(t, smsc.InjectMO(tc.mo))
			require.Eventually(t, func() bool { return len(sink.got()) == tc.parts }, 5*time.Second, time.Millisecond)
			got := sink.got()
			byPart := map[int]transport.Inbound{}
			for _, p := range got {
				assert.Empty(t, p.Malformed)
				assert.Equal(t, "+46701234567", p.From)
				assert.Equal(t, "+46766860000", p.To)
				byPart[p.Seq] = p
			}
			var parts []transport.Inbound
			for i := range max(1, tc.mo.Parts) {
				p, ok := byPart[i+1]
				if tc.mo.Parts <= 1 {
					p, ok = byPart[0]
				}
				require.True(t, ok, "part %d", i+1)
				parts = append(parts, p)
			}
			text, err := transport.JoinText(parts)
			require.NoError(t, err)
			assert.Equal(t, tc.mo.Text, text)
			require.Eventually(t, func() bool { return len(smsc.MOAnswers()) == tc.parts }, 5*time.Second, time.Millisecond)
			for _, a := range smsc.MOAnswers() {
				assert.Zero(t, a.Status, "every delivery accepted")
				assert.Equal(t, 1, a.Delivery)
			}
		})
	}
}

// A part whose handler fails is answered ESME_RX_T_APPN and delivered
// again by the simulator, until the handler takes it.
func TestInjectMORedeliversRefusedParts(t *testing.T) {
	sink := &moSink{fail: true, seen: map[int]bool{}}
	smsc, tr := moClient(t, sink)
	require.NoError(t, smsc.InjectMO(smsctest.MO{From: "+46701234567", To: "72000", Text: "two parts", Parts: 2, Ref: 1}))
	require.Eventually(t, func() bool { return len(sink.got()) == 2 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return len(smsc.MOAnswers()) == 4 }, 5*time.Second, time.Millisecond)
	for _, a := range smsc.MOAnswers() {
		if a.Delivery == 1 {
			assert.Equal(t, smsctest.StatusTempAppError, a.Status, "part %d: the first delivery was refused", a.Part)
		} else {
			assert.Zero(t, a.Status, "part %d: the redelivery was taken", a.Part)
		}
	}
	assert.Equal(t, int64(2), tr.Stats().Refused)
	assert.Equal(t, "72000", sink.got()[0].To, "a short code as it came")
}

// Raw user data reaches the client as it is: binary data as octets, and
// malformed data flagged, never dropped.
func TestInjectMORawData(t *testing.T) {
	sink := &moSink{}
	smsc, _ := moClient(t, sink)
	require.NoError(t, smsc.InjectMO(smsctest.MO{From: "+46701234567", To: "+46766860000", Data: []byte{0, 1, 2, 3}, DataCoding: 4}))
	require.NoError(t, smsc.InjectMO(smsctest.MO{From: "+46701234567", To: "+46766860000", Data: []byte{0, 'a', 0}, DataCoding: 8}))
	require.Eventually(t, func() bool { return len(sink.got()) == 2 }, 5*time.Second, time.Millisecond)
	for _, p := range sink.got() {
		switch p.DataCoding {
		case 4:
			assert.Equal(t, transport.CodingBinary, p.Coding)
			assert.Equal(t, []byte{0, 1, 2, 3}, p.Bytes)
		case 8:
			assert.NotEmpty(t, p.Malformed, "odd-length UCS-2")
			assert.Equal(t, []byte{0, 'a', 0}, p.Bytes)
		}
	}
}
