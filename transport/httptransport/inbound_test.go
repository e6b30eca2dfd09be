package httptransport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// moInbox collects what an inbound handler receives; err, when set, is
// what it answers.
type moInbox struct {
	mu    sync.Mutex
	parts []transport.Inbound
	err   error
}

func (b *moInbox) handle(_ context.Context, m transport.Inbound) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	b.parts = append(b.parts, m)
	return nil
}

func (b *moInbox) all() []transport.Inbound {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]transport.Inbound(nil), b.parts...)
}

func inboxOf(tr *httptransport.Transport) *moInbox {
	b := &moInbox{}
	tr.SetInboundHandler(b.handle)
	return b
}

// Each dialect's inbound forms, as its simulator posts them, reach the
// handler as the contract says.
func TestInboundEveryDialect(t *testing.T) {
	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	smile := []byte{0xD8, 0x3D, 0xDE, 0x00}
	type want struct {
		coding     transport.Coding
		text       string
		bytes      []byte
		total, seq int
	}
	cases := []struct {
		name     string
		dialects []operatortest.Dialect
		in       operatortest.Inbound
		want     want
	}{
		{"text", []operatortest.Dialect{operatortest.Kannel, operatortest.Elks46, operatortest.Sinch, operatortest.GenericJSON},
			operatortest.Inbound{Text: "STOP ok? {€} å"}, want{coding: transport.CodingText, text: "STOP ok? {€} å"}},
		{"UCS-2", []operatortest.Dialect{operatortest.Kannel, operatortest.GenericJSON},
			operatortest.Inbound{UCS2: true, Text: "ж 😀"}, want{coding: transport.CodingUCS2, text: "ж 😀", bytes: append([]byte{0x04, 0x36, 0, ' '}, smile...)}},
		{"binary", []operatortest.Dialect{operatortest.Kannel, operatortest.Sinch, operatortest.GenericJSON},
			operatortest.Inbound{Data: []byte{0, 1, 0xFF, '%', '&'}}, want{coding: transport.CodingBinary, bytes: []byte{0, 1, 0xFF, '%', '&'}}},
		{"text part", []operatortest.Dialect{operatortest.Kannel, operatortest.GenericJSON},
			operatortest.Inbound{Text: "second & last", UDH: []byte{5, 0, 3, 9, 2, 2}}, want{coding: transport.CodingText, text: "second & last", total: 2, seq: 2}},
		{"UCS-2 part with half a pair", []operatortest.Dialect{operatortest.Kannel, operatortest.GenericJSON},
			operatortest.Inbound{UCS2: true, Data: append([]byte{0, 'a'}, smile[:2]...), UDH: []byte{5, 0, 3, 9, 2, 1}},
			want{coding: transport.CodingUCS2, text: "a\uFFFD", bytes: append([]byte{0, 'a'}, smile[:2]...), total: 2, seq: 1}},
		{"binary part", []operatortest.Dialect{operatortest.Sinch},
			operatortest.Inbound{Data: []byte{7, 7}, UDH: []byte{6, 8, 4, 1, 2, 3, 3}}, want{coding: transport.CodingBinary, bytes: []byte{7, 7}, total: 3, seq: 3}},
	}
	for _, d := range dialects {
		for _, c := range cases {
			if !contains(c.dialects, d.dialect) {
				continue
			}
			t.Run(d.name+"/"+c.name, func(t *testing.T) {
				h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
				box := inboxOf(tr)
				in := c.in
				in.From, in.To, in.At, in.ID = "+46701234567", "+46766860000", at, "op-mo-1"
				code, err := h.sim.SendInbound(context.Background(), h.inboundURL(), in)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, code)
				got := box.all()
				require.Len(t, got, 1)
				p := got[0]
				assert.Empty(t, p.Malformed)
				assert.Equal(t, "+46701234567", p.From)
				assert.Equal(t, "+46766860000", p.To)
				assert.Equal(t, "op-mo-1", p.OperatorID)
				assert.True(t, at.Equal(p.At), "the operator's time: %v", p.At)
				assert.Equal(t, c.want.coding, p.Coding)
				assert.Equal(t, c.want.text, p.Text)
				assert.Equal(t, c.want.bytes, p.Bytes)
				assert.Equal(t, c.want.total, p.Total)
				assert.Equal(t, c.want.seq, p.Seq)
				assert.EqualValues(t, 1, tr.Stats().Inbound)
			})
		}
	}
}

func contains(ds []operatortest.Dialect, d operatortest.Dialect) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// The endpoint answers once the handler took the message: 503 while none
// is set or when it fails, so that the operator posts again, 200 then;
// bad credentials are refused, and after Close everything is 503.
func TestInboundAnswers(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			in := operatortest.Inbound{From: "+46701234567", To: "+46766860000", Text: "hello"}
			send := func(in operatortest.Inbound) int {
				code, err := h.sim.SendInbound(context.Background(), h.inboundURL(), in)
				require.NoError(t, err)
				return code
			}
			assert.Equal(t, http.StatusServiceUnavailable, send(in), "no handler yet")
			box := inboxOf(tr)
			box.err = errors.New("store down")
			assert.Equal(t, http.StatusServiceUnavailable, send(in), "the handler failed")
			box.err = nil
			assert.Equal(t, http.StatusOK, send(in), "taken")
			bad := in
			bad.BadCredentials = true
			assert.Equal(t, http.StatusUnauthorized, send(bad))
			assert.Len(t, box.all(), 1)
			st := tr.Stats()
			assert.EqualValues(t, 1, st.Dropped)
			assert.EqualValues(t, 1, st.Refused)
			assert.EqualValues(t, 2, st.Inbound, "handed to the handler: the refused part and the taken one")
			require.NoError(t, tr.Close())
			assert.Equal(t, http.StatusServiceUnavailable, send(in))
		})
	}
}

// Requests that cannot be read are refused (400); user data that is not
// what it claims reaches the handler flagged, with its octets; a delivery
// report posted to the inbound URL is acknowledged and ignored; a profile
// without inbound messages has no endpoint.
func TestInboundMalformed(t *testing.T) {
	h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
	box := inboxOf(tr)
	get := func(q string) int {
		rec := httptest.NewRecorder()
		tr.InboundWebhook().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/mo?token="+url.QueryEscape(hookSecret)+"&"+q, nil))
		return rec.Code
	}
	assert.Equal(t, http.StatusBadRequest, get("to=%2B46766860000&text=x"), "no sender")
	assert.Equal(t, http.StatusOK, get("from=%2B46701234567&to=%2B46766860000&text=%00a%00&coding=2&charset=UTF-16BE"))
	assert.Equal(t, http.StatusOK, get("from=%2B46701234567&to=%2B46766860000&text=x&udh=%09%00%03"))
	got := box.all()
	require.Len(t, got, 2)
	assert.Contains(t, got[0].Malformed, "odd")
	assert.Equal(t, []byte{0, 'a', 0}, got[0].Bytes)
	assert.NotEmpty(t, got[1].Malformed, "a header whose length lies")
	assert.Equal(t, []byte{9, 0, 3, 'x'}, got[1].Bytes, "the header's octets, then the text's")
	assert.EqualValues(t, 2, tr.Stats().MalformedInbound)
	_ = h

	_, elks := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{})
	inboxOf(elks)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/mo?token="+url.QueryEscape(hookSecret), strings.NewReader("id=s1&status=delivered"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	elks.InboundWebhook().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code, "a report at the inbound URL is acknowledged")
	assert.EqualValues(t, 1, elks.Stats().Ignored)

	p := httptransport.Elks46()
	p.Inbound = httptransport.InboundDialect{}
	_, none := setup(t, p, operatortest.Elks46, harnessOptions{})
	rec = httptest.NewRecorder()
	none.InboundWebhook().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mo", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}
