package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded default starts the gateway on simulators, with a route
// table and a demo account whose password is generated.
func TestDefaultConfig(t *testing.T) {
	c, err := loadConfig("")
	require.NoError(t, err)
	assert.Equal(t, "SE", c.Region)
	assert.Equal(t, duration(time.Hour), c.PurgeEvery)
	assert.Equal(t, duration(defaultSendTimeout), c.SendTimeout)
	assert.Equal(t, int64(defaultMaxBody), c.MaxBody)
	assert.Equal(t, defaultMaxRecipients, c.MaxRecipients)
	assert.Equal(t, "/metrics", c.MetricsPath)
	require.Len(t, c.Transports, 2)
	for _, tr := range c.Transports {
		assert.True(t, tr.simulated(), tr.Name)
	}
	assert.Equal(t, "/webhooks/elks", c.Transports[1].webhookPath())
	require.Len(t, c.Routes, 2)
	assert.Equal(t, []string{"+46"}, c.Routes[0].Prefixes)
	require.Len(t, c.Accounts, 1)
	assert.Empty(t, c.Accounts[0].Users[0].Password, "the demo password is generated at start")
	_, err = loadConfig("/no/such/file.json")
	assert.Error(t, err)
}

// A broken configuration is refused with a message naming what is wrong.
func TestConfigRefusals(t *testing.T) {
	base := func(mod func(m map[string]any)) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(testConfigJSON), &m))
		mod(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
	tr := func(m map[string]any, i int) map[string]any { return m["transports"].([]any)[i].(map[string]any) }
	rt := func(m map[string]any, i int) map[string]any { return m["routes"].([]any)[i].(map[string]any) }
	user := func(m map[string]any) map[string]any {
		return m["accounts"].([]any)[0].(map[string]any)["users"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name, json, want string
	}{
		{"not JSON", `{`, "unexpected EOF"},
		{"trailing data", testConfigJSON + `{}`, "trailing data"},
		{"trailing bracket", testConfigJSON + `]`, "trailing data"},
		{"trailing brace", testConfigJSON + `}`, "trailing data"},
		{"unknown field", base(func(m map[string]any) { m["purge_evry"] = "1h" }), `unknown field "purge_evry"`},
		{"bad duration", base(func(m map[string]any) { m["purge_every"] = "often" }), "not a duration"},
		{"negative body", base(func(m map[string]any) { m["max_body"] = -1 }), "must not be negative"},
		{"bad kek", base(func(m map[string]any) { m["kek"] = "abcd" }), "kek: want 64 hex digits"},
		{"short index key", base(func(m map[string]any) { m["index_key"] = strings.Repeat("ab", 16) }), "index_key"},
		{"metrics in api", base(func(m map[string]any) { m["metrics_path"] = "/v1/metrics" }), "metrics_path"},
		{"metrics path a bad pattern", base(func(m map[string]any) { m["metrics_path"] = "/metrics/{x" }), "metrics_path"},
		{"metrics path a wildcard", base(func(m map[string]any) { m["metrics_path"] = "/m/{a}/{a}" }), "metrics_path"},
		{"metrics path with a space", base(func(m map[string]any) { m["metrics_path"] = "/a b" }), "metrics_path"},
		{"metrics over a webhook", base(func(m map[string]any) { m["metrics_path"] = "/webhooks/elks" }), "metrics_path"},
		{"no transports", base(func(m map[string]any) { m["transports"] = []any{}; m["routes"] = []any{} }), "transports: at least one"},
		{"bad transport name", base(func(m map[string]any) { tr(m, 0)["name"] = "SMSC A" }), `name "SMSC A"`},
		{"duplicate transport", base(func(m map[string]any) {
			tr(m, 1)["name"] = "smsc"
			tr(m, 1)["kind"] = "smpp"
			delete(tr(m, 1), "profile")
		}), "used twice"},
		{"unknown kind", base(func(m map[string]any) { tr(m, 0)["kind"] = "carrier-pigeon" }), `kind "carrier-pigeon"`},
		{"unknown profile", base(func(m map[string]any) { tr(m, 1)["profile"] = "twilio" }), `profile "twilio"`},
		{"smpp with profile", base(func(m map[string]any) { tr(m, 0)["profile"] = "kannel" }), "for http transports"},
		{"http with addr", base(func(m map[string]any) { tr(m, 1)["addr"] = "x:1" }), "for smpp transports"},
		{"smpp addr without system id", base(func(m map[string]any) { tr(m, 0)["addr"] = "smsc.example:2775" }), "system_id"},
		{"real operator without webhook secret", base(func(m map[string]any) { tr(m, 1)["base_url"] = "https://api.46elks.com" }), "webhook_secret"},
		// Sinch's reports authenticate with a per-message token keyed by
		// the webhook secret (httptransport.InboundMessageToken).
		{"real sinch without webhook secret", base(func(m map[string]any) {
			tr(m, 1)["base_url"] = "https://us.sms.api.sinch.com/xms/v1/plan"
			tr(m, 1)["profile"] = "sinch"
			tr(m, 1)["webhook_user"] = "sinch"
		}), "webhook_secret"},
		{"no country", base(func(m map[string]any) { delete(tr(m, 0), "country") }), "country"},
		{"no agreement", base(func(m map[string]any) { delete(tr(m, 0), "agreement") }), "agreement"},
		{"bad agreement", base(func(m map[string]any) { tr(m, 0)["agreement"] = "15/01/2026" }), "YYYY-MM-DD"},
		{"no routes", base(func(m map[string]any) { m["routes"] = []any{} }), "routes: at least one"},
		{"route to nowhere", base(func(m map[string]any) { rt(m, 0)["transports"] = []any{"nowhere"} }), `transport "nowhere" is not configured`},
		{"bad prefix", base(func(m map[string]any) { rt(m, 0)["prefixes"] = []any{"46"} }), `prefix "46"`},
		{"bad calling code", base(func(m map[string]any) { rt(m, 0)["calling_codes"] = []any{0} }), "calling code 0"},
		{"bad sender", base(func(m map[string]any) { rt(m, 0)["senders"] = []any{"fax"} }), `sender "fax"`},
		{"weights mismatch", base(func(m map[string]any) { rt(m, 0)["weights"] = []any{1} }), "one per transport"},
		{"all weights zero", base(func(m map[string]any) { rt(m, 0)["weights"] = []any{0, 0} }), "at least one positive"},
		{"duplicate route", base(func(m map[string]any) { rt(m, 1)["name"] = "sweden" }), "used twice"},
		{"e-mail as user id", base(func(m map[string]any) { user(m)["id"] = "anna@example.se" }), "not an opaque id"},
		{"no networks", base(func(m map[string]any) { user(m)["allowed"] = []any{} }), "at least one network"},
		{"bad network", base(func(m map[string]any) { user(m)["allowed"] = []any{"localhost"} }), "neither a network nor an address"},
		{"duplicate user", base(func(m map[string]any) {
			m["accounts"].([]any)[1].(map[string]any)["users"].([]any)[0].(map[string]any)["id"] = "demo"
		}), `user id "demo" used twice`},
		{"missing env secret", base(func(m map[string]any) { user(m)["password"] = "env:ADVOX_GATEWAY_TEST_UNSET" }), "ADVOX_GATEWAY_TEST_UNSET is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Secrets come from the environment when written "env:NAME", and never
// show when the configuration is printed or encoded.
func TestSecrets(t *testing.T) {
	const pw, kek = "from-the-environment-1", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	t.Setenv("ADVOX_GATEWAY_TEST_PW", pw)
	t.Setenv("ADVOX_GATEWAY_TEST_KEK", kek)
	js := strings.Replace(testConfigJSON, `"password": "demo-password-1234"`, `"password": "env:ADVOX_GATEWAY_TEST_PW"`, 1)
	js = strings.Replace(js, `"transports": [`, `"kek": "env:ADVOX_GATEWAY_TEST_KEK", "transports": [`, 1)
	c, err := parseConfig([]byte(js))
	require.NoError(t, err)
	assert.Equal(t, secret(pw), c.Accounts[0].Users[0].Password)
	assert.Equal(t, secret(kek), c.KEK)

	enc, err := json.Marshal(c)
	require.NoError(t, err)
	for _, shown := range []string{string(enc), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", c.Accounts[0].Users[0])} {
		assert.NotContains(t, shown, pw)
		assert.NotContains(t, shown, kek)
	}
	assert.Contains(t, string(enc), "[redacted]")
	assert.Empty(t, secret("").String(), "an unset secret shows as unset")
}

// The value types read what the file holds and write it back the same.
func TestConfigValues(t *testing.T) {
	var d duration
	require.NoError(t, json.Unmarshal([]byte(`"1h30m"`), &d))
	assert.Equal(t, duration(90*time.Minute), d)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `"1h30m0s"`, string(b))
	assert.Error(t, json.Unmarshal([]byte(`90`), &d))

	var dt date
	require.NoError(t, json.Unmarshal([]byte(`"2026-01-15"`), &dt))
	assert.Equal(t, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), dt.Time)
	b, err = json.Marshal(dt)
	require.NoError(t, err)
	assert.JSONEq(t, `"2026-01-15"`, string(b))
	assert.Error(t, json.Unmarshal([]byte(`20260115`), &dt))

	var s secret
	assert.Error(t, json.Unmarshal([]byte(`42`), &s))

	u := userConfig{Allowed: []string{"127.0.0.1", "10.1.2.3/8", "::1"}}
	nets, err := u.networks()
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128"}, []string{nets[0].String(), nets[1].String(), nets[2].String()})
}

// FuzzParseConfig: any file is either refused or yields a configuration
// that keeps the invariants the gateway relies on.
func FuzzParseConfig(f *testing.F) {
	f.Add(string(defaultConfigJSON))
	f.Add(testConfigJSON)
	f.Add(`{"transports":[{"name":"a","kind":"smpp","country":"SE","agreement":"2026-01-01"}],"routes":[{"name":"r","transports":["a"],"weights":[0]}]}`)
	f.Add(`{"kek":"env:HOME"}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseConfig([]byte(s))
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, tr := range c.Transports {
			require.Regexp(t, nameRE, tr.Name)
			names[tr.Name] = true
		}
		require.NotEmpty(t, c.Routes)
		for _, r := range c.Routes {
			for _, n := range r.Transports {
				require.True(t, names[n])
			}
		}
		require.Positive(t, c.MaxBody)
		require.Positive(t, c.MaxRecipients)
	})
}
