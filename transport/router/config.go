package router

import (
	"log/slog"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/azenna/advox/transport"
)

// Config configures a Router. Transports and Routes are required; every
// other zero field takes the default documented on it.
type Config struct {
	// Name is the Router's Name; "" means "router".
	Name string
	// Transports are the transports routes choose from, each known by its
	// Name(), which must be unique. The Router owns them: Close closes
	// them.
	Transports []transport.Transport
	// Routes is the route table, tried in order: the first route whose
	// Match accepts a message takes it.
	Routes []Route
	// Breaker sets when a failing transport leaves rotation.
	Breaker BreakerPolicy
	// Throttle sets how long a throttled transport is paused.
	Throttle ThrottlePolicy
	// Now is the clock of breaker and pause decisions; nil means
	// time.Now. Waits themselves use real timers.
	Now func() time.Time
	// Seed seeds the random order of Weighted routes, for reproducible
	// tests; 0 means a random seed.
	Seed uint64
	// Logger receives the breakers' state changes, each once; nil means
	// slog.Default().
	Logger *slog.Logger
	// MeterProvider receives the router's metrics (see MetricBreakerState
	// and the others); nil means the otel global provider.
	MeterProvider metric.MeterProvider
}

// Route is one entry of the route table.
type Route struct {
	// Name identifies the route in traffic records. Required, unique.
	Name string
	// Match selects the messages the route takes; the zero Match takes
	// every message (a default route).
	Match Match
	// Mode says how the transports share the route's messages.
	Mode Mode
	// Transports are the route's candidates by transport Name. Each
	// transport appears at most once.
	Transports []Target
	// SpillThrottled lets a throttled answer (nothing of the message
	// taken) move the message on to the route's next transport, and makes
	// submits pass a transport over while it is paused for throttling
	// instead of waiting for it. Off, a throttled answer goes back to the
	// caller and paused transports are waited for.
	SpillThrottled bool
}

// Target is a transport of a route.
type Target struct {
	// Transport is the Name() of one of Config.Transports.
	Transport string
	// Weight is the transport's share in a Weighted route: it is chosen
	// first with probability Weight/sum of weights. Weight 0 makes it a
	// backup, tried in order only after every weighted one. Must be 0 in a
	// Failover route.
	Weight int
}

// Mode is how a route chooses among its transports.
type Mode int

// The modes.
const (
	// Failover tries the transports in the order listed.
	Failover Mode = iota
	// Weighted draws the order by weight for every message, so the
	// transports share the traffic; the others remain the failover.
	Weighted
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Failover:
		return "failover"
	case Weighted:
		return "weighted"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Match selects messages. Each non-empty field must accept the message;
// within a field any one value suffices. CallingCodes and Prefixes are one
// criterion, the destination: a number matching either is accepted.
type Match struct {
	// CallingCodes are destination country calling codes (46, 358, 1).
	CallingCodes []int
	// Prefixes are destination prefixes in E.164 form ("+4670").
	Prefixes []string
	// Senders are sender kinds (transport.SenderAlphanumeric, …).
	Senders []transport.SenderKind
	// Accounts are account ids (transport.Message.Account).
	Accounts []string
}

// IsZero reports whether m takes every message.
func (m Match) IsZero() bool {
	return len(m.CallingCodes) == 0 && len(m.Prefixes) == 0 && len(m.Senders) == 0 && len(m.Accounts) == 0
}
