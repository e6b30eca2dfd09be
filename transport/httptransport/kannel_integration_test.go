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
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

// TestRealKannel sends through a real Kannel 1.4 bearerbox and smsbox
// (Debian's kannel package) whose SMSC is a minimal SMPP server in this
// test, and receives the delivery reports smsbox posts to the dlr-url.
// It runs only with ADVOX_KANNEL=1 and the binaries on PATH or in
// /usr/sbin.
func TestRealKannel(t *testing.T) {
	if os.Getenv("ADVOX_KANNEL") != "1" {
		t.Skip("set ADVOX_KANNEL=1 to run against a real Kannel (apt-get install kannel)")
	}
	bearerbox, smsbox := kannelBinary(t, "bearerbox"), kannelBinary(t, "smsbox")

	smsc := startSMSC(t)
	var reports reportLog
	reports.ch = make(chan transport.Report, 16)
	var tr *httptransport.Transport
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
max-messages = 3
concatenation = true
`, adminPort, boxPort, dir, smsc.port, sendPort, dir)), 0o600))

	startBox(t, bearerbox, conf, dir, "bearerbox")
	waitPort(t, boxPort)
	startBox(t, smsbox, conf, dir, "smsbox")
	waitPort(t, sendPort)
	require.Eventually(t, smsc.bound, 20*time.Second, 50*time.Millisecond, "bearerbox never bound to the SMSC")

	var err error
	tr, err = httptransport.New(httptransport.Config{
		Profile:     httptransport.Kannel(),
		BaseURL:     "http://127.0.0.1:" + strconv.Itoa(sendPort),
		Credentials: httptransport.Credentials{User: "advox", Password: "kannel-sendsms-password"},
		CallbackURL: hook.URL + "/dlr",
		Webhook:     httptransport.WebhookConfig{Secret: hookSecret},
	})
	require.NoError(t, err)
	defer tr.Close()
	tr.SetReportHandler(func(_ context.Context, r transport.Report) { reports.ch <- r })

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
		assert.Empty(t, res.OperatorIDs)

		sub := smsc.next(t)
		assert.Equal(t, c.text, sub.text, "the SMSC must get the text back exactly")
		assert.Equal(t, c.enc, sub.enc)
		assert.Equal(t, m.To, "+"+trimLeadingPlus(sub.to))

		// Kannel reports the SMSC's acknowledgement (8) and the handset
		// delivery (1) on the dlr-url. smsbox fetches them concurrently,
		// so "accepted" may arrive after "delivered": it is then a
		// regression, acknowledged and dropped.
		for {
			r := reports.next(t)
			assert.Equal(t, m.ID, r.MessageID)
			assert.False(t, r.At.IsZero())
			if r.Status == transport.StatusDelivered {
				break
			}
			assert.Equal(t, transport.StatusAccepted, r.Status)
		}
		want := int64(2 * (i + 1))
		require.Eventually(t, func() bool { return tr.Stats().Reports == want }, 10*time.Second, 10*time.Millisecond)
		st := tr.Stats()
		assert.Equal(t, want, st.Forwarded+st.Duplicates, "every report forwarded or dropped as a regression")
		assert.Zero(t, st.Unauthorized+st.Malformed)
	}

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
}

// testSMSC is a minimal SMPP 3.4 SMSC: it binds any transceiver with the
// configured credentials, answers enquire_link, acknowledges submit_sm
// with a decimal id and then sends a DELIVRD receipt for it.
type testSMSC struct {
	port    string
	l       net.Listener
	mu      sync.Mutex
	conns   []net.Conn
	isBound bool
	subs    chan smscSubmit
	wg      sync.WaitGroup
	seq     uint32
}

func startSMSC(t *testing.T) *testSMSC {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &testSMSC{l: l, subs: make(chan smscSubmit, 16)}
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
			_ = df.Set(pdufield.ShortMessage, "id:"+id+" sub:001 dlvrd:001 submit date:"+now+" done date:"+now+" stat:DELIVRD err:000 text:x")
			write(dlr)
		}
	}
}
