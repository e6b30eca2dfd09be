package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Reset forgets the submits received, so ThrottleEvery counts afresh: a
// test that resets the simulator between cases sees the same throttling
// in each.
func TestResetRestartsThrottleEvery(t *testing.T) {
	s := newServer(t, &Options{ThrottleEvery: 3, Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	submit := func(n int) []CommandStatus {
		var out []CommandStatus
		for range n {
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
			h, _ := c.read()
			out = append(out, CommandStatus(h.Status))
		}
		return out
	}
	assert.Equal(t, []CommandStatus{0, 0}, submit(2))
	s.Reset()
	assert.Equal(t, []CommandStatus{0, 0, StatusThrottled}, submit(3), "every third after the Reset")
}
