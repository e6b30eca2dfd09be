package httptransport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// field is one request field; array sends a JSON one-element array.
type field struct {
	name, value string
	array       bool
}

// fields lists the request fields of m, credentials included when the
// profile sends them as fields. part is 0 for the whole message, or the
// 1-based number of the part a PerPart profile sends.
func (t *Transport) fields(m *transport.Message, part int) []field {
	f := &t.p.Fields
	var out []field
	add := func(name, value string) {
		if name != "" {
			out = append(out, field{name: name, value: value})
		}
	}
	add(f.From, m.From.Value)
	if f.To != "" {
		out = append(out, field{name: f.To, value: m.To, array: f.ToArray})
	}
	if part == 0 {
		add(f.Text, m.Text())
	} else {
		add(f.Text, m.Parts[part-1])
		if len(m.Parts) > 1 {
			add(f.UDH, concatUDH(m, part))
		}
	}
	add(f.Reference, m.ID)
	if f.ValidFor != "" && m.ValidFor > 0 {
		add(f.ValidFor, t.validity(m.ValidFor))
	}
	for k, v := range f.Static {
		add(k, v)
	}
	for k, v := range f.ByEncoding[m.Encoding] {
		add(k, v)
	}
	if m.ReportRequested {
		for k, v := range f.WhenReport {
			add(k, v)
		}
		if t.callback != nil {
			add(f.Callback, t.callbackURL(m.ID, part))
		}
	}
	if t.p.Auth.Kind == AuthFields {
		out = append(out, t.credentialFields()...)
	}
	return out
}

// validity renders a positive ValidFor as the profile's field says: capped
// at MaxValidFor, then a count of units rounded up or an absolute time.
func (t *Transport) validity(d time.Duration) string {
	f := &t.p.Fields
	if f.MaxValidFor > 0 {
		d = min(d, f.MaxValidFor)
	}
	if f.ValidForLayout != "" {
		return t.now().Add(d).UTC().Format(f.ValidForLayout)
	}
	unit := f.ValidForUnit
	if unit <= 0 {
		unit = time.Second
	}
	return strconv.FormatInt(int64((d+unit-1)/unit), 10)
}

// HonoursValidFor implements transport.ValidityAware: whether the profile
// sends Message.ValidFor to the operator.
func (t *Transport) HonoursValidFor() bool { return t.p.Fields.ValidFor != "" }

// credentialFields lists the credentials as named by the profile.
func (t *Transport) credentialFields() []field {
	var out []field
	a, c := &t.p.Auth, &t.creds
	for _, f := range [...]field{{a.UserField, c.User, false}, {a.PasswordField, c.Password, false}, {a.TokenField, c.Token, false}} {
		if f.name != "" {
			out = append(out, f)
		}
	}
	return out
}

// callbackURL is the delivery-report URL for message id (and part, when
// not 0): Config.CallbackURL plus the message id, the part, the webhook
// token, and the profile's verbatim CallbackQuery (which may hold operator
// escapes such as Kannel's %d).
func (t *Transport) callbackURL(id string, part int) string {
	u := *t.callback
	u.Fragment, u.RawFragment = "", ""
	q := u.Query()
	q.Set(RefParam, id)
	partParam := ""
	if part > 0 {
		partParam = strconv.Itoa(part)
		q.Set(PartParam, partParam)
	}
	switch t.p.Reports.Auth {
	case InboundToken:
		q.Set(TokenParam, t.hook.Secret)
	case InboundMessageToken:
		q.Set(TokenParam, messageToken(t.hook.Secret, id, partParam))
	case InboundBasic:
		if t.hook.Secret != "" {
			q.Set(TokenParam, messageToken(t.hook.Secret, id, partParam))
		}
	}
	u.RawQuery = q.Encode()
	s := u.String()
	if t.p.Reports.EscapePercent {
		s = strings.ReplaceAll(s, "%", "%%")
	}
	if t.p.Reports.CallbackQuery != "" {
		s += "&" + t.p.Reports.CallbackQuery
	}
	return s
}

// newRequest builds a fresh submit request for m (or its part, see
// fields). Each attempt gets its own request and body.
func (t *Transport) newRequest(ctx context.Context, m *transport.Message, part int) (*http.Request, error) {
	u := *t.endpoint
	q := u.Query()
	fields := t.fields(m, part)
	if t.p.Auth.Kind == AuthQuery {
		for _, f := range t.credentialFields() {
			q.Set(f.name, f.value)
		}
	}
	var body []byte
	contentType := ""
	switch t.p.Body {
	case BodyQuery:
		for _, f := range fields {
			q.Add(f.name, f.value)
		}
	case BodyForm:
		v := url.Values{}
		for _, f := range fields {
			v.Add(f.name, f.value)
		}
		body, contentType = []byte(v.Encode()), "application/x-www-form-urlencoded"
	case BodyJSON:
		obj := make(map[string]any, len(fields))
		for _, f := range fields {
			if f.array {
				obj[f.name] = []string{f.value}
			} else {
				obj[f.name] = f.value
			}
		}
		var err error
		if body, err = json.Marshal(obj); err != nil {
			return nil, err
		}
		contentType = "application/json"
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, t.p.method(), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	switch {
	case body != nil:
		req.Header.Set("Content-Type", contentType)
	case replayedByNetHTTP(req.Method):
		// net/http silently resends a GET (or any request it deems
		// idempotent) on a reused connection that fails after the
		// write. An operator's GET sendsms is not idempotent, so the
		// request gets a non-rewindable empty body: nothing is sent on
		// the wire, and it is never replayed. Other methods keep
		// http.NoBody: net/http never replays them, and would send an
		// unknown-length body chunked rather than "Content-Length: 0".
		req.Body, req.GetBody, req.ContentLength = noReplayBody{}, nil, 0
	}
	req.Header.Set("Accept", "application/json, text/plain;q=0.9, */*;q=0.1")
	req.Header.Set("User-Agent", "advox-httptransport")
	switch t.p.Auth.Kind {
	case AuthBasic:
		req.SetBasicAuth(t.creds.User, t.creds.Password)
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+t.creds.Token)
	case AuthHeader:
		req.Header.Set(t.p.Auth.Header, t.creds.Token)
	}
	return req, nil
}

// replayedByNetHTTP reports whether net/http deems a bodiless request with
// this method idempotent, and so resends it on its own.
func replayedByNetHTTP(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// noReplayBody is an empty request body that net/http cannot rewind, so it
// never retries the request on its own.
type noReplayBody struct{}

func (noReplayBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplayBody) Close() error             { return nil }
