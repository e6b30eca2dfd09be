package smpptransport

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

func TestUDH(t *testing.T) {
	assert.Equal(t, []byte{0x05, 0x00, 0x03, 0x34, 3, 2}, udh(transport.Concat8, 0x1234, 1, 3))
	assert.Equal(t, []byte{0x06, 0x08, 0x04, 0x12, 0x34, 3, 3}, udh(transport.Concat16, 0x1234, 2, 3))
}

func TestValidity(t *testing.T) {
	tests := map[time.Duration]string{
		0:                               "",
		-time.Minute:                    "",
		90 * time.Minute:                "000000013000000R",
		48*time.Hour + 5*time.Second:    "000002000005000R",
		45 * 24 * time.Hour:             "000115000000000R",
		10000 * 24 * time.Hour:          "009930000000000R",
		time.Hour + time.Millisecond*10: "000000010000000R",
	}
	for d, want := range tests {
		assert.Equal(t, want, validity(d), "%v", d)
	}
}

func TestAddrOf(t *testing.T) {
	tests := []struct {
		value    string
		kind     transport.SenderKind
		override *AddrType
		want     AddrType
		wire     string
	}{
		{"Advox", transport.SenderAlphanumeric, nil, AddrType{5, 0}, "Advox"},
		{"+46701234567", transport.SenderInternational, nil, AddrType{1, 1}, "46701234567"},
		{"72456", transport.SenderShortCode, nil, AddrType{3, 0}, "72456"},
		{"+4670", "", nil, AddrType{1, 1}, "4670"},
		{"0701234567", "", nil, AddrType{0, 1}, "0701234567"},
		{"Shop", "", nil, AddrType{5, 0}, "Shop"},
		{"72456", transport.SenderShortCode, &AddrType{6, 9}, AddrType{6, 9}, "72456"},
	}
	for _, tc := range tests {
		got, wire := addrOf(tc.value, tc.kind, tc.override)
		assert.Equal(t, tc.want, got, tc.value)
		assert.Equal(t, tc.wire, wire, tc.value)
	}
}

func TestEncodeParts(t *testing.T) {
	texts, coding, err := encodeParts(&transport.Message{Encoding: transport.GSM7, Parts: []string{"a€", "@"}})
	require.NoError(t, err)
	assert.Equal(t, uint8(0), coding)
	assert.Equal(t, [][]byte{{0x61, 0x1B, 0x65}, {0x00}}, texts, "unpacked septets, extension via escape")

	texts, coding, err = encodeParts(&transport.Message{Encoding: transport.UCS2, Parts: []string{"ж😀"}})
	require.NoError(t, err)
	assert.Equal(t, uint8(8), coding)
	assert.Equal(t, [][]byte{{0x04, 0x36, 0xD8, 0x3D, 0xDE, 0x00}}, texts, "UTF-16BE with surrogates")

	for name, m := range map[string]*transport.Message{
		"unencodable GSM-7": {Encoding: transport.GSM7, Parts: []string{"ok", "жук"}},
		"no parts":          {Encoding: transport.GSM7},
		"unknown encoding":  {Encoding: "latin1", Parts: []string{"x"}},
		"too many parts":    {Encoding: transport.GSM7, Parts: make([]string, 256)},
	} {
		_, _, err := encodeParts(m)
		assert.ErrorIs(t, err, transport.ErrRejected, name)
	}
}

func TestBuild(t *testing.T) {
	tr := &Transport{cfg: Config{RegisteredDelivery: 1, ValidityPeriod: time.Hour}}
	m := &transport.Message{
		From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric}, To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"one", "two"}, Concat: transport.Concat8, ReportRequested: true,
	}
	texts, coding, err := encodeParts(m)
	require.NoError(t, err)
	frames, err := tr.build(m, texts, coding, 7, nil)
	require.NoError(t, err)
	require.Len(t, frames, 2)
	f := decodeFields(t, frames[1]) // go-smpp's decoder reads what build wrote
	assert.Equal(t, "Advox", f[pdufield.SourceAddr].String())
	assert.Equal(t, "46701234567", f[pdufield.DestinationAddr].String())
	assert.Equal(t, uint8(0x40), fixed(f, pdufield.ESMClass))
	assert.Equal(t, uint8(1), fixed(f, pdufield.RegisteredDelivery))
	assert.Equal(t, "000000010000000R", f[pdufield.ValidityPeriod].String())
	assert.Equal(t, append([]byte{5, 0, 3, 7, 2, 2}, "two"...), f[pdufield.ShortMessage].Bytes())

	m.ReportRequested, m.ValidFor, m.Parts = false, 2*time.Hour, []string{"single"}
	texts, coding, _ = encodeParts(m)
	frames, err = tr.build(m, texts, coding, 8, nil)
	require.NoError(t, err)
	f = decodeFields(t, frames[0])
	assert.Equal(t, uint8(0), fixed(f, pdufield.ESMClass), "no UDH on a single part")
	assert.Equal(t, uint8(0), fixed(f, pdufield.RegisteredDelivery))
	assert.Equal(t, "000000020000000R", f[pdufield.ValidityPeriod].String(), "the message's own validity wins")
	assert.Equal(t, []byte("single"), f[pdufield.ShortMessage].Bytes())
	assert.Equal(t, "", f[pdufield.ScheduleDeliveryTime].String())

	tr.cfg.Payload, tr.cfg.Source = true, &AddrType{TON: 2, NPI: 8}
	m.Parts = []string{"one ", "payload"}
	texts, coding, _ = encodeParts(m)
	frames, err = tr.build(m, texts, coding, 9, nil)
	require.NoError(t, err)
	require.Len(t, frames, 1)
	p, err := wire.Decode(frames[0])
	require.NoError(t, err)
	assert.Empty(t, p.Fields()[pdufield.ShortMessage].Bytes())
	assert.Equal(t, []byte("one payload"), p.TLVFields()[pdutlv.TagMessagePayload].Bytes())
	assert.Equal(t, uint8(2), fixed(p.Fields(), pdufield.SourceAddrTON))
	assert.Equal(t, uint8(8), fixed(p.Fields(), pdufield.SourceAddrNPI))
	tr.cfg.Payload, tr.cfg.Source = false, nil

	long := &transport.Message{Encoding: transport.UCS2, Parts: []string{string(make([]rune, 128))}}
	texts, coding, _ = encodeParts(long)
	_, err = tr.build(long, texts, coding, 9, nil)
	assert.ErrorIs(t, err, transport.ErrRejected, "a part longer than short_message is refused, never re-split")
}

func decodeFields(t *testing.T, frame []byte) pdufield.Map {
	t.Helper()
	p, err := wire.Decode(frame)
	require.NoError(t, err)
	require.Equal(t, pdu.SubmitSMID, p.Header().ID)
	require.Equal(t, int(p.Header().Len), len(frame))
	return p.Fields()
}
