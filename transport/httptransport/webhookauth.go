package httptransport

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// authenticate checks a report request as the profile's dialect says.
// body is the request body already read.
func (t *Transport) authenticate(r *http.Request, body []byte) bool {
	return t.authenticateAs(t.p.Reports.Auth, t.p.Reports.Format, r, body)
}

// authenticateAs checks a request by the kind of authentication given; a
// request whose fields travel in the query (format) is signed over the
// raw query for InboundHMAC.
func (t *Transport) authenticateAs(kind InboundAuth, format BodyFormat, r *http.Request, body []byte) bool {
	h := &t.hook
	switch kind {
	case InboundToken:
		return h.Secret != "" && equal(r.URL.Query().Get(TokenParam), h.Secret)
	case InboundMessageToken:
		return h.Secret != "" && t.messageTokenOK(r.URL.Query())
	case InboundBasic:
		u, p, ok := r.BasicAuth()
		// Every comparison always runs, so timing says nothing about which
		// part was wrong.
		uok, pok := equal(u, h.User), equal(p, h.Password)
		tok := h.Secret == "" || t.messageTokenOK(r.URL.Query())
		return ok && h.User != "" && h.Password != "" && uok && pok && tok
	case InboundHMAC:
		payload := body
		if format == BodyQuery {
			payload = []byte(r.URL.RawQuery)
		}
		d := &t.p.Reports
		return t.verifyHMAC(
			r.Header.Get(cmp.Or(d.TimestampHeader, DefaultTimestampHeader)),
			r.Header.Get(cmp.Or(d.NonceHeader, DefaultNonceHeader)),
			r.Header.Get(cmp.Or(d.SignatureHeader, DefaultSignatureHeader)),
			payload)
	}
	return false
}

// verifyHMAC checks an HMAC-SHA256 signature over ts.nonce.payload, the
// timestamp's freshness, and that the nonce was not used before.
func (t *Transport) verifyHMAC(ts, nonce, sig string, payload []byte) bool {
	h := &t.hook
	if h.Secret == "" || nonce == "" || len(nonce) > 128 {
		return false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	now := h.Now()
	at := time.Unix(secs, 0)
	if at.Before(now.Add(-h.ReplayWindow)) || at.After(now.Add(h.ReplayWindow)) {
		return false
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
	if err != nil {
		return false
	}
	if !hmac.Equal(got, Sign(h.Secret, ts, nonce, payload)) {
		return false
	}
	return t.nonces.claim(nonce, at.Add(h.ReplayWindow), now)
}

// messageTokenOK reports whether a callback URL's query carries the token
// of the message and part it names.
func (t *Transport) messageTokenOK(q url.Values) bool {
	ref := q.Get(RefParam)
	return ref != "" && equal(q.Get(TokenParam), messageToken(t.hook.Secret, ref, q.Get(PartParam)))
}

// messageToken is the per-message webhook token of message id and part
// ("" for the whole message): HMAC-SHA256 keyed with secret over a fixed
// label, the id and the part, 128 bits in unpadded base64url, so it needs
// no escaping in any URL (and holds no "%" an operator could expand).
func messageToken(secret, id, part string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("advox report token\x00"))
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(part))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Sign returns the InboundHMAC signature of payload: HMAC-SHA256 keyed
// with secret over timestamp + "." + nonce + "." + payload. Operators and
// simulators hex-encode it into the signature header.
func Sign(secret, timestamp, nonce string, payload []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write([]byte(nonce))
	m.Write([]byte{'.'})
	m.Write(payload)
	return m.Sum(nil)
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// nonceCache remembers the nonces of signed reports until their timestamp
// leaves the replay window, after which the timestamp check refuses a
// replay anyway. Only correctly signed requests reach it.
type nonceCache struct {
	mu     sync.Mutex
	until  map[string]time.Time
	sweepN int // size at which the next sweep runs
}

func newNonceCache() *nonceCache {
	return &nonceCache{until: make(map[string]time.Time), sweepN: 1024}
}

// claim records nonce as used until expiry and reports whether it was new.
func (c *nonceCache) claim(nonce string, expiry, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	// expiry is inclusive: the timestamp check still admits a request
	// whose timestamp is exactly ReplayWindow old.
	if exp, ok := c.until[nonce]; ok && !now.After(exp) {
		return false
	}
	if len(c.until) >= c.sweepN {
		for n, exp := range c.until {
			if now.After(exp) {
				delete(c.until, n)
			}
		}
		c.sweepN = max(1024, 2*len(c.until))
	}
	c.until[nonce] = expiry
	return true
}
