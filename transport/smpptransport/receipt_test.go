package smpptransport

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestParseReceiptText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want receiptText
	}{
		{"appendix B", "id:1234567890 sub:001 dlvrd:001 submit date:2401021504 done date:2401021505 stat:DELIVRD err:000 text:Hello there",
			receiptText{id: "1234567890", stat: "DELIVRD", err: "000", done: "2401021505"}},
		{"upper-case keys and Text", "ID:ab12 SUB:001 DLVRD:001 SUBMIT DATE:240102150405 DONE DATE:240102150406 STAT:undeliv ERR:005 Text:hi",
			receiptText{id: "ab12", stat: "undeliv", err: "005", done: "240102150406"}},
		{"underscored dates", "id:7 submit_date:2401021504 done_date:2401021506 stat:EXPIRED err:0",
			receiptText{id: "7", stat: "EXPIRED", err: "0", done: "2401021506"}},
		{"missing fields", "id:42 stat:REJECTD", receiptText{id: "42", stat: "REJECTD"}},
		{"empty values", "id: sub: dlvrd: stat:DELIVRD err: text:", receiptText{stat: "DELIVRD"}},
		{"space after colon", "id: 99 stat: DELIVRD", receiptText{id: "99", stat: "DELIVRD"}},
		{"text cannot spoof fields", "id:1 stat:UNDELIV err:001 text:id:2 stat:DELIVRD",
			receiptText{id: "1", stat: "UNDELIV", err: "001"}},
		{"body without text key is not read past stat", "id:5 stat:DELIVRD err:000 text:",
			receiptText{id: "5", stat: "DELIVRD", err: "000"}},
		{"first occurrence wins", "id:1 id:2 stat:ENROUTE stat:DELIVRD", receiptText{id: "1", stat: "ENROUTE"}},
		{"noise tokens", "receipt: id:3 foo bar stat:ACCEPTD", receiptText{id: "3", stat: "ACCEPTD"}},
		{"tabs and NULs", "id:8\tstat:DELETED\x00err:2", receiptText{id: "8", stat: "DELETED", err: "2"}},
		{"empty", "", receiptText{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, parseReceiptText(tc.in))
		})
	}
}

func TestStatOf(t *testing.T) {
	tests := map[string]transport.Status{
		"DELIVRD": transport.StatusDelivered, "delivered": transport.StatusDelivered,
		"EXPIRED": transport.StatusExpired, "DELETED": transport.StatusDeleted,
		"UNDELIV": transport.StatusUndeliverable, "Undeliverable": transport.StatusUndeliverable,
		"ACCEPTD": transport.StatusAccepted, "UNKNOWN": transport.StatusUnknown,
		"REJECTD": transport.StatusRejected, "rejected": transport.StatusRejected,
		"ENROUTE": transport.StatusEnroute,
	}
	for in, want := range tests {
		got, ok := statOf(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "DELIVR", "FAILED", "OK"} {
		_, ok := statOf(bad)
		assert.False(t, ok, bad)
	}
}

func TestStateOf(t *testing.T) {
	want := []transport.Status{"", transport.StatusEnroute, transport.StatusDelivered, transport.StatusExpired,
		transport.StatusDeleted, transport.StatusUndeliverable, transport.StatusAccepted,
		transport.StatusUnknown, transport.StatusRejected}
	for i := 1; i <= 8; i++ {
		got, ok := stateOf([]byte{byte(i)})
		require.True(t, ok)
		assert.Equal(t, want[i], got)
	}
	for _, bad := range [][]byte{nil, {0}, {9}, {2, 2}} {
		_, ok := stateOf(bad)
		assert.False(t, ok)
	}
}

func TestReceiptDate(t *testing.T) {
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		stockholm = time.FixedZone("CET", 3600)
	}
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2401021504", time.UTC, time.Date(2024, 1, 2, 15, 4, 0, 0, time.UTC)},
		{"240102150405", time.UTC, time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"20240102150405", time.UTC, time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"2401021504", stockholm, time.Date(2024, 1, 2, 15, 4, 0, 0, stockholm)},
		{"2413021504", time.UTC, time.Time{}},
		{"24010215", time.UTC, time.Time{}},
		{"24010215x4", time.UTC, time.Time{}},
		{"", time.UTC, time.Time{}},
	}
	for _, tc := range tests {
		got := receiptDate(tc.in, tc.loc)
		assert.True(t, tc.want.Equal(got), "%q: got %v", tc.in, got)
	}
}

func TestReportOf(t *testing.T) {
	tr := &Transport{cfg: Config{ReceiptLocation: time.UTC}}
	hex := &Transport{cfg: Config{ReceiptLocation: time.UTC, SubmitIDBase: 16, ReceiptIDBase: 10}}
	text := []byte("id:1715004 sub:001 dlvrd:001 submit date:2401021504 done date:2401021505 stat:DELIVRD err:000 text:secret body")
	tests := []struct {
		name    string
		tr      *Transport
		frame   []byte
		want    transport.Report
		wantErr error
	}{
		{"text", tr, deliverFrame(0x04, 0, text, nil),
			transport.Report{OperatorID: "1715004", Status: transport.StatusDelivered, At: time.Date(2024, 1, 2, 15, 5, 0, 0, time.UTC)}, nil},
		{"TLVs win", hex, deliverFrame(0x04, 0, []byte("id:999 stat:UNDELIV err:001"), map[uint16][]byte{
			0x001E: []byte("1A2B3C\x00"), 0x0427: {2}}),
			transport.Report{OperatorID: "1715004", Status: transport.StatusDelivered, ErrorCode: "001"}, nil},
		{"TLVs only", tr, deliverFrame(0x04, 0, nil, map[uint16][]byte{
			0x001E: []byte("77\x00"), 0x0427: {5}, 0x0423: {3, 0x00, 0x22}}),
			transport.Report{OperatorID: "77", Status: transport.StatusUndeliverable, ErrorCode: "34"}, nil},
		{"receipt text in message_payload", tr, deliverFrame(0x04, 0, nil, map[uint16][]byte{
			0x0424: []byte("id:5 stat:EXPIRED err:003")}),
			transport.Report{OperatorID: "5", Status: transport.StatusExpired, ErrorCode: "003"}, nil},
		{"UCS-2 receipt", tr, deliverFrame(0x04, 8, wire.UTF16BE("id:6 stat:DELETED"), nil),
			transport.Report{OperatorID: "6", Status: transport.StatusDeleted}, nil},
		{"intermediate notification", tr, deliverFrame(0x20, 0, []byte("id:7 stat:ENROUTE"), nil),
			transport.Report{OperatorID: "7", Status: transport.StatusEnroute}, nil},
		{"mobile originated", tr, deliverFrame(0x00, 0, []byte("id:8 stat:DELIVRD"), nil), transport.Report{}, errNotReceipt},
		{"no id", tr, deliverFrame(0x04, 0, []byte("stat:DELIVRD"), nil), transport.Report{}, errNoID},
		{"unknown stat", tr, deliverFrame(0x04, 0, []byte("id:9 stat:PENDING"), nil), transport.Report{}, errNoStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSM(pdu.DeliverSMID, tc.frame[pdu.HeaderLen:])
			require.NoError(t, err)
			got, err := tc.tr.reportOf(s)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.OperatorID, got.OperatorID)
			assert.Equal(t, tc.want.Status, got.Status)
			assert.Equal(t, tc.want.ErrorCode, got.ErrorCode)
			assert.True(t, tc.want.At.Equal(got.At), "at %v", got.At)
		})
	}
}

// logLines counts log lines written through it.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

// TestMixedIDBasesAreNoticed: an SMSC that writes ids in one base in
// submit_sm_resp and in another in receipts, with the id bases left
// unset, had receipts silently match other messages or none. It is now
// logged, once, with the bases to set; consistent ids are not.
func TestMixedIDBasesAreNoticed(t *testing.T) {
	const hint = "set Config.SubmitIDBase and ReceiptIDBase"
	tests := []struct {
		name       string
		srv        *smsctest.Options
		configured bool // the bases are set in Config
		first      bool // every receipt overtakes its answer
		want       int
		wantBases  string
	}{
		{"hex answers, decimal receipts", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10}, false, false, 1, "submit_id_base=16 receipt_id_base=10"},
		{"decimal answers, hex receipts", &smsctest.Options{IDBase: 10, ReceiptIDBase: 16}, false, false, 1, "submit_id_base=10 receipt_id_base=16"},
		{"hex answers, decimal receipts first", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10, Receipts: smsctest.ReceiptsNever},
			false, true, 1, "submit_id_base=16 receipt_id_base=10"},
		{"both decimal", &smsctest.Options{}, false, false, 0, ""},
		{"both decimal, receipts first", &smsctest.Options{Receipts: smsctest.ReceiptsNever}, false, true, 0, ""},
		{"both hex", &smsctest.Options{IDBase: 16, ReceiptIDBase: 16}, false, false, 0, ""},
		{"mixed, bases set", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10}, true, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.srv)
			cfg := testConfig(srv)
			logs := &logLines{}
			cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
			if tt.configured {
				cfg.SubmitIDBase, cfg.ReceiptIDBase = tt.srv.IDBase, tt.srv.ReceiptIDBase
			}
			tr := newTransport(t, cfg)
			reports := collect(tr)
			const n = 8
			for range n {
				if tt.first {
					srv.InjectFault(smsctest.Fault{ReceiptFirst: true})
				}
				_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
				require.NoError(t, err)
			}
			require.Eventually(t, func() bool { return len(reports.all()) == n }, 5*time.Second, time.Millisecond)
			assert.Equal(t, tt.want, logs.count(hint))
			if tt.want > 0 {
				assert.Equal(t, 1, logs.count(tt.wantBases), "the bases to set")
			}
		})
	}
}

// FuzzParseReceiptText checks that the receipt parser never panics and
// that nothing after "text:" (message text) ever reaches a field.
func FuzzParseReceiptText(f *testing.F) {
	f.Add("id:1234567890 sub:001 dlvrd:001 submit date:2401021504 done date:2401021505 stat:DELIVRD err:000", "Hello")
	f.Add("ID:ab12 SUB:001 DONE DATE:240102150406 STAT:undeliv ERR:005", "id:9 stat:DELIVRD")
	f.Add("id: sub: stat:", "")
	f.Add("submit_date:1 done_date:2", "\x00\xff")
	f.Add("", "text:text:")
	f.Fuzz(func(t *testing.T, prefix, body string) {
		want := parseReceiptText(prefix)
		got := parseReceiptText(prefix + " text:" + body)
		assert.Equal(t, want, got, "the text field must not change what is parsed")
		for _, v := range []string{got.id, got.stat, got.err, got.done} {
			for i := 0; i < len(v); i++ {
				assert.False(t, isSpace(v[i]), "field values hold no whitespace")
			}
		}
	})
}

// FuzzReportOf feeds deliver_sm PDUs with arbitrary contents through the
// PDU reader and the receipt reader.
func FuzzReportOf(f *testing.F) {
	f.Add(byte(0x04), byte(0), []byte("id:1 stat:DELIVRD err:000 text:x"), []byte(nil))
	f.Add(byte(0x04), byte(8), wire.UTF16BE("id:2 stat:UNDELIV"), []byte{0x00, 0x1E, 0x00, 0x02, '7', 0})
	f.Add(byte(0x44), byte(0), []byte{5, 0, 3, 1, 2, 1, 'a'}, []byte{0x04, 0x27, 0x00, 0x01, 2})
	f.Add(byte(0x20), byte(0), []byte(nil), []byte{0x04, 0x24, 0x00, 0x04, 'i', 'd', ':', '3'})
	tr := &Transport{cfg: Config{ReceiptLocation: time.UTC, SubmitIDBase: 16, ReceiptIDBase: 10}}
	f.Fuzz(func(t *testing.T, esm, coding byte, sm, tlvs []byte) {
		if len(sm) > 254 {
			sm = sm[:254]
		}
		frame := deliverFrame(esm, coding, sm, nil)
		frame = append(frame, tlvs...)
		frame[0], frame[1], frame[2], frame[3] = byte(len(frame)>>24), byte(len(frame)>>16), byte(len(frame)>>8), byte(len(frame))
		s, err := parseSM(pdu.DeliverSMID, frame[pdu.HeaderLen:])
		if err != nil {
			return
		}
		r, err := tr.reportOf(s)
		if err != nil {
			return
		}
		assert.NotEmpty(t, r.OperatorID)
		assert.True(t, r.Status.Valid())
	})
}

func TestReceiptVariantsEndToEnd(t *testing.T) {
	variants := map[string]*smsctest.Options{
		"hex resp, decimal receipt": {IDBase: 16, ReceiptIDBase: 10},
		"decimal resp, hex receipt": {IDBase: 10, ReceiptIDBase: 16},
		"TLVs":                      {IDBase: 16, ReceiptIDBase: 10, ReceiptTLVs: true},
		"upper-case keys, 12-digit dates": {IDBase: 16, ReceiptIDBase: 10, ReceiptText: func(r smsctest.Receipt) string {
			return "ID:" + r.ID + " SUB:001 DLVRD:001 SUBMIT DATE:" + r.Submitted.UTC().Format("060102150405") +
				" DONE DATE:" + r.Done.UTC().Format("060102150405") + " STAT:" + r.Stat + " ERR:" + r.Err + " Text:" + r.Text
		}},
	}
	for name, srvCfg := range variants {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, srvCfg)
			cfg := testConfig(srv)
			cfg.SubmitIDBase, cfg.ReceiptIDBase = srvCfg.IDBase, srvCfg.ReceiptIDBase
			tr := newTransport(t, cfg)
			reports := collect(tr)
			res, err := tr.Submit(ctxT(t, 5*time.Second), msg("part one", "part two"))
			require.NoError(t, err)
			require.Len(t, res.OperatorIDs, 2)
			for _, id := range res.OperatorIDs {
				require.Eventually(t, func() bool { return reports.count(id) == 1 }, 5*time.Second, time.Millisecond)
			}
			for _, r := range reports.all() {
				assert.Equal(t, transport.StatusDelivered, r.Status)
				assert.Empty(t, r.ErrorCode)
				assert.WithinDuration(t, time.Now(), r.At, 2*time.Minute)
			}
		})
	}
}
