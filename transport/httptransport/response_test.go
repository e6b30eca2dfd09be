package httptransport_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/httptransport"
)

func TestResponseRead(t *testing.T) {
	elks := httptransport.Elks46().Response
	generic := httptransport.GenericJSON().Response
	text := httptransport.ResponseSpec{Format: httptransport.ResponseText, IDPattern: regexp.MustCompile(`^OK: (\S+)`), RequireID: true}
	nested := httptransport.ResponseSpec{Format: httptransport.ResponseJSON, ID: "messages.0.ids"}
	cases := []struct {
		name string
		spec httptransport.ResponseSpec
		body string
		want httptransport.Answer
		err  bool
	}{
		// 46elks' cost is in 1/10,000 of the account currency: it was the
		// raw count "7000", read as 7000 of the currency.
		{"46elks", elks, `{"id":"s1","parts":2,"cost":7000,"to":"+46700000000"}`, httptransport.Answer{IDs: []string{"s1"}, Parts: 2, Price: "0.7"}, false},
		{"46elks cost under one unit", elks, `{"id":"s1","cost":35}`, httptransport.Answer{IDs: []string{"s1"}, Price: "0.0035"}, false},
		{"46elks whole cost", elks, `{"id":"s1","cost":120000}`, httptransport.Answer{IDs: []string{"s1"}, Price: "12"}, false},
		{"46elks cost not an integer is left out", elks, `{"id":"s1","cost":"0.35"}`, httptransport.Answer{IDs: []string{"s1"}}, false},
		{"46elks no id", elks, `{"status":"created"}`, httptransport.Answer{}, true},
		{"46elks bad parts", elks, `{"id":"s1","parts":"two"}`, httptransport.Answer{}, true},
		{"46elks zero parts", elks, `{"id":"s1","parts":0}`, httptransport.Answer{}, true},
		{"truncated", elks, `{"id":"s1","par`, httptransport.Answer{}, true},
		{"trailing", elks, `{"id":"s1"} {"id":"s2"}`, httptransport.Answer{}, true},
		{"array body", elks, `["s1"]`, httptransport.Answer{}, true},
		{"numeric id", generic, `{"id":12345678901234567890}`, httptransport.Answer{IDs: []string{"12345678901234567890"}}, false},
		{"id per part", generic, `{"id":["a","b"],"parts":2,"price":"0.10 EUR"}`, httptransport.Answer{IDs: []string{"a", "b"}, Parts: 2, Price: "0.10 EUR"}, false},
		{"no id is legal", generic, `{}`, httptransport.Answer{}, false},
		{"id object", generic, `{"id":{"x":1}}`, httptransport.Answer{}, true},
		{"id with space", generic, `{"id":"a b"}`, httptransport.Answer{}, true},
		{"nested path", nested, `{"messages":[{"ids":["p1","p2"]}]}`, httptransport.Answer{IDs: []string{"p1", "p2"}}, false},
		{"text id", text, "OK: 42abc\n", httptransport.Answer{IDs: []string{"42abc"}}, false},
		{"text no id", text, "ERR\n", httptransport.Answer{}, true},
		{"kannel", httptransport.Kannel().Response, "0: Accepted for delivery", httptransport.Answer{}, false},
		{"kannel immediate reply", httptransport.Kannel().Response, "Sent.", httptransport.Answer{}, false},
		{"kannel split", httptransport.Kannel().Response, "Sent. Message splits: 3", httptransport.Answer{Parts: 3}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.spec.Read([]byte(c.body))
			if c.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
