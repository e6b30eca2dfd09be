package httptransport

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// newDefaultClient returns the client used when Config.HTTPClient is nil:
// every phase has a timeout (a zero-timeout client can hang a sender
// forever), idle connections are pooled for concurrent senders and closed
// sooner than servers usually drop them, so a submit rarely lands on a
// connection the operator is just closing.
func newDefaultClient(tlsConf *tls.Config, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		ForceAttemptHTTP2:     true,
	}
	if tlsConf != nil {
		tr.TLSClientConfig = tlsConf.Clone()
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: noRedirects}
}

// noRedirects stops the client at a redirect: the redirect is returned as
// the answer and classified (never followed, since a followed POST may
// turn into a GET or reach another host with the credentials).
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns a copy of c that does not follow redirects.
func withoutRedirects(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = noRedirects
	return &cc
}
