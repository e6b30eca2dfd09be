package router_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/internal/nodesmpp"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
)

// nodeSMSCScript is an SMSC on node-smpp, driven line by line on stdin:
// "hang" (answer binds only, take submits silently), "resume", "stop"
// (close the listener and every session), "start" (listen again on the
// same port), "rate N" (throttle submits above N/s; 0: no limit),
// "received" (a JSON object: destination address → submits taken). It
// prints "listening PORT" once up and "ok" after each command.
const nodeSMSCScript = `
const smpp = require('smpp');
const readline = require('readline');
let hung = false, rate = 0, tokens = 0, last = Date.now(), nextId = 1, port = 0, server = null;
const received = {};
function take(pdu) { const to = pdu.destination_addr; received[to] = (received[to] || 0) + 1; }
function allow() {
	const now = Date.now();
	tokens = Math.min(rate, tokens + (now - last) * rate / 1000);
	last = now;
	if (tokens >= 1) { tokens -= 1; return true; }
	return false;
}
function start(cb) {
	server = smpp.createServer(session => {
		session.on('error', () => {});
		for (const b of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
			session.on(b, pdu => session.send(pdu.response({system_id: 'node-smpp'})));
		}
		session.on('enquire_link', pdu => { if (!hung) session.send(pdu.response()); });
		session.on('unbind', pdu => { if (!hung) { session.send(pdu.response()); session.close(); } });
		session.on('submit_sm', pdu => {
			if (hung) { take(pdu); return; }
			if (rate > 0 && !allow()) { session.send(pdu.response({command_status: smpp.ESME_RTHROTTLED})); return; }
			take(pdu);
			session.send(pdu.response({message_id: String(nextId++)}));
		});
	});
	server.on('error', e => { console.error(e); process.exit(1); });
	server.listen(port, '127.0.0.1', () => { port = server.address().port; cb(); });
}
function stop() {
	server.close();
	for (const s of server.sessions.slice()) s.destroy();
}
start(() => console.log('listening ' + port));
readline.createInterface({input: process.stdin}).on('line', line => {
	const [cmd, arg] = line.trim().split(' ');
	switch (cmd) {
	case 'hang': hung = true; break;
	case 'resume': hung = false; break;
	case 'stop': stop(); break;
	case 'start': start(() => console.log('ok')); return;
	case 'rate': rate = Number(arg); tokens = rate; last = Date.now(); break;
	case 'received': console.log(JSON.stringify(received)); return;
	}
	console.log('ok');
}).on('close', () => process.exit(0));
`

// nodeSMSC is one node-smpp SMSC process.
type nodeSMSC struct {
	t     testing.TB
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	addr  string
	mu    chan struct{} // one command at a time
	froze bool
}

func startNodeSMSC(t testing.TB, modules string) *nodeSMSC {
	t.Helper()
	p := nodesmpp.Start(t, modules, nodeSMSCScript)
	s := &nodeSMSC{t: t, cmd: p.Cmd, in: p.In, out: p.Out, addr: p.Addr, mu: make(chan struct{}, 1)}
	t.Cleanup(func() { // before the process's own cleanup: a stopped process never reads its closed stdin
		if s.froze {
			_ = s.cmd.Process.Signal(syscall.SIGCONT)
		}
	})
	return s
}

// do sends one command and returns its answer line.
func (s *nodeSMSC) do(cmd string) string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	_, err := fmt.Fprintln(s.in, cmd)
	require.NoError(s.t, err)
	require.True(s.t, s.out.Scan(), "node-smpp SMSC gone after %q", cmd)
	return s.out.Text()
}

// received returns the submits taken, by recipient in E.164 form.
func (s *nodeSMSC) received() map[string]int {
	var raw map[string]int
	require.NoError(s.t, json.Unmarshal([]byte(s.do("received")), &raw))
	out := make(map[string]int, len(raw))
	for to, n := range raw {
		out["+"+to] = n
	}
	return out
}

func (s *nodeSMSC) total() int {
	n := 0
	for _, c := range s.received() {
		n += c
	}
	return n
}

// freeze stops the process (SIGSTOP): its connections stay up, nothing is
// read or answered; thaw continues it.
func (s *nodeSMSC) freeze() {
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGSTOP))
	s.froze = true
}

func (s *nodeSMSC) thaw() {
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGCONT))
	s.froze = false
}

// TestFailoverAgainstNodeSMPP runs the failover scenarios of
// TestFailoverUnderFaults against two SMSCs this project did not write
// (node-smpp), counting what became of every message. It runs only with
// ADVOX_NODE_SMPP=1, node and npm on PATH (npm installs node-smpp outside
// the repository, see nodesmpp.Modules).
func TestFailoverAgainstNodeSMPP(t *testing.T) {
	if os.Getenv("ADVOX_NODE_SMPP") != "1" {
		t.Skip("set ADVOX_NODE_SMPP=1 to run against node-smpp (needs node and npm)")
	}
	modules := nodesmpp.Modules(t)
	const senders, window = 16, 10
	tests := []struct {
		name       string
		spill      bool
		run        func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) (fault time.Time)
		maxUnknown int
	}{
		{"killed", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.do("stop")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			return t0
		}, window},
		{"hung", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.do("hang")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			return t0
		}, window},
		{"frozen", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.freeze()
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			a.thaw()
			return t0
		}, window},
		{"throttling at 100/s", true, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			a.do("rate 100")
			l.until(t, func() bool { return p.a.Stats().Throttled > 0 }, "a throttles")
			n := a.total()
			t0 := time.Now()
			l.until(t, func() bool { return a.total() >= n+100 }, "a keeps taking traffic")
			t.Logf("a accepted %.1f submits/s", float64(a.total()-n)/time.Since(t0).Seconds())
			return time.Time{}
		}, 0},
		{"restarted", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			a.do("stop")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+50 }, "traffic flows through b")
			a.do("start")
			m := a.total()
			l.until(t, func() bool { return a.total() >= m+50 }, "a is back in rotation")
			assert.Equal(t, router.BreakerClosed, p.r.Breaker(p.a.Name()))
			return time.Time{}
		}, window},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := startNodeSMSC(t, modules), startNodeSMSC(t, modules)
			p := &pair{}
			cfgA := memberConfig("a", a.addr, window)
			cfgA.MaxRate = 200
			cfgA.BindMode = smpptransport.TransmitterReceiver
			p.route(t, cfgA, memberConfig("b", b.addr, window), tt.spill)
			t.Cleanup(func() { _ = p.c.Close() })
			l := p.start(senders)
			fault := tt.run(t, a, p, l, b)
			results := l.end()
			if a.froze {
				a.thaw()
			}
			onB := b.received()
			n := tallyOf(results, a.received(), onB)
			t.Logf("%+v", n)
			if !fault.IsZero() {
				first := time.Time{}
				for _, o := range results {
					if o.err == nil && onB[o.to] > 0 && o.at.After(fault) && (first.IsZero() || o.at.Before(first)) {
						first = o.at
					}
				}
				t.Logf("traffic through b %s after the fault", first.Sub(fault).Round(time.Millisecond))
			}
			assert.Zero(t, n.lost, "lost")
			assert.Zero(t, n.duplicated, "duplicated")
			assert.Zero(t, n.notSent, "not sent while b was free")
			assert.Zero(t, n.failed, "failed otherwise")
			assert.LessOrEqual(t, n.unknown, tt.maxUnknown, "unknown")
		})
	}
}
