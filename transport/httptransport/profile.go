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
	// ValidFor names the field carrying Message.ValidFor, rounded up to
	// whole ValidForUnit (zero unit: seconds).
	ValidFor     string
	ValidForUnit time.Duration
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
	// to the callback URL.
	ID, Reference, Status, Error, Time string
	// Statuses maps the operator's status values onto the vocabulary.
	// Values are matched exactly, then case-insensitively.
	Statuses map[string]transport.Status
	// TimeLayouts are tried in order to parse Time; UnixTime means
	// seconds since the epoch. A layout without a zone is read as UTC.
	TimeLayouts []string
	// CallbackQuery is appended verbatim to the callback URL's query, so
	// it can carry an operator's substitution escapes (Kannel's %d).
	CallbackQuery string
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
	// Webhook.Secret; the transport adds it to the callback URL it sends.
	InboundToken InboundAuth = "token"
	// InboundBasic requires HTTP basic auth with Webhook.User and
	// Password; the transport puts them in the callback URL's userinfo.
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

// RefParam and TokenParam are the callback URL parameters the transport
// adds: the library's message id and, for InboundToken, the shared secret.
const (
	RefParam   = "ref"
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
	case InboundToken, InboundBasic, InboundHMAC:
	default:
		errs = append(errs, fmt.Errorf("report Auth %q is not token, basic or hmac", d.Auth))
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
