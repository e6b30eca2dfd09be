package main

import (
	"mime"
	"net/http"
	"strings"
	"time"
)

// changesState guards an endpoint that changes state (a send, an erase)
// against cross-site requests from browsers: a page on another site must
// not be able to make a logged-in browser send or erase. The request must
// say Content-Type: application/json, which no HTML form can send and
// which a cross-origin script may send only after a CORS preflight the
// gateway never grants; and a browser's cross-site Origin or
// Sec-Fetch-Site is refused outright (net/http's CrossOriginProtection).
// Clients that are not browsers send neither header and are not affected.
// Both checks come before the login, so a forged request costs no password
// attempt.
func (a *api) changesState(h http.Handler) http.Handler {
	return a.crossOrigin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isJSON(r.Header.Get("Content-Type")) {
			writeError(w, &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
				msg: "Content-Type must be application/json"}, a.now())
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// newCrossOrigin is the cross-origin protection of changesState, answering
// a refusal as every other error.
func newCrossOrigin(now func() time.Time) *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &requestError{status: http.StatusForbidden, code: "cross_origin",
			msg: "cross-origin request refused"}, now())
	}))
	return c
}

// isJSON reports whether a Content-Type header names JSON in UTF-8 (the
// only charset JSON has; one named explicitly must be it).
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}
