package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/audit"
)

// api is the customers' HTTP API. Every endpoint needs a login; the
// account a request acts on is always the logged-in user's, never one
// named in the request.
type api struct {
	client      *advox.Client
	accounts    *accounts.Accounts
	auth        *authenticator
	cfg         *config
	log         *slog.Logger
	now         func() time.Time
	crossOrigin *http.CrossOriginProtection
}

// register mounts the endpoints on mux.
func (a *api) register(mux *http.ServeMux) {
	if a.crossOrigin == nil {
		a.crossOrigin = newCrossOrigin(a.now)
	}
	mux.Handle("POST /v1/messages", a.changesState(a.authed(a.send)))
	mux.Handle("GET /v1/messages/{id}", a.authed(a.status))
	mux.Handle("GET /v1/usage", a.authed(a.usage))
	mux.Handle("GET /v1/export", a.authed(a.export))
	mux.Handle("POST /v1/erase", a.changesState(a.authed(a.erase)))
}

// authedHandler is an endpoint that runs for a logged-in user.
type authedHandler func(w http.ResponseWriter, r *http.Request, p accounts.Principal)

// authed logs the user in, names them as the actor of the audit trail and
// runs h.
func (a *api) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.auth.login(r.Context(), r)
		if err != nil {
			a.fail(w, "", err)
			return
		}
		h(w, r.WithContext(audit.WithActor(r.Context(), p.User)), p)
	})
}

// fail answers err, logging server-side failures (advox errors carry no
// numbers or texts, so they may be logged as they are).
func (a *api) fail(w http.ResponseWriter, account string, err error) {
	if statusOf(err) >= 500 {
		a.log.Error("gateway: request failed", "account", account, "error", err)
	}
	writeError(w, err, a.now())
}

// requestError is a malformed request, refused before advox sees it.
type requestError struct {
	status int
	code   string
	msg    string
}

func (e *requestError) Error() string { return e.msg }

// badRequest is a requestError with status 400.
func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, code: "invalid_request", msg: fmt.Sprintf(format, args...)}
}

// readJSON decodes the request body into v: at most limit bytes, one JSON
// value, no unknown fields (so that, say, an "account" field is refused
// rather than silently ignored), and valid UTF-8 only (so that no text is
// sent with characters replaced).
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil {
			err = trailing(dec)
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil && !validUTF8JSON(body):
		return errInvalidUTF8
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &requestError{status: http.StatusRequestEntityTooLarge, code: "too_large",
			msg: fmt.Sprintf("request body larger than %d bytes", limit)}
	case errors.Is(err, io.EOF):
		return badRequest("empty request body")
	}
	// Decoder errors name the request's fields and offsets, never values;
	// except an unknown field's name, which is the client's input and may
	// be a number.
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return badRequest("malformed JSON: unknown field")
	}
	return badRequest("malformed JSON: %v", err)
}

// trailing reports anything but white space after the value dec has
// decoded. (Decoder.More is no test for it: it is false before a stray
// ']' or '}', so that "{…}]" would pass.)
func trailing(dec *json.Decoder) error {
	_, err := dec.Token()
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooBig):
		return err
	}
	return errors.New("trailing data after the JSON value")
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client hung up: nothing left to tell it
}
