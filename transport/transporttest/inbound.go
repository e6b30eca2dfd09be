package transporttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

// InboundInjector is implemented by harnesses whose far end can send the
// adapter messages from handsets (mobile originated): with
// Features.Inbound, the suite sends them and checks what reaches the
// adapter's transport.InboundHandler.
type InboundInjector interface {
	// InjectInbound has the far end send m and returns once it was sent,
	// not once it was handled. Like an operator, the far end delivers a
	// part again, a little later, when the adapter answers asking for that
	// (a handler error, no handler set), until the adapter takes it or a
	// few seconds have passed. A far end that delivers messages whole,
	// never in parts (many HTTP operators join the parts themselves),
	// sends m's text whole, once for every time m.Order names part 1.
	InjectInbound(m MO) error
}

// MO is a message from a handset for an InboundInjector's far end to send.
type MO struct {
	// From is the sender's number and To the application's number, both
	// E.164 ("+46701234567").
	From, To string
	// Text is the message.
	Text string
	// UCS2 sends the text in UCS-2 rather than the far end's default
	// alphabet (GSM 7-bit, or UTF-8 text over HTTP).
	UCS2 bool
	// Parts is how many parts of one concatenated message the text is sent
	// in (0 or 1: a single message), Ref their reference (below 256). The
	// text is cut evenly between characters or, in UCS-2, between UTF-16
	// units, so a surrogate pair may be split across parts.
	Parts int
	Ref   uint16
	// Order is the order the parts are sent in, by part number (1-based);
	// a number given twice is sent twice. Empty: each part once, in order.
	Order []int
}

// inboundCases are the cases of Features.Inbound.
var inboundCases = []testCase{
	{"InboundSingle", testInboundSingle},
	{"InboundMultipart", testInboundMultipart(false, nil)},
	{"InboundMultipartUCS2", testInboundMultipart(true, nil)},
	{"InboundOutOfOrder", testInboundMultipart(false, []int{3, 1, 2})},
	{"InboundDuplicate", testInboundDuplicate},
	{"InboundRedeliveredAfterHandlerError", testInboundRedelivery},
	{"InboundBeforeHandler", testInboundBeforeHandler},
}

// inbox collects what an InboundHandler receives; fail makes it refuse the
// first delivery of each part (by Seq).
type inbox struct {
	mu      sync.Mutex
	parts   []transport.Inbound
	refused map[int]int
	fail    bool
}

func (b *inbox) handle(_ context.Context, m transport.Inbound) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail && b.refused[m.Seq] == 0 {
		b.refused[m.Seq]++
		return errors.New("transporttest: refused once, deliver again")
	}
	b.parts = append(b.parts, m)
	return nil
}

func (b *inbox) all() []transport.Inbound {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.parts)
}

// inboundSetup returns the adapter as an InboundSource and the harness as
// an InboundInjector, or skips the case.
func inboundSetup(t *testing.T, h Harness, tr transport.Transport, f Features) (transport.InboundSource, InboundInjector) {
	t.Helper()
	if !f.Inbound {
		t.Skip("Features.Inbound not set")
	}
	src, ok := tr.(transport.InboundSource)
	require.True(t, ok, "Inbound needs a transport.InboundSource")
	inj, ok := h.(InboundInjector)
	require.True(t, ok, "Inbound needs a harness that is an InboundInjector")
	return src, inj
}

var moSeq struct {
	sync.Mutex
	n int
}

// mo builds a message from a fresh sender.
func mo(text string, parts int) MO {
	moSeq.Lock()
	moSeq.n++
	n := moSeq.n
	moSeq.Unlock()
	return MO{From: fmt.Sprintf("+4673%07d", n), To: "+46766860000", Text: text, Parts: parts, Ref: uint16(n % 256)}
}

// checkPart checks what every part handed over must say.
func checkPart(t *testing.T, m MO, p transport.Inbound) {
	t.Helper()
	assert.Empty(t, p.Malformed, "a well-formed part is not flagged")
	assert.Equal(t, m.From, p.From, "the sender in E.164")
	assert.Equal(t, m.To, p.To, "the destination in E.164")
	assert.False(t, p.At.IsZero(), "a part has a time")
	assert.True(t, utf8.ValidString(p.Text), "Text is UTF-8")
	if p.Total > 0 {
		assert.True(t, p.Seq >= 1 && p.Seq <= p.Total, "part %d of %d", p.Seq, p.Total)
		assert.Contains(t, []transport.Concat{transport.Concat8, transport.Concat16}, p.RefWidth)
	} else {
		assert.Zero(t, p.Seq+int(p.Ref)+int(p.RefWidth), "a whole message has no concatenation data")
	}
}

// messageOf waits until the parts received from m.From make its message
// whole (one of each part, or the whole text) and returns its text and
// every part received from that sender.
func messageOf(t *testing.T, b *inbox, m MO, f Features) (string, []transport.Inbound) {
	t.Helper()
	var text string
	var mine []transport.Inbound
	require.Eventually(t, func() bool {
		mine = mine[:0]
		for _, p := range b.all() {
			if p.From == m.From {
				mine = append(mine, p)
			}
		}
		var ok bool
		text, ok = joined(mine)
		return ok
	}, f.Timeout, 5*time.Millisecond, "the message never reached the inbound handler whole")
	for _, p := range mine {
		checkPart(t, m, p)
	}
	return text, mine
}

// joined joins one message's parts, repeats dropped: a part that is a
// whole message, or a part of each number of one reference and total.
func joined(parts []transport.Inbound) (string, bool) {
	for _, p := range parts {
		if p.Total == 0 {
			return p.Text, true
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	first := parts[0]
	bySeq := make([]*transport.Inbound, first.Total)
	for i, p := range parts {
		if p.Total != first.Total || p.Ref != first.Ref || p.RefWidth != first.RefWidth {
			return "", false
		}
		bySeq[p.Seq-1] = &parts[i]
	}
	ordered := make([]transport.Inbound, 0, len(bySeq))
	for _, p := range bySeq {
		if p == nil {
			return "", false
		}
		ordered = append(ordered, *p)
	}
	text, err := transport.JoinText(ordered)
	return text, err == nil
}

func testInboundSingle(t *testing.T, h Harness, tr transport.Transport, f Features) {
	src, inj := inboundSetup(t, h, tr, f)
	b := &inbox{}
	src.SetInboundHandler(b.handle)
	m := mo("STOP", 1)
	require.NoError(t, inj.InjectInbound(m))
	text, parts := messageOf(t, b, m, f)
	assert.Equal(t, "STOP", text)
	assert.Len(t, parts, 1)
}

func testInboundMultipart(ucs2 bool, order []int) func(*testing.T, Harness, transport.Transport, Features) {
	return func(t *testing.T, h Harness, tr transport.Transport, f Features) {
		src, inj := inboundSetup(t, h, tr, f)
		b := &inbox{}
		src.SetInboundHandler(b.handle)
		text := strings.Repeat("Multipart inbound {€} ", 12)
		if ucs2 {
			text = "😀" + strings.Repeat("ж", 60) + "😀" + strings.Repeat("å", 58) + "😀" // pairs straddle the cuts
		}
		m := mo(text, 3)
		m.UCS2, m.Order = ucs2, order
		require.NoError(t, inj.InjectInbound(m))
		got, _ := messageOf(t, b, m, f)
		assert.Equal(t, text, got, "the parts join into the text exactly")
	}
}

func testInboundDuplicate(t *testing.T, h Harness, tr transport.Transport, f Features) {
	src, inj := inboundSetup(t, h, tr, f)
	b := &inbox{}
	src.SetInboundHandler(b.handle)
	m := mo("A message whose first part comes twice", 2)
	m.Order = []int{1, 2, 1}
	require.NoError(t, inj.InjectInbound(m))
	got, _ := messageOf(t, b, m, f)
	assert.Equal(t, m.Text, got)
	// The adapter hands the repeat on too: dropping repeats is the
	// handler's job (an operator also repeats a part whose answer it lost).
	require.Eventually(t, func() bool {
		n := 0
		for _, p := range b.all() {
			if p.From == m.From && p.Seq <= 1 {
				n++
			}
		}
		return n == 2
	}, f.Timeout, 5*time.Millisecond, "the repeated part reaches the handler as sent")
	var firsts []transport.Inbound
	for _, p := range b.all() {
		if p.From == m.From && p.Seq <= 1 {
			firsts = append(firsts, p)
		}
	}
	assert.Equal(t, []any{firsts[0].Ref, firsts[0].Total, firsts[0].Text}, []any{firsts[1].Ref, firsts[1].Total, firsts[1].Text},
		"a repeat says what the first delivery said")
}

func testInboundRedelivery(t *testing.T, h Harness, tr transport.Transport, f Features) {
	src, inj := inboundSetup(t, h, tr, f)
	b := &inbox{fail: true, refused: map[int]int{}}
	src.SetInboundHandler(b.handle)
	m := mo("Refused once, then taken", 2)
	require.NoError(t, inj.InjectInbound(m))
	got, _ := messageOf(t, b, m, f)
	assert.Equal(t, m.Text, got, "every part refused by the handler is delivered again")
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.NotEmpty(t, b.refused, "the handler refused parts")
}

func testInboundBeforeHandler(t *testing.T, h Harness, tr transport.Transport, f Features) {
	src, inj := inboundSetup(t, h, tr, f)
	m := mo("Sent while the application starts", 1)
	require.NoError(t, inj.InjectInbound(m))
	time.Sleep(30 * time.Millisecond) // the first delivery finds no handler
	b := &inbox{}
	src.SetInboundHandler(b.handle)
	got, _ := messageOf(t, b, m, f)
	assert.Equal(t, m.Text, got, "a part that came before the handler is not lost")
}
