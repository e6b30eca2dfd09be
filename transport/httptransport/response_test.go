package httptransport_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
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

func TestResultOperatorIDs(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			m := testMessage()
			m.Parts = []string{strings.Repeat("x", 153), "tail"}
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err)
			got := h.sim.Received()
			if d.dialect == operatortest.Kannel {
				// Kannel answers no id, and takes each part on its own.
				assert.Equal(t, []string{httptransport.PartID(m.ID, 1), httptransport.PartID(m.ID, 2)}, res.OperatorIDs)
				require.Len(t, got, 2)
				for i, g := range got {
					assert.Equal(t, m.Parts[i], g.Text)
					assert.Equal(t, m.ID, g.Reference)
					assert.Equal(t, []int{i + 1, 2}, []int{g.Part, g.Parts})
				}
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, []string{got[0].ID}, res.OperatorIDs, "one id for the whole message")
			assert.Equal(t, m.Text(), got[0].Text)
			assert.Equal(t, m.ID, got[0].Reference)
		})
	}
}

func FuzzResponseRead(f *testing.F) {
	specs := []httptransport.ResponseSpec{
		httptransport.Elks46().Response,
		httptransport.SinchBatches().Response,
		httptransport.GenericJSON().Response,
		httptransport.Kannel().Response,
	}
	f.Add(uint8(0), []byte(`{"id":"s1","parts":2,"cost":3500}`))
	f.Add(uint8(1), []byte(`{"id":"01F","to":["46700000000"]}`))
	f.Add(uint8(2), []byte(`{"id":["a","b"],"parts":2,"price":"0.1"}`))
	f.Add(uint8(2), []byte(`{"id":"gw-1","par`))
	f.Add(uint8(3), []byte("0: Accepted for delivery"))
	f.Add(uint8(3), []byte("Sent. Message splits: 3"))
	f.Add(uint8(0), []byte(`{"id":"s1","parts":1,"cost":-0}`))
	f.Add(uint8(0), []byte(`{"id":"s1","cost":99999999999999999999999999999999}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		a, err := specs[int(which)%len(specs)].Read(body)
		if err != nil {
			return
		}
		for _, id := range a.IDs {
			if id == "" || len(id) > 128 {
				t.Fatalf("bad id %q", id)
			}
		}
		if strings.HasPrefix(a.Price, "0") && len(a.Price) > 1 && a.Price[1] != '.' || strings.HasSuffix(a.Price, ".") {
			t.Fatalf("price %q is not a plain decimal", a.Price)
		}
		if a.Parts < 0 {
			t.Fatalf("negative parts %d", a.Parts)
		}
	})
}
