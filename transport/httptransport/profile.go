package httptransport

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/azenna/advox/transport"
)

// Profile describes one operator's HTTP dialect. The built-in profiles are
// returned by Kannel, Elks46, SinchBatches and GenericJSON; a new operator
// is added by filling a Profile (often by adjusting a built-in one).
type Profile struct {
	// Name identifies the dialect; the transport's default Name is
	// "http:" + Name.
	Name string
	// Method is the submit request's method; "" means POST.
	Method string
	// Path is appended to Config.BaseURL, e.g. "/cgi-bin/sendsms".
	Path string
	// Body says how the request fields travel.
	Body BodyFormat
	// Auth says how the submit request carries Config.Credentials.
	Auth Auth
	// Fields maps the message onto request fields.
	Fields Fields
	// Response says how to read an accepted submit's answer.
	Response ResponseSpec
	// Classify maps the operator's answer to a Class; nil means
	// DefaultClassifier.
	Classify Classifier
	// Reports is the delivery-report dialect the webhook speaks.
	Reports ReportDialect
	// Inbound is how the operator posts messages from handsets to
	// InboundWebhook; a zero Inbound (no Parse) takes none.
	Inbound InboundDialect
	// PerPart sends each part of a multipart message as a request of its
	// own, exactly as the Client split it, for gateways that would
	// otherwise split the whole text again their own way (Kannel).
	// Fields.Text carries the part's text and Fields.UDH its concatenation
	// header: a reference of the width Message.Concat says, derived from
	// Message.ID so that a part sent again carries the same one, the part
	// count and the part's number. Each part's callback URL names the part
	// (PartParam), so delivery reports are per part, and Result.OperatorIDs
	// holds one id per part: the operator's, or PartID when it answers
	// none. A part that fails after earlier parts were accepted fails the
	// Submit with a *transport.PartialError naming those, Resumable with
	// the reference they carry: Transport.SubmitParts sends the rest. A
	// profile without PerPart sends no part alone (SubmitParts refuses).
	PerPart bool
}

// BodyFormat says where request (or report) fields travel.
type BodyFormat string

// The body formats.
const (
	// BodyQuery puts the fields in the URL query string (typically GET).
	BodyQuery BodyFormat = "query"
	// BodyForm sends application/x-www-form-urlencoded.
	BodyForm BodyFormat = "form"
	// BodyJSON sends a flat JSON object (arrays where Fields.ToArray says).
	BodyJSON BodyFormat = "json"
)

// AuthKind is how a submit request authenticates.
type AuthKind string

// The authentication kinds of submit requests.
const (
	// AuthNone sends no credentials.
	AuthNone AuthKind = "none"
	// AuthBasic sends Credentials.User and Password as HTTP basic auth.
	AuthBasic AuthKind = "basic"
	// AuthBearer sends "Authorization: Bearer " + Credentials.Token.
	AuthBearer AuthKind = "bearer"
	// AuthHeader sends Credentials.Token in the header named Auth.Header.
	AuthHeader AuthKind = "header"
	// AuthFields sends the credentials as request fields, wherever the
	// other fields travel (query or body), named by Auth.UserField,
	// PasswordField and TokenField.
	AuthFields AuthKind = "fields"
	// AuthQuery sends the credential fields in the URL query string even
	// when the other fields travel in the body.
	AuthQuery AuthKind = "query"
)

// Auth describes how a submit request carries the credentials.
type Auth struct {
	// Kind is how the credentials travel (AuthNone: not at all). It is
	// required: New refuses a profile without it.
	Kind AuthKind
	// Header is the header name for AuthHeader, e.g. "X-API-Key".
	Header string
	// UserField, PasswordField and TokenField name the credential fields
	// for AuthFields and AuthQuery; an empty name is not sent.
	UserField, PasswordField, TokenField string
}

// Fields maps a transport.Message onto request fields. An empty name means
// the field is not sent.
type Fields struct {
	// From, To and Text name the sender, recipient and whole-text fields.
	From, To, Text string
	// ToArray sends To as a one-element JSON array (batch APIs).
	ToArray bool
	// Reference names the field carrying Message.ID, the client reference
	// the operator echoes in delivery reports.
	Reference string
	// Callback names the field carrying the delivery-report URL, sent when
	// the message asks for reports and Config.CallbackURL is set.
	Callback string
	// ValidFor names the field carrying Message.ValidFor: a count of
	// ValidForUnit rounded up (zero unit: seconds), or with ValidForLayout
	// the absolute time it runs out (Config.Now plus ValidFor, UTC) in that
	// layout. MaxValidFor, when positive, is the longest validity the
	// operator takes; a longer one is sent as MaxValidFor, which still
	// honours the bound (the operator gives up sooner, never later). A
	// profile without ValidFor takes no validity at all: the transport says
	// so to the Client (transport.ValidityAware), and Submit refuses, before
	// sending, a message that asks for one rather than drop it silently.
	ValidFor       string
	ValidForUnit   time.Duration
	ValidForLayout string
	MaxValidFor    time.Duration
	// UDH names the field carrying a part's User Data Header (raw bytes,
	// encoded as the body format encodes any value) when Profile.PerPart
	// sends a multipart message.
	UDH string
	// Static fields are sent with every request.
	Static map[string]string
	// ByEncoding holds fields sent for a given encoding (a coding or
	// charset parameter).
	ByEncoding map[transport.Encoding]map[string]string
	// WhenReport holds fields sent when the message asks for delivery
	// reports (a report mask or mode).
	WhenReport map[string]string
}

// ResponseFormat is how an accepted submit's answer is encoded.
type ResponseFormat string

// The response formats.
const (
	// ResponseJSON is a JSON object read with dotted paths.
	ResponseJSON ResponseFormat = "json"
	// ResponseText is a plain-text reply, read with IDPattern.
	ResponseText ResponseFormat = "text"
)

// ResponseSpec says how to read the answer to an accepted submit.
type ResponseSpec struct {
	// Format is how the answer is encoded, ResponseJSON or ResponseText.
	// It is required: New refuses a profile without it.
	Format ResponseFormat
	// ID is the dotted JSON path of the operator's id (a string, a number
	// or an array of them, one per part). Empty: the operator returns none.
	ID string
	// IDPattern reads the id from a text reply: its first submatch.
	IDPattern *regexp.Regexp
	// RequireID makes an answer without an id malformed (outcome unknown).
	RequireID bool
	// Parts and Price are the dotted JSON paths of the segment count and
	// the price, when the operator returns them.
	Parts, Price string
	// PartsPattern reads the segment count from a text reply: its first
	// submatch (Kannel's "Message splits: 2"). No match means the reply
	// does not say.
	PartsPattern *regexp.Regexp
	// PriceDecimals reads an integer price as a count of 10^-PriceDecimals
	// of the currency: 46elks' cost 3500, in 1/10,000 of the account
	// currency, is the price "0.35". A price that is not an integer then
	// is left out rather than misread. Zero keeps the price verbatim.
	PriceDecimals int
	// Error is the dotted JSON path of the operator's error text in a
	// refusal; empty means the whole body (first line).
	Error string
}

// ReportDialect is the delivery-report dialect of a profile.
type ReportDialect struct {
	// Format says where the report's fields are: the URL query (Kannel's
	// dlr-url GET), a form body or a JSON body (an object or an array).
	Format BodyFormat
	// Auth is how the webhook authenticates the operator.
	Auth InboundAuth
	// ID, Reference, Status, Error and Time name the report fields (dotted
	// paths for JSON). Either ID or Reference must be present in a report;
	// the reference also comes from the "ref" parameter the transport adds
	// to the callback URL, and a part's id from its "part" parameter
	// (Profile.PerPart). The error code is kept only on reports of a
	// failure (a final status other than delivered): operators fill the
	// field with success codes too (Sinch's 0, 400 Queued, 401
	// Dispatched), which are no error.
	ID, Reference, Status, Error, Time string
	// OperatorTime names a time field that, when a report carries it, is
	// used instead of Time: when the operator's network reached the
	// status (Sinch's operator_status_at), where Time is when the report
	// was written.
	OperatorTime string
	// Kind names the field that tells a callback's kind, for operators that
	// post other callbacks (an inbound SMS, a batch summary) to the same
	// URL; ReportKinds lists the values that mean a delivery report. A
	// callback whose Kind field is present with another value is
	// acknowledged and counted (Stats.Ignored), so the operator does not
	// retry it for hours, and never read as a report. A callback without
	// the field is read as a report. Empty Kind: every callback is a
	// report.
	Kind        string
	ReportKinds []string
	// Statuses maps the operator's status values onto the vocabulary.
	// Values are matched exactly, then case-insensitively.
	Statuses map[string]transport.Status
	// TimeLayouts are tried in order to parse Time; UnixTime means
	// seconds since the epoch. A layout without a zone is read as UTC.
	TimeLayouts []string
	// CallbackQuery is appended verbatim to the callback URL's query, so
	// it can carry an operator's substitution escapes (Kannel's %d).
	CallbackQuery string
	// EscapePercent says the operator expands %-escapes in the callback
	// URL (Kannel, where "%%" is a literal "%"): every "%" of the URL the
	// transport builds — the percent-encoded bytes of Config.CallbackURL
	// and of its parameters — is doubled, so that none can be read as an
	// escape (Kannel's %A…%F, %a…%f) and the webhook gets the URL back
	// unchanged. CallbackQuery is appended as it is.
	EscapePercent bool
	// Ack is the exact answer the operator expects for a report it may
	// stop retrying.
	Ack Ack
	// SignatureHeader, TimestampHeader and NonceHeader name the headers of
	// InboundHMAC; empty names mean the X-Advox-* defaults.
	SignatureHeader, TimestampHeader, NonceHeader string
}

// UnixTime as a TimeLayouts entry reads seconds since the epoch.
const UnixTime = "unix"

// Ack is the webhook's answer to an accepted report.
type Ack struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// ContentType of Body; empty means text/plain when Body is set.
	ContentType string
	// Body is written verbatim.
	Body string
}

// InboundAuth is how the webhook authenticates delivery reports.
type InboundAuth string

// The webhook authentication kinds. There is no "none": a report changes
// billing data, so an unauthenticated webhook is never offered.
const (
	// InboundToken requires the "token" URL parameter to equal
	// Webhook.Secret; the transport adds it to the callback URL it sends
	// (give it to the operator yourself when the callback is configured in
	// its portal).
	InboundToken InboundAuth = "token"
	// InboundMessageToken requires the "token" URL parameter to be the
	// message's own token: an HMAC-SHA256 keyed with Webhook.Secret over
	// the message id and part the callback URL names ("ref", "part"),
	// which the transport puts in each message's callback URL. Reports on
	// such a URL must be about that message. A URL that leaks (operator
	// logs, a dashboard) lets nobody report on any other message, and the
	// operator needs no configuration. It needs Config.CallbackURL.
	InboundMessageToken InboundAuth = "message-token"
	// InboundBasic requires HTTP basic auth with Webhook.User and
	// Password, which the operator is configured to send (Sinch: ask the
	// account manager); the transport never puts them in a URL. With
	// Webhook.Secret set too, the callback URL also carries the message's
	// token (see InboundMessageToken), and both are required.
	InboundBasic InboundAuth = "basic"
	// InboundHMAC requires an HMAC-SHA256 signature, keyed with
	// Webhook.Secret, over timestamp + "." + nonce + "." + payload (the
	// body, or the raw query for BodyQuery reports), hex in the signature
	// header (an optional "sha256=" prefix is accepted). Timestamps outside
	// Webhook.ReplayWindow and nonces seen within it are refused.
	InboundHMAC InboundAuth = "hmac"
)

// The HMAC header names used when the dialect names none.
const (
	DefaultSignatureHeader = "X-Advox-Signature"
	DefaultTimestampHeader = "X-Advox-Timestamp"
	DefaultNonceHeader     = "X-Advox-Nonce"
)

// RefParam, PartParam and TokenParam are the callback URL parameters the
// transport adds: the library's message id, the part's number (1-based,
// Profile.PerPart) and the shared secret (InboundToken) or the message's
// token (InboundMessageToken, InboundBasic with a Secret).
const (
	RefParam   = "ref"
	PartParam  = "part"
	TokenParam = "token"
)

// method returns the submit method.
func (p *Profile) method() string {
	if p.Method == "" {
		return http.MethodPost
	}
	return p.Method
}

// classify runs the profile's classifier or the default.
func (p *Profile) classify(r Reply) Class {
	if p.Classify != nil {
		return p.Classify(r)
	}
	return DefaultClassifier(r)
}

// validate checks that the profile is complete enough to send.
func (p *Profile) validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("profile has no Name"))
	}
	switch p.Body {
	case BodyQuery, BodyForm, BodyJSON:
	default:
		errs = append(errs, fmt.Errorf("profile Body %q is not query, form or json", p.Body))
	}
	if p.Fields.To == "" || p.Fields.Text == "" {
		errs = append(errs, errors.New("profile Fields.To and Fields.Text are required"))
	}
	switch p.Auth.Kind {
	case AuthNone, AuthBasic, AuthBearer:
	case AuthHeader:
		if p.Auth.Header == "" {
			errs = append(errs, errors.New("profile AuthHeader needs Auth.Header"))
		}
	case AuthFields, AuthQuery:
		if p.Auth.UserField == "" && p.Auth.PasswordField == "" && p.Auth.TokenField == "" {
			errs = append(errs, errors.New("profile credential fields are not named"))
		}
	default:
		errs = append(errs, fmt.Errorf("profile Auth.Kind %q is unknown", p.Auth.Kind))
	}
	switch p.Response.Format {
	case ResponseJSON, ResponseText:
	default:
		errs = append(errs, fmt.Errorf("profile Response.Format %q is not json or text", p.Response.Format))
	}
	if p.PerPart && p.Fields.UDH == "" {
		errs = append(errs, errors.New("profile PerPart needs Fields.UDH"))
	}
	if p.Fields.MaxValidFor < 0 || p.Response.PriceDecimals < 0 || p.Response.PriceDecimals > 18 {
		errs = append(errs, errors.New("profile MaxValidFor or PriceDecimals out of range"))
	}
	errs = append(errs, p.Inbound.validate())
	return errors.Join(errs...)
}

// validate checks the report dialect.
func (d *ReportDialect) validate() error {
	var errs []error
	switch d.Format {
	case BodyQuery, BodyForm, BodyJSON:
	default:
		errs = append(errs, fmt.Errorf("report Format %q is not query, form or json", d.Format))
	}
	switch d.Auth {
	case InboundToken, InboundMessageToken, InboundBasic, InboundHMAC:
	default:
		errs = append(errs, fmt.Errorf("report Auth %q is not token, message-token, basic or hmac", d.Auth))
	}
	if d.Status == "" || len(d.Statuses) == 0 {
		errs = append(errs, errors.New("report Status field and Statuses mapping are required"))
	}
	for k, s := range d.Statuses {
		if !s.Valid() {
			errs = append(errs, fmt.Errorf("report status %q maps to %q, not in the vocabulary", k, s))
		}
	}
	return errors.Join(errs...)
}
