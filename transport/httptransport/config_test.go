package httptransport_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
)

func TestNewValidates(t *testing.T) {
	good := func() httptransport.Config {
		return httptransport.Config{
			Profile:     httptransport.Elks46(),
			BaseURL:     "https://api.46elks.com",
			Credentials: httptransport.Credentials{User: "u", Password: "very-secret-password"},
			CallbackURL: "https://app.example/dlr",
			Webhook:     httptransport.WebhookConfig{Secret: "0123456789abcdef"},
		}
	}
	cases := []struct {
		name   string
		mutate func(*httptransport.Config)
		ok     bool
	}{
		{"good", func(*httptransport.Config) {}, true},
		{"no callback needs no webhook secret", func(c *httptransport.Config) { c.CallbackURL, c.Webhook.Secret = "", "" }, true},
		{"no base URL", func(c *httptransport.Config) { c.BaseURL = "" }, false},
		{"relative base URL", func(c *httptransport.Config) { c.BaseURL = "/a1" }, false},
		{"ftp base URL", func(c *httptransport.Config) { c.BaseURL = "ftp://host" }, false},
		{"no password", func(c *httptransport.Config) { c.Credentials.Password = "" }, false},
		{"short webhook secret", func(c *httptransport.Config) { c.Webhook.Secret = "short" }, false},
		{"portal callback still checks the secret", func(c *httptransport.Config) { c.CallbackURL, c.Webhook.Secret = "", "short" }, false},
		{"bad callback", func(c *httptransport.Config) { c.CallbackURL = "mailto:x@y" }, false},
		{"negative timeout", func(c *httptransport.Config) { c.Timeout = -1 }, false},
		{"no profile", func(c *httptransport.Config) { c.Profile = httptransport.Profile{} }, false},
		{"bad body format", func(c *httptransport.Config) { c.Profile.Body = "xml" }, false},
		{"header auth without header", func(c *httptransport.Config) {
			c.Profile.Auth = httptransport.Auth{Kind: httptransport.AuthHeader}
			c.Credentials.Token = "t"
		}, false},
		{"status outside vocabulary", func(c *httptransport.Config) {
			c.Profile.Reports.Statuses = map[string]transport.Status{"ok": "fine"}
		}, false},
		{"unauthenticated webhook", func(c *httptransport.Config) { c.Profile.Reports.Auth = "" }, false},
		{"sinch basic webhook needs a password", func(c *httptransport.Config) {
			c.Profile, c.Credentials.Token = httptransport.SinchBatches(), "tok"
			c.Webhook = httptransport.WebhookConfig{User: "u", Password: "short"}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good()
			c.mutate(&cfg)
			tr, err := httptransport.New(cfg)
			if !c.ok {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), "very-secret-password")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "http:46elks", tr.Name())
			require.NoError(t, tr.Close())
		})
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	cfg := httptransport.Config{
		Credentials: httptransport.Credentials{User: "user", Password: "pass-1234567", Token: "tok-1234567"},
		Webhook:     httptransport.WebhookConfig{Secret: "hook-1234567", Password: "hookpass-1234567"},
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(format, cfg)
		for _, secret := range []string{"pass-1234567", "tok-1234567", "hook-1234567", "hookpass-1234567"} {
			assert.NotContains(t, s, secret, format)
		}
	}
}
