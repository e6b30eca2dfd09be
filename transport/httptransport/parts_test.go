package httptransport_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// SubmitParts sends the listed parts only, each as Submit sends a part
// but with udh carrying p.Ref and the part's own number, and a dlr-url
// and operator id naming that part.
func TestSubmitParts(t *testing.T) {
	for _, c := range []struct {
		concat transport.Concat
		ref    uint16
		udh    func(n byte) []byte
	}{
		{transport.Concat8, 0xAB, func(n byte) []byte { return []byte{5, 0, 3, 0xAB, 3, n} }},
		{transport.Concat16, 0xABCD, func(n byte) []byte { return []byte{6, 8, 4, 0xAB, 0xCD, 3, n} }},
	} {
		t.Run(strconv.Itoa(int(c.concat)), func(t *testing.T) {
			srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
			tr, err := httptransport.New(httptransport.Config{
				Profile: httptransport.Kannel(), BaseURL: srv.URL,
				Credentials: httptransport.Credentials{User: "kuser", Password: "kpass"},
				CallbackURL: "https://app.example/dlr",
				Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
			})
			require.NoError(t, err)
			defer tr.Close()
			m := threeParts(c.concat)
			res, err := tr.SubmitParts(context.Background(), m, transport.Parts{Ref: c.ref, Indices: []int{1, 2}})
			require.NoError(t, err)
			assert.Equal(t, []string{httptransport.PartID(m.ID, 2), httptransport.PartID(m.ID, 3)}, res.OperatorIDs,
				"the ids the parts would have had from Submit, so their reports land on them")
			for _, n := range []int{2, 3} {
				q := (<-reqs).query
				assert.Equal(t, m.Parts[n-1], q.Get("text"))
				assert.Equal(t, c.udh(byte(n)), []byte(q.Get("udh")), "p.Ref and the part's own number of 3")
				dlr := q.Get("dlr-url")
				dq, err := url.ParseQuery(strings.TrimSuffix(strings.SplitN(dlr, "?", 2)[1], "&status=%d&at=%T"))
				require.NoError(t, err)
				assert.Equal(t, m.ID, dq.Get("ref"))
				assert.Equal(t, strconv.Itoa(n), dq.Get("part"))
			}
			assert.Empty(t, reqs, "no other part")
		})
	}
}

// SubmitParts refuses, sending nothing, parts it cannot send as parts of
// the message: ErrRejected, never safe to retry.
func TestSubmitPartsRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile func() httptransport.Profile
		m       func() *transport.Message
		p       transport.Parts
	}{
		{"no part", httptransport.Kannel, nil, transport.Parts{Ref: 1}},
		{"a part the message lacks", httptransport.Kannel, nil, transport.Parts{Ref: 1, Indices: []int{3}}},
		{"out of order", httptransport.Kannel, nil, transport.Parts{Ref: 1, Indices: []int{2, 1}}},
		{"a part twice", httptransport.Kannel, nil, transport.Parts{Ref: 1, Indices: []int{1, 1}}},
		{"a one-part message", httptransport.Kannel, func() *transport.Message { return testMessage() }, transport.Parts{Ref: 1, Indices: []int{0}}},
		{"a reference wider than 8 bits", httptransport.Kannel, nil, transport.Parts{Ref: 0x1AB, Indices: []int{1}}},
		{"nil message", httptransport.Kannel, func() *transport.Message { return nil }, transport.Parts{Ref: 1, Indices: []int{1}}},
		// A profile sending the whole text in one request never leaves
		// part of a message unsent, and cannot send a part alone.
		{"a whole-message profile", httptransport.GenericJSON, nil, transport.Parts{Ref: 1, Indices: []int{1, 2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, reqs := capture(t, http.StatusAccepted, "0: Accepted for delivery")
			tr, err := httptransport.New(httptransport.Config{
				Profile: c.profile(), BaseURL: srv.URL,
				Credentials: httptransport.Credentials{User: "kuser", Password: "kpass", Token: "gw-token"},
			})
			require.NoError(t, err)
			defer tr.Close()
			m := threeParts(transport.Concat8)
			if c.m != nil {
				m = c.m()
			}
			res, err := tr.SubmitParts(context.Background(), m, c.p)
			require.ErrorIs(t, err, transport.ErrRejected)
			assert.False(t, transport.SafeToRetry(err))
			assert.Empty(t, res.OperatorIDs)
			assert.Empty(t, reqs, "nothing sent")
		})
	}
}

// A failure of a later listed part is a Resumable PartialError with p.Ref
// and the listed parts accepted before it; a failure of the first is its
// error as it is.
func TestSubmitPartsFailure(t *testing.T) {
	t.Run("later part", func(t *testing.T) {
		h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
		h.sim.Inject(operatortest.FaultNone, operatortest.FaultThrottle)
		m := threeParts(transport.Concat8)
		res, err := tr.SubmitParts(context.Background(), m, transport.Parts{Ref: 77, Indices: []int{0, 1, 2}})
		var pe *transport.PartialError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, pe.Accepted)
		assert.Equal(t, pe.Accepted, res.OperatorIDs)
		assert.True(t, pe.Resumable)
		assert.Equal(t, uint16(77), pe.Ref)
		assert.ErrorIs(t, err, transport.ErrThrottled)
		assert.False(t, transport.SafeToRetry(err), "part 1 is out")
		assert.Equal(t, 2, h.sim.Requests(), "part 3 is never sent")
		assertClean(t, err, m)
	})
	t.Run("first part", func(t *testing.T) {
		h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
		h.sim.Inject(operatortest.FaultThrottle)
		m := threeParts(transport.Concat8)
		_, err := tr.SubmitParts(context.Background(), m, transport.Parts{Ref: 77, Indices: []int{1, 2}})
		var pe *transport.PartialError
		assert.False(t, errors.As(err, &pe), "no part of p was accepted: not a PartialError")
		assert.ErrorIs(t, err, transport.ErrThrottled)
		assert.True(t, transport.SafeToRetry(err), "nothing of p went")
		assert.Equal(t, 1, h.sim.Requests(), "part 3 is never sent")
	})
	t.Run("after Close", func(t *testing.T) {
		h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{})
		require.NoError(t, tr.Close())
		_, err := tr.SubmitParts(context.Background(), threeParts(transport.Concat8), transport.Parts{Ref: 77, Indices: []int{1}})
		assert.ErrorIs(t, err, transport.ErrClosed)
		assert.Zero(t, h.sim.Requests())
	})
}

// The reports of parts sent by SubmitParts reach the handler under the
// parts' own ids.
func TestSubmitPartsReports(t *testing.T) {
	_, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
		sim: &operatortest.Options{AutoReport: true},
	})
	reports := collect(tr)
	m := threeParts(transport.Concat8)
	_, err := tr.SubmitParts(context.Background(), m, transport.Parts{Ref: 9, Indices: []int{1, 2}})
	require.NoError(t, err)
	got := map[string]transport.Status{}
	for range 2 {
		r := reports.next(t)
		assert.Equal(t, m.ID, r.MessageID)
		got[r.OperatorID] = r.Status
	}
	assert.Equal(t, map[string]transport.Status{
		httptransport.PartID(m.ID, 2): transport.StatusDelivered,
		httptransport.PartID(m.ID, 3): transport.StatusDelivered,
	}, got)
	reports.none(t)
}
