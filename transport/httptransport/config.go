package httptransport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// Config configures a Transport. Profile and BaseURL are required; every
// other zero field means its default.
type Config struct {
	// Profile is the operator's dialect.
	Profile Profile
	// BaseURL is the operator's scheme, host and optional path prefix;
	// Profile.Path is appended to it.
	BaseURL string
	// Credentials authenticate submits, as Profile.Auth says.
	Credentials Credentials
	// HTTPClient sends the submits. nil means a client with dial, TLS,
	// header and overall timeouts and keep-alive pooling. A supplied
	// client is copied with redirects disabled (a redirected POST would
	// turn into a GET).
	HTTPClient *http.Client
	// TLS configures the default client's TLS (ignored with HTTPClient).
	TLS *tls.Config
	// Timeout bounds each submit attempt, whatever the client's own
	// timeouts; 0 means DefaultTimeout.
	Timeout time.Duration
	// Name is the transport's Name; "" means "http:" + Profile.Name.
	Name string
	// Operator declares the operator this transport hands messages to
	// (its name, country and data processing agreement): a Client given
	// no sub-processor register (advox.Options.Processors) registers it
	// itself (transport.Operated). The zero value declares none; the
	// application registers the operator instead.
	Operator transport.Operator
	// CallbackURL is the public URL where the application mounts Webhook.
	// When set, messages that ask for reports carry it (with the message
	// id and the webhook token) in Profile.Fields.Callback. When the
	// callback is instead configured once in the operator's portal, leave
	// it empty, set Webhook's secrets, and give the operator the URL with
	// the credentials yourself (e.g. "…/dlr?token=<Webhook.Secret>" for
	// InboundToken; InboundMessageToken cannot work that way).
	CallbackURL string
	// Webhook configures the delivery-report handler.
	Webhook WebhookConfig
	// Now is the clock for absolute validity times
	// (Fields.ValidForLayout); nil means time.Now.
	Now func() time.Time
}

// Credentials authenticate submits. They never appear in errors or logs;
// String and GoString redact them.
type Credentials struct {
	User, Password string
	// Token is a bearer token or API key.
	Token string
}

// String redacts the credentials.
func (Credentials) String() string { return "httptransport.Credentials{redacted}" }

// GoString redacts the credentials.
func (c Credentials) GoString() string { return c.String() }

// WebhookConfig configures the delivery-report handler.
type WebhookConfig struct {
	// Secret is the shared token (InboundToken), the key of the
	// per-message tokens (InboundMessageToken, and InboundBasic when set)
	// or the HMAC key (InboundHMAC).
	Secret string
	// User and Password are the basic-auth credentials the operator is
	// configured to send (InboundBasic).
	User, Password string
	// MaxBody bounds a report's body; 0 means DefaultMaxReportBody.
	MaxBody int64
	// ReplayWindow is how old (or how far in the future) a signed report's
	// timestamp may be; 0 means DefaultReplayWindow.
	ReplayWindow time.Duration
	// ParkFor is how long a report whose operator id is not known yet
	// waits for a submit in flight to learn it; 0 means DefaultParkFor.
	ParkFor time.Duration
	// Remember is how many recent messages are kept for correlation and
	// duplicate detection; 0 means DefaultRemember.
	Remember int
	// Now is the clock for replay checks; nil means time.Now.
	Now func() time.Time
}

// String redacts the secrets.
func (w WebhookConfig) String() string {
	return fmt.Sprintf("httptransport.WebhookConfig{MaxBody:%d ReplayWindow:%s ParkFor:%s Remember:%d secrets:redacted}",
		w.MaxBody, w.ReplayWindow, w.ParkFor, w.Remember)
}

// GoString redacts the secrets.
func (w WebhookConfig) GoString() string { return w.String() }

// The defaults of zero Config and WebhookConfig fields.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxReportBody = 64 << 10
	DefaultReplayWindow  = 5 * time.Minute
	DefaultParkFor       = 2 * time.Second
	DefaultRemember      = 10000
)

// maxResponse bounds how much of a submit answer is read.
const maxResponse = 64 << 10

// withDefaults fills the zero fields of w.
func (w WebhookConfig) withDefaults() WebhookConfig {
	if w.MaxBody <= 0 {
		w.MaxBody = DefaultMaxReportBody
	}
	if w.ReplayWindow <= 0 {
		w.ReplayWindow = DefaultReplayWindow
	}
	if w.ParkFor <= 0 {
		w.ParkFor = DefaultParkFor
	}
	if w.Remember <= 0 {
		w.Remember = DefaultRemember
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	return w
}

// validate checks cfg and returns the endpoint and callback URLs.
func (cfg *Config) validate() (endpoint, callback *url.URL, err error) {
	p := &cfg.Profile
	errs := []error{p.validate()}
	endpoint, err = parseHTTPURL(strings.TrimSuffix(cfg.BaseURL, "/") + p.Path)
	if err != nil {
		errs = append(errs, fmt.Errorf("BaseURL: %w", err))
	}
	c := cfg.Credentials
	switch p.Auth.Kind {
	case AuthBasic:
		if c.User == "" || c.Password == "" {
			errs = append(errs, errors.New("basic auth needs Credentials.User and Password"))
		}
	case AuthBearer, AuthHeader:
		if c.Token == "" {
			errs = append(errs, errors.New("token auth needs Credentials.Token"))
		}
	}
	if cfg.Timeout < 0 {
		errs = append(errs, errors.New("negative Timeout"))
	}
	if cfg.CallbackURL != "" {
		if callback, err = parseHTTPURL(cfg.CallbackURL); err != nil {
			errs = append(errs, fmt.Errorf("CallbackURL: %w", err))
		}
	}
	w := &cfg.Webhook
	if cfg.CallbackURL != "" || w.Secret != "" || w.User != "" || w.Password != "" {
		errs = append(errs, p.Reports.validate(), w.validate(p.Reports.Auth))
		if p.Reports.Auth == InboundMessageToken && cfg.CallbackURL == "" {
			errs = append(errs, errors.New("per-message webhook tokens need CallbackURL: the transport writes each message's URL"))
		}
	}
	return endpoint, callback, errors.Join(errs...)
}

// validate checks that the webhook has the secrets its auth kind needs.
func (w *WebhookConfig) validate(kind InboundAuth) error {
	switch kind {
	case InboundToken, InboundMessageToken, InboundHMAC:
		if len(w.Secret) < 16 {
			return errors.New("webhook Secret must be at least 16 bytes")
		}
	case InboundBasic:
		if w.User == "" || len(w.Password) < 16 {
			return errors.New("webhook basic auth needs User and a Password of at least 16 bytes")
		}
		if w.Secret != "" && len(w.Secret) < 16 {
			return errors.New("webhook Secret must be at least 16 bytes")
		}
	}
	return nil
}

// parseHTTPURL parses an absolute http or https URL. Its errors never
// quote the URL, which may hold credentials.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("not an absolute http or https URL")
	}
	return u, nil
}
