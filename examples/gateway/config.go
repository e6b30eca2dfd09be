package main

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/transport/httptransport"
)

// defaultConfigJSON is the configuration used when -config names none: both
// transports on in-process simulators, a route table, a demo account.
//
//go:embed default.json
var defaultConfigJSON []byte

// Defaults of the configuration fields left zero.
const (
	defaultRegion        = "SE"
	defaultPurgeEvery    = time.Hour
	defaultSendTimeout   = 30 * time.Second
	defaultMaxBody       = 64 << 10
	defaultMaxRecipients = 100
	defaultMetricsPath   = "/metrics"
	defaultWebhookPrefix = "/webhooks/"
)

// config is the gateway's configuration file.
type config struct {
	// Region is the default region of national recipient numbers.
	Region string `json:"region"`
	// PublicURL is the base URL operators reach the webhooks at; "" means
	// the listening address.
	PublicURL string `json:"public_url"`
	// KEK is the hex key-encryption key (32 bytes) that wraps the
	// per-account data keys; "" means a random per-process key (traffic
	// unreadable after a restart). It needs IndexKey.
	KEK secret `json:"kek"`
	// IndexKey is the hex key (≥ 32 bytes) of the blind index; "" means a
	// random per-process key, allowed only without KEK.
	IndexKey secret `json:"index_key"`
	// PurgeEvery is the retention enforcer's interval.
	PurgeEvery duration `json:"purge_every"`
	// SendTimeout bounds each message's send, independent of the HTTP
	// request (a customer hanging up must not leave a message half-sent).
	SendTimeout duration `json:"send_timeout"`
	// MaxBody bounds request bodies, in bytes.
	MaxBody int64 `json:"max_body"`
	// MaxRecipients bounds the recipients of one send request.
	MaxRecipients int `json:"max_recipients"`
	// MetricsPath is where the Prometheus metrics are served.
	MetricsPath string `json:"metrics_path"`
	// Transports are the operators messages go out through.
	Transports []transportConfig `json:"transports"`
	// Routes choose a transport per message, first match wins.
	Routes []routeConfig `json:"routes"`
	// Accounts are seeded at start (created when missing, passwords set).
	Accounts []accountConfig `json:"accounts"`
}

// transportConfig is one operator connection. A transport without an
// address (Addr for SMPP, BaseURL for HTTP) runs against an in-process
// simulator.
type transportConfig struct {
	// Name identifies the transport in routes and in its webhook path.
	Name string `json:"name"`
	// Kind is "smpp" or "http".
	Kind string `json:"kind"`
	// Country, Agreement and Safeguard declare the operator as a
	// sub-processor (ISO country, date of the data processing agreement,
	// legal basis outside the EU/EEA).
	Country   string `json:"country"`
	Agreement date   `json:"agreement"`
	Safeguard string `json:"safeguard,omitempty"`

	// Addr, SystemID, Password, Sessions, Window and MaxRate configure
	// SMPP.
	Addr     string  `json:"addr,omitempty"`
	SystemID string  `json:"system_id,omitempty"`
	Password secret  `json:"password,omitempty"`
	Sessions int     `json:"sessions,omitempty"`
	Window   int     `json:"window,omitempty"`
	MaxRate  float64 `json:"max_rate,omitempty"`

	// Profile (kannel, 46elks, sinch, generic), BaseURL, User, Token and
	// the webhook credentials configure HTTP operators (Password is
	// shared with SMPP).
	Profile         string `json:"profile,omitempty"`
	BaseURL         string `json:"base_url,omitempty"`
	User            string `json:"user,omitempty"`
	Token           secret `json:"token,omitempty"`
	WebhookSecret   secret `json:"webhook_secret,omitempty"`
	WebhookUser     string `json:"webhook_user,omitempty"`
	WebhookPassword secret `json:"webhook_password,omitempty"`
}

// simulated reports whether the transport runs against a simulator.
func (t *transportConfig) simulated() bool {
	if t.Kind == kindSMPP {
		return t.Addr == ""
	}
	return t.BaseURL == ""
}

// webhookPath is where the transport's delivery-report webhook is mounted.
func (t *transportConfig) webhookPath() string { return defaultWebhookPrefix + t.Name }

// The transport kinds.
const (
	kindSMPP = "smpp"
	kindHTTP = "http"
)

// routeConfig is one route: which messages it takes and the transports it
// sends them through.
type routeConfig struct {
	// Name identifies the route in traffic records.
	Name string `json:"name"`
	// CallingCodes (46, 358, 1) and Prefixes ("+46", "+4670") match the
	// recipient's E.164 number, either sufficing; none of both matches
	// every number.
	CallingCodes []int    `json:"calling_codes,omitempty"`
	Prefixes     []string `json:"prefixes,omitempty"`
	// Senders match the sender kind (alphanumeric, shortcode,
	// international); none matches every sender.
	Senders []string `json:"senders,omitempty"`
	// Accounts match the sending account; none matches every account.
	Accounts []string `json:"accounts,omitempty"`
	// Transports are tried in order: the next one only when the previous
	// certainly did not take the message.
	Transports []string `json:"transports"`
	// Weights, when set (one per transport), spread messages over the
	// transports by weight instead.
	Weights []int `json:"weights,omitempty"`
}

// accountConfig is a customer account seeded at start.
type accountConfig struct {
	Account      string `json:"account"`
	Organisation string `json:"organisation"`
	OrgNumber    string `json:"org_number,omitempty"`
	Email        string `json:"email,omitempty"`
	// Rate and Burst are the contract's send rate; MonthlySegments its
	// monthly quota. Zero means none.
	Rate            float64      `json:"rate,omitempty"`
	Burst           int          `json:"burst,omitempty"`
	MonthlySegments int          `json:"monthly_segments,omitempty"`
	Users           []userConfig `json:"users"`
}

// userConfig is a login of a seeded account.
type userConfig struct {
	// ID is the login name: opaque, never an e-mail address.
	ID string `json:"id"`
	// Password is set at every start; "" means a random one, printed
	// once at start.
	Password secret `json:"password,omitempty"`
	// Allowed are the networks ("127.0.0.1/32", or a bare address) the
	// user may log in from.
	Allowed []string `json:"allowed"`
}

// loadConfig reads the configuration file at path, or the embedded
// default when path is "", applies the defaults and validates it.
func loadConfig(path string) (*config, error) {
	data := defaultConfigJSON
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		data = b
	}
	return parseConfig(data)
}

// parseConfig decodes a configuration (unknown fields are errors, so that
// a misspelt option is never silently ignored), applies the defaults and
// validates it.
func parseConfig(data []byte) (*config, error) {
	var c config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if trailing(dec) != nil {
		return nil, errors.New("config: trailing data after the JSON object")
	}
	c.applyDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &c, nil
}

func (c *config) applyDefaults() {
	if c.Region == "" {
		c.Region = defaultRegion
	}
	if c.PurgeEvery == 0 {
		c.PurgeEvery = duration(defaultPurgeEvery)
	}
	if c.SendTimeout == 0 {
		c.SendTimeout = duration(defaultSendTimeout)
	}
	if c.MaxBody == 0 {
		c.MaxBody = defaultMaxBody
	}
	if c.MaxRecipients == 0 {
		c.MaxRecipients = defaultMaxRecipients
	}
	if c.MetricsPath == "" {
		c.MetricsPath = defaultMetricsPath
	}
}

// nameRE is what transport and route names look like: they end up in URL
// paths, traffic records and metric labels.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// metricsPathRE is a plain URL path: no wildcards or spaces, which the
// ServeMux would read as a pattern (and panic on at start when malformed).
var metricsPathRE = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+$`)

// prefixRE is a route's number prefix.
var prefixRE = regexp.MustCompile(`^\+[0-9]{1,14}$`)

func (c *config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.PurgeEvery < 0 || c.SendTimeout < 0 || c.MaxBody < 0 || c.MaxRecipients < 0 {
		bad("purge_every, send_timeout, max_body and max_recipients must not be negative")
	}
	if c.KEK != "" {
		if k, err := hex.DecodeString(string(c.KEK)); err != nil || len(k) != 32 {
			bad("kek: want 64 hex digits (32 bytes)")
		}
	}
	if c.IndexKey != "" {
		if k, err := hex.DecodeString(string(c.IndexKey)); err != nil || len(k) < keyring.MinIndexKeyLen {
			bad("index_key: want at least %d hex digits", 2*keyring.MinIndexKeyLen)
		}
	}
	if c.KEK != "" && c.IndexKey == "" {
		// Traffic sealed under the kek outlives a restart; lookups by
		// number under a per-process index key would not find it.
		bad("index_key: required with kek, or lookups by number miss the traffic from before a restart")
	}
	if !metricsPathRE.MatchString(c.MetricsPath) || strings.HasPrefix(c.MetricsPath, "/v1/") ||
		strings.HasPrefix(c.MetricsPath, defaultWebhookPrefix) {
		bad("metrics_path: an absolute path of letters, digits and -._~, outside /v1/ and %s", defaultWebhookPrefix)
	}
	names := map[string]bool{}
	for i := range c.Transports {
		t := &c.Transports[i]
		if err := t.validate(); err != nil {
			bad("transports[%d]: %w", i, err)
		}
		if names[t.Name] {
			bad("transports[%d]: name %q used twice", i, t.Name)
		}
		names[t.Name] = true
	}
	if len(c.Transports) == 0 {
		bad("transports: at least one")
	}
	routes := map[string]bool{}
	for i := range c.Routes {
		r := &c.Routes[i]
		if err := r.validate(names); err != nil {
			bad("routes[%d]: %w", i, err)
		}
		if routes[r.Name] {
			bad("routes[%d]: name %q used twice", i, r.Name)
		}
		routes[r.Name] = true
	}
	if len(c.Routes) == 0 {
		bad("routes: at least one")
	}
	users := map[string]bool{}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if err := a.validate(); err != nil {
			bad("accounts[%d]: %w", i, err)
		}
		for _, u := range a.Users {
			if users[u.ID] {
				bad("accounts[%d]: user id %q used twice", i, u.ID)
			}
			users[u.ID] = true
		}
	}
	return errors.Join(errs...)
}

func (t *transportConfig) validate() error {
	if !nameRE.MatchString(t.Name) {
		return fmt.Errorf("name %q: 1–32 lower-case letters, digits and '-'", t.Name)
	}
	switch t.Kind {
	case kindSMPP:
		if t.Addr != "" && t.SystemID == "" {
			return errors.New("system_id: required with addr")
		}
		if t.Profile != "" || t.BaseURL != "" {
			return errors.New("profile and base_url are for http transports")
		}
		if t.Sessions < 0 || t.Window < 0 || t.MaxRate < 0 {
			return errors.New("sessions, window and max_rate must not be negative")
		}
	case kindHTTP:
		if _, ok := profiles[t.Profile]; !ok {
			return fmt.Errorf("profile %q: one of kannel, 46elks, sinch, generic", t.Profile)
		}
		if t.Addr != "" || t.SystemID != "" {
			return errors.New("addr and system_id are for smpp transports")
		}
		if t.BaseURL != "" {
			if err := t.checkWebhookAuth(); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("kind %q: smpp or http", t.Kind)
	}
	if len(t.Country) != 2 {
		return errors.New("country: the operator's ISO 3166-1 alpha-2 code")
	}
	if t.Agreement.IsZero() {
		return errors.New("agreement: the date of the data processing agreement")
	}
	return nil
}

// checkWebhookAuth requires the webhook credentials the profile's
// delivery reports authenticate with: a report changes billing data, so a
// real operator's webhook is never left open.
func (t *transportConfig) checkWebhookAuth() error {
	switch profiles[t.Profile].profile().Reports.Auth {
	case httptransport.InboundBasic:
		if t.WebhookUser == "" || t.WebhookPassword == "" {
			return errors.New("webhook_user and webhook_password: required with base_url for this profile")
		}
	default:
		if t.WebhookSecret == "" {
			return errors.New("webhook_secret: required with base_url for this profile")
		}
	}
	return nil
}

func (r *routeConfig) validate(transports map[string]bool) error {
	if !nameRE.MatchString(r.Name) {
		return fmt.Errorf("name %q: 1–32 lower-case letters, digits and '-'", r.Name)
	}
	for _, p := range r.Prefixes {
		if !prefixRE.MatchString(p) {
			return fmt.Errorf("prefix %q: '+' and 1–14 digits", p)
		}
	}
	for _, cc := range r.CallingCodes {
		if cc < 1 || cc > 999 {
			return fmt.Errorf("calling code %d: 1–999", cc)
		}
	}
	for _, s := range r.Senders {
		if _, ok := senderKinds[s]; !ok {
			return fmt.Errorf("sender %q: alphanumeric, shortcode or international", s)
		}
	}
	for _, a := range r.Accounts {
		if err := advox.ValidateAccountID(a); err != nil {
			return err
		}
	}
	if len(r.Transports) == 0 {
		return errors.New("transports: at least one")
	}
	for _, t := range r.Transports {
		if !transports[t] {
			return fmt.Errorf("transport %q is not configured", t)
		}
	}
	if len(r.Weights) > 0 {
		if len(r.Weights) != len(r.Transports) {
			return errors.New("weights: one per transport")
		}
		sum := 0
		for _, w := range r.Weights {
			if w < 0 {
				return errors.New("weights: not negative (0 makes a backup)")
			}
			sum += w
		}
		if sum == 0 {
			return errors.New("weights: at least one positive")
		}
	}
	return nil
}

func (a *accountConfig) validate() error {
	if err := advox.ValidateAccountID(a.Account); err != nil {
		return err
	}
	if len(a.Users) == 0 {
		return errors.New("users: at least one")
	}
	for i, u := range a.Users {
		// An opaque login name: it appears in audit events.
		if err := advox.ValidateAccountID(u.ID); err != nil {
			return fmt.Errorf("users[%d]: id: %w", i, err)
		}
		if _, err := u.networks(); err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
	}
	return nil
}

// networks parses the allowed networks; a bare address is a single-host
// network.
func (u *userConfig) networks() ([]netip.Prefix, error) {
	if len(u.Allowed) == 0 {
		return nil, errors.New("allowed: at least one network")
	}
	out := make([]netip.Prefix, 0, len(u.Allowed))
	for _, s := range u.Allowed {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("allowed: %q is neither a network nor an address", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
