package operatortest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// The simulator refuses what 46elks documents as invalid: "Send an SMS"
// (to in E.164, from a text sender ID or an E.164 number) and the "Text
// sender ID" basic format (3–11 of A–Z, a–z, 0–9, not starting with a
// digit).
func TestElks46Strict(t *testing.T) {
	cases := []struct {
		name, from, to, whendelivered string
		code                          int
	}{
		{"text sender", "Advox", "+46701234567", "", 200},
		{"number sender", "+46766861004", "+46701234567", "", 200},
		{"three characters", "Elk", "+46701234567", "", 200},
		{"eleven characters", "ElkCompany1", "+46701234567", "https://app.example/dlr", 200},
		{"sender too short", "Ab", "+46701234567", "", 400},
		{"sender too long", "ElkCompany12", "+46701234567", "", 400},
		{"sender starts with a digit", "1Elk", "+46701234567", "", 400},
		{"sender with a symbol", "Elk&Co", "+46701234567", "", 400},
		{"national recipient", "Advox", "0701234567", "", 400},
		{"recipient too long", "Advox", "+4670123456789012", "", 400},
		{"callback not a URL", "Advox", "+46701234567", "/dlr", 400},
	}
	s := operatortest.NewServer(operatortest.Elks46, nil)
	defer s.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := url.Values{"from": {c.from}, "to": {c.to}, "message": {"hi"}}
			if c.whendelivered != "" {
				f.Set("whendelivered", c.whendelivered)
			}
			req, err := http.NewRequest(http.MethodPost, s.URL()+"/a1/sms", strings.NewReader(f.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(operatortest.DefaultUser, operatortest.DefaultPassword)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.Equal(t, c.code, resp.StatusCode)
		})
	}
}

func TestElks46Auth(t *testing.T) {
	s := operatortest.NewServer(operatortest.Elks46, &operatortest.Options{User: "u1", Password: "p1"})
	defer s.Close()
	form := url.Values{"from": {"Advox"}, "to": {"+46701234567"}, "message": {"hi"}}.Encode()
	post := func(user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/a1/sms", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, _ := post("u1", "wrong")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body := post("u1", "p1")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"id":"s00000000000000000000000000000001"`)
	assert.Contains(t, body, `"parts":1`)
}
