package httptransport_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// TestRealKannel sends through a real Kannel 1.4 bearerbox and smsbox
// (Debian's kannel package) whose SMSC is a minimal SMPP server in this
// test, and receives the delivery reports smsbox posts to the dlr-url.
// It runs only with ADVOX_KANNEL=1 and the binaries on PATH or in
// /usr/sbin.
//
// The sendsms-user keeps Kannel's defaults (max-messages 1, no
// concatenation): the profile sends each part on its own, so Kannel must
// never split, cut or re-number anything. The webhook secret and the
// application's callback URL hold percent-encoded bytes that Kannel would
// read as its own escapes if the dlr-url did not double every "%".
func TestRealKannel(t *testing.T) {
	if os.Getenv("ADVOX_KANNEL") != "1" {
		t.Skip("set ADVOX_KANNEL=1 to run against a real Kannel (apt-get install kannel)")
	}
	bearerbox, smsbox := kannelBinary(t, "bearerbox"), kannelBinary(t, "smsbox")

	smsc := startSMSC(t)
	var tr *httptransport.Transport
	var hookPaths sync.Map
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hookPaths.Store(r.URL.Path, true)
		tr.Webhook().ServeHTTP(w, r)
	}))
	defer hook.Close()

	adminPort, boxPort, sendPort := freePort(t), freePort(t), freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "kannel.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`
group = core
admin-port = %d
admin-password = admin-secret
smsbox-port = %d
box-allow-ip = 127.0.0.1
admin-allow-ip = 127.0.0.1
log-file = "%s/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = %s
transceiver-mode = true
smsc-username = advox-smsc
smsc-password = smscpass
system-type = ""
enquire-link-interval = 30

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = %d
log-file = "%s/smsbox.log"
log-level = 1

group = sendsms-user
username = advox
password = kannel-sendsms-password
`, adminPort, boxPort, dir, smsc.port, sendPort, dir)), 0o600))

	startBox(t, bearerbox, conf, dir, "bearerbox")
	waitPort(t, boxPort)
	require.Eventually(t, smsc.bound, 20*time.Second, 50*time.Millisecond, "bearerbox never bound to the SMSC")
	startBox(t, smsbox, conf, dir, "smsbox")
	waitPort(t, sendPort)

	var err error
	tr, err = httptransport.New(httptransport.Config{
		Profile:     httptransport.Kannel(),
		BaseURL:     "http://127.0.0.1:" + strconv.Itoa(sendPort),
		Credentials: httptransport.Credentials{User: "advox", Password: "kannel-sendsms-password"},
		CallbackURL: hook.URL + "/dlr/%C3%A5%41",
		Webhook:     httptransport.WebhookConfig{Secret: "sécret %C3%A4 /+&= 0123456789"},
	})
	require.NoError(t, err)
	defer tr.Close()

	t.Run("single parts", func(t *testing.T) {
		reports := collect(tr)
		cases := []struct {
			enc  transport.Encoding
			text string
		}{
			{transport.GSM7, "Hello from advox {€}"},
			{transport.UCS2, "Hej då 👋 ж"},
		}
		for i, c := range cases {
			m := &transport.Message{
				ID:   fmt.Sprintf("kannel-it-%d", i),
				From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
				To:   fmt.Sprintf("+4670123456%d", i), Encoding: c.enc, Parts: []string{c.text},
				ReportRequested: true,
			}
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err, "Kannel must accept the submit")
			assert.Equal(t, []string{httptransport.PartID(m.ID, 1)}, res.OperatorIDs)

			sub := smsc.next(t)
			assert.Equal(t, c.text, sub.text, "the SMSC must get the text back exactly")
			assert.Equal(t, c.enc, sub.enc)
			assert.Nil(t, sub.udh, "one part: no udh")
			assert.Equal(t, m.To, "+"+trimLeadingPlus(sub.to))

		}
		// Kannel reports the SMSC's acknowledgement (8) and the handset
		// delivery (1) on the dlr-url. smsbox fetches them concurrently,
		// and the handler runs on its own goroutine, so "accepted" may
		// come after "delivered" (or be dropped as a regression).
		delivered := map[string]bool{}
		for len(delivered) < len(cases) {
			r := reports.next(t)
			assert.Equal(t, httptransport.PartID(r.MessageID, 1), r.OperatorID)
			assert.False(t, r.At.IsZero())
			switch r.Status {
			case transport.StatusDelivered:
				delivered[r.MessageID] = true
			default:
				assert.Equal(t, transport.StatusAccepted, r.Status)
			}
		}
		assert.Equal(t, map[string]bool{"kannel-it-0": true, "kannel-it-1": true}, delivered)
		require.Eventually(t, func() bool { return tr.Stats().Reports == 4 }, 10*time.Second, 10*time.Millisecond)
		st := tr.Stats()
		assert.Equal(t, int64(4), st.Forwarded+st.Duplicates, "every report forwarded or dropped as a regression")
		assert.Zero(t, st.Unauthorized+st.Malformed, "the dlr-url came back unchanged")
		_, ok := hookPaths.Load("/dlr/åA")
		assert.True(t, ok, "the application's percent-encoded path came back as it was")
	})

	// Long UCS-2 texts, with emoji where Kannel's own split would cut
	// them, through the Client: the SMSC gets each part as the Client
	// split it, as many parts as were recorded and billed, and the record
	// follows the receipt of every part.
	t.Run("multipart through the Client", func(t *testing.T) {
		c := clientFor(t, tr)
		texts := []string{
			strings.Repeat("ж", 66) + "👋" + strings.Repeat("é", 70) + "😀 end",
			strings.Repeat("Räksmörgås 🦐 ", 30),
			strings.Repeat("Plain GSM text with {escapes} and €. ", 8),
		}
		for i, text := range texts {
			to := fmt.Sprintf("+4670765432%d", i)
			rcpt, err := c.Send(context.Background(), advox.Message{Account: "kannel-it", From: "Advox", To: to, Text: text})
			require.NoError(t, err)
			require.Greater(t, rcpt.Segments, 1)
			seg, err := advox.Preview(text, nil)
			require.NoError(t, err)
			var ref int
			var joined strings.Builder
			for n := 1; n <= rcpt.Segments; n++ {
				sub := smsc.next(t)
				assert.Equal(t, to, "+"+trimLeadingPlus(sub.to))
				assert.Equal(t, rcpt.Encoding, sub.enc)
				require.Len(t, sub.udh, 6, "part %d has the concatenation header", n)
				if n == 1 {
					ref = int(sub.udh[3])
				}
				assert.Equal(t, []byte{5, 0, 3, byte(ref), byte(rcpt.Segments), byte(n)}, sub.udh)
				assert.Equal(t, seg.Parts[n-1], sub.text, "part %d exactly as the Client split it", n)
				assert.NotContains(t, sub.text, "\uFFFD")
				joined.WriteString(sub.text)
			}
			assert.Equal(t, text, joined.String())
			smsc.none(t) // no part split again, nothing more on the wire
			statusOf(t, c, rcpt.ID, transport.StatusDelivered)
		}

		// A second part the handset never gets fails the message, though
		// the first part's receipt says delivered.
		smsc.undeliverable("+46707654399", 2)
		rcpt, err := c.Send(context.Background(), advox.Message{
			Account: "kannel-it", From: "Advox", To: "+46707654399", Text: strings.Repeat("ж", 100),
		})
		require.NoError(t, err)
		require.Equal(t, 2, rcpt.Segments)
		smsc.next(t)
		smsc.next(t)
		statusOf(t, c, rcpt.ID, transport.StatusUndeliverable)
	})

	// Wrong credentials are Kannel's 403, a rejection.
	bad, err := httptransport.New(httptransport.Config{
		Profile: httptransport.Kannel(), BaseURL: "http://127.0.0.1:" + strconv.Itoa(sendPort),
		Credentials: httptransport.Credentials{User: "advox", Password: "wrong-password"},
	})
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.Submit(context.Background(), &transport.Message{
		ID: "x", From: transport.Sender{Value: "Advox"}, To: "+46700000000", Encoding: transport.GSM7, Parts: []string{"x"},
	})
	assert.ErrorIs(t, err, transport.ErrRejected)
	assert.Contains(t, err.Error(), "Authorization failed for sendsms")
}

func trimLeadingPlus(s string) string {
	if len(s) > 0 && s[0] == '+' {
		return s[1:]
	}
	return s
}

func kannelBinary(t *testing.T, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := "/usr/sbin/" + name
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "port %d never opened", port)
}

// startBox runs a Kannel box until the test ends, and prints its log on
// failure.
func startBox(t *testing.T, bin, conf, dir, name string) {
	cmd := exec.Command(bin, conf)
	out, err := os.Create(filepath.Join(dir, name+".out"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		out.Close()
		if t.Failed() {
			for _, f := range []string{name + ".out", name + ".log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				t.Logf("%s:\n%s", f, b)
			}
		}
	})
}

// smscSubmit is a submit_sm as the test SMSC decoded it.
type smscSubmit struct {
	to, text string
	enc      transport.Encoding
	udh      []byte
}

// testSMSC is a minimal SMPP 3.4 SMSC: it binds any transceiver with the
// configured credentials, answers enquire_link, acknowledges submit_sm
// with a decimal id and then sends a DELIVRD receipt for it (UNDELIV for
// a part marked undeliverable).
type testSMSC struct {
	port    string
	l       net.Listener
	mu      sync.Mutex
	conns   []net.Conn
	isBound bool
	subs    chan smscSubmit
	wg      sync.WaitGroup
	seq     uint32
	undeliv map[string]int // recipient → part number never delivered
}

// undeliverable makes the receipt of part (1-based) to `to` say UNDELIV.
func (s *testSMSC) undeliverable(to string, part int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.undeliv[trimLeadingPlus(to)] = part
}

// none checks that no further submit_sm arrives for a short while.
func (s *testSMSC) none(t *testing.T) {
	t.Helper()
	select {
	case m := <-s.subs:
		require.FailNow(t, "unexpected submit_sm", "%+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

func startSMSC(t *testing.T) *testSMSC {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &testSMSC{l: l, subs: make(chan smscSubmit, 64), undeliv: map[string]int{}}
	_, s.port, _ = net.SplitHostPort(l.Addr().String())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *testSMSC) bound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isBound
}

func (s *testSMSC) next(t *testing.T) smscSubmit {
	select {
	case m := <-s.subs:
		return m
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the SMSC never got the submit")
	}
	return smscSubmit{}
}

func (s *testSMSC) serve(c net.Conn) {
	r := bufio.NewReader(c)
	var wmu sync.Mutex
	write := func(p pdu.Body) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = p.SerializeTo(c)
	}
	for {
		p, err := pdu.Decode(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				return
			}
			return
		}
		h := p.Header()
		switch h.ID {
		case pdu.BindTransceiverID:
			resp := pdu.NewBindTransceiverResp()
			resp.Header().Seq = h.Seq
			f := p.Fields()
			if f[pdufield.SystemID].String() != "advox-smsc" || f[pdufield.Password].String() != "smscpass" {
				resp.Header().Status = 0x0E // ESME_RINVPASWD
			} else {
				s.mu.Lock()
				s.isBound = true
				s.mu.Unlock()
			}
			_ = resp.Fields().Set(pdufield.SystemID, "advox-test-smsc")
			write(resp)
		case pdu.EnquireLinkID:
			write(pdu.NewEnquireLinkRespSeq(h.Seq))
		case pdu.UnbindID:
			resp := pdu.NewUnbindResp()
			resp.Header().Seq = h.Seq
			write(resp)
			return
		case pdu.SubmitSMID:
			s.mu.Lock()
			s.seq++
			id := strconv.Itoa(int(1000 + s.seq))
			s.mu.Unlock()
			f := p.Fields()
			sub := smscSubmit{to: f[pdufield.DestinationAddr].String(), enc: transport.GSM7}
			raw := f[pdufield.ShortMessage].Bytes()
			if f[pdufield.ESMClass].Bytes()[0]&0x40 != 0 && len(raw) > 0 && len(raw) > int(raw[0]) {
				sub.udh, raw = raw[:1+int(raw[0])], raw[1+int(raw[0]):]
			}
			if f[pdufield.DataCoding].Bytes()[0] == 0x08 {
				sub.enc = transport.UCS2
				u := make([]uint16, len(raw)/2)
				for i := range u {
					u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
				}
				sub.text = string(utf16.Decode(u))
			} else {
				sub.text, _ = gsm7.Decode(raw)
			}
			resp := pdu.NewSubmitSMResp()
			resp.Header().Seq = h.Seq
			_ = resp.Fields().Set(pdufield.MessageID, id)
			write(resp)
			s.subs <- sub
			dlr := pdu.NewDeliverSM()
			dlr.Header().Seq = 900000 + s.seq
			df := dlr.Fields()
			_ = df.Set(pdufield.SourceAddr, sub.to)
			_ = df.Set(pdufield.DestinationAddr, f[pdufield.SourceAddr].String())
			_ = df.Set(pdufield.ESMClass, uint8(0x04))
			now := time.Now().UTC().Format("0601021504")
			stat, dlvrd := "DELIVRD", "001"
			s.mu.Lock()
			if n, ok := s.undeliv[trimLeadingPlus(sub.to)]; ok && len(sub.udh) == 6 && int(sub.udh[5]) == n {
				stat, dlvrd = "UNDELIV", "000"
			}
			s.mu.Unlock()
			_ = df.Set(pdufield.ShortMessage, "id:"+id+" sub:001 dlvrd:"+dlvrd+" submit date:"+now+" done date:"+now+" stat:"+stat+" err:000 text:x")
			write(dlr)
		}
	}
}
