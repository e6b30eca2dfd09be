package smsctest

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

func TestHangAnswersBindsOnly(t *testing.T) {
	s := newServer(t, nil)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	s.Hang()
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("x")))
	c.send(pdu.EnquireLinkID, nil)
	assert.True(t, c.silent(50*time.Millisecond), "neither submit_sm nor enquire_link is answered")

	fresh := dialRaw(t, s)
	fresh.bind(pdu.BindTransceiverID) // binds are answered
	fresh.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("y")))
	assert.True(t, fresh.silent(50*time.Millisecond))
	subs := s.Submits()
	require.Len(t, subs, 2, "hung submits are recorded as received")
	for _, sub := range subs {
		assert.False(t, sub.Answered)
	}
	assert.Len(t, s.Messages(), 2, "and taken, as NoAnswer does: resending them elsewhere would duplicate them")

	s.Resume()
	seq := c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("z")))
	h, _ := c.read()
	assert.Equal(t, pdu.SubmitSMRespID, h.ID)
	assert.Equal(t, seq, h.Seq)
	assert.Zero(t, h.Status)
}

func TestFreezeAnswersNothingUntilResume(t *testing.T) {
	s := newServer(t, nil)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	s.Freeze()
	sub := c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
	assert.True(t, c.silent(50*time.Millisecond))
	fresh := dialRaw(t, s) // accepted, as by a stopped process's kernel
	bind := fresh.send(pdu.BindTransceiverID, bindBody(DefaultSystemID, DefaultPassword))
	assert.True(t, fresh.silent(50*time.Millisecond), "not even binds are answered")
	assert.Empty(t, s.Submits(), "nothing is read")

	s.Resume()
	h, _ := c.read()
	assert.Equal(t, sub, h.Seq, "what arrived meanwhile is answered after the freeze")
	h, _ = fresh.read()
	assert.Equal(t, pdu.BindTransceiverRespID, h.ID)
	assert.Equal(t, bind, h.Seq)
}

func TestFreezeEndsWithClose(t *testing.T) {
	s, err := NewServer(nil)
	require.NoError(t, err)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	s.Freeze()
	c.send(pdu.EnquireLinkID, nil)
	require.True(t, c.silent(20*time.Millisecond))
	require.NoError(t, s.Close(), "a frozen connection does not keep Close waiting")
}

func TestStopAndStart(t *testing.T) {
	s := newServer(t, nil)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("before")))
	_, _ = c.read()

	s.Stop()
	assert.True(t, c.closed(), "connections die with the process")
	_, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	require.Error(t, err, "nothing listens while stopped")
	s.Stop() // twice is a no-op

	require.NoError(t, s.Start())
	require.Error(t, s.Start(), "start needs a stop first")
	d := dialRaw(t, s)
	d.bind(pdu.BindTransceiverID)
	d.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("after")))
	h, _ := d.read()
	assert.Zero(t, h.Status)
	assert.Len(t, s.Submits(), 2, "what was recorded before the stop is kept")
	assert.Equal(t, int64(2), s.Stats().Transceivers)
}

func TestCloseWhileStopped(t *testing.T) {
	s, err := NewServer(nil)
	require.NoError(t, err)
	s.Stop()
	assert.NoError(t, s.Close())
	assert.ErrorIs(t, s.Start(), net.ErrClosed)
}
