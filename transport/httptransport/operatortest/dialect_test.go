package operatortest

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
)

// FuzzDialectParse feeds arbitrary submits (what a transport under test
// sends: query, body, callback URL) to every dialect's parser and
// Kannel's dlr-url expansion: none may panic, and an accepted message
// has an encoding.
func FuzzDialectParse(f *testing.F) {
	f.Add("username=advox&password=operator-password&to=%2B46701234567&text=Hej&dlr-mask=31&dlr-url=http%3A%2F%2Fx%2Fdlr%3Fref%3Dm1%26s%3D%25d%26a%3D%25A", "", "%")
	f.Add("", "from=Advox&to=%2B46701234567&message=hi&whendelivered=http%3A%2F%2Fx%2F%3Fref%3D1", "http://h/cb?ref=%zz&t=%T%")
	f.Add("", `{"from":"Advox","to":["+46701234567"],"body":"hi","client_reference":"r","callback_url":"http://x","delivery_report":"per_recipient"}`, "%%%d%")
	f.Add("", `{"to":"+46701234567","text":"hi","encoding":"ucs2","reference":"r","callback_url":"http://x/?ref=%A"}`, "")
	f.Add("coding=2&charset=utf-8&to=1", `{"to":[]}`, "\xff%\xfe")
	f.Add("username=advox&password=operator-password&from=A&to=%2B46701234567&text=%D0%B6&coding=2&udh=%05%00%03%2A%02%01&dlr-mask=31&dlr-url=http%3A%2F%2Fx%2F%3Fref%3Dm%26part%3D1%26s%3D%25d", "", "http://x/?a=%%C3%%A5&d=%d")
	f.Add("username=advox&password=operator-password&from=A&to=%2B46701234567&text=aaaa&udh=%06%08%04%00", "", "")
	f.Add("", `{"from":"Advox","to":["+46701234567"],"body":"hi","expire_at":"2999-01-01T00:00:00.000Z","delivery_report":"per_recipient_final"}`, "")
	cfg := Options{}.withDefaults()
	f.Fuzz(func(t *testing.T, query, body, callback string) {
		for _, d := range []Dialect{Kannel, Elks46, Sinch, GenericJSON} {
			impl := d.impl()
			r := httptest.NewRequest(impl.method(), "/x", strings.NewReader(body))
			r.URL.RawQuery = query
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if d == Elks46 {
				r.SetBasicAuth(cfg.User, cfg.Password)
			} else {
				r.Header.Set("Authorization", "Bearer "+cfg.Token)
			}
			m, refusal := impl.parse(r, []byte(body), &cfg)
			if refusal == nil {
				assert.Contains(t, []transport.Encoding{transport.GSM7, transport.UCS2}, m.Encoding)
			}
			_ = refOf(callback)
			m.ID, m.Callback = impl.newID(1), callback
			rep := Report{ID: m.ID, Status: transport.StatusUndeliverable, At: time.Unix(0, 0)}
			_, _ = impl.callbackURL(m, rep, time.Unix(0, 0))
		}
	})
}
