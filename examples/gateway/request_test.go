package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
)

// "to" takes one number or a list.
func TestRecipients(t *testing.T) {
	tests := []struct {
		json string
		want recipients
		ok   bool
	}{
		{`"+46701740605"`, recipients{"+46701740605"}, true},
		{`["+46701740605","+46701740606"]`, recipients{"+46701740605", "+46701740606"}, true},
		{`[]`, recipients{}, true},
		{`46701740605`, nil, false},
		{`[1,2]`, nil, false},
		{`{"to":"x"}`, nil, false},
	}
	for _, tt := range tests {
		var r recipients
		err := json.Unmarshal([]byte(tt.json), &r)
		if !tt.ok {
			assert.Error(t, err, tt.json)
			assert.NotContains(t, err.Error(), "4670", "the error never quotes the input")
			continue
		}
		require.NoError(t, err, tt.json)
		assert.Equal(t, tt.want, r)
	}
}

// Usage periods default to the current month and take RFC 3339 times or
// dates.
func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 2, 17, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, from, to string
		wantFrom       time.Time
		wantTo         time.Time
		err            string
	}{
		{"current month", "", "", day(2026, 2, 1), day(2026, 3, 1), ""},
		{"dates", "2026-01-01", "2026-01-15", day(2026, 1, 1), day(2026, 1, 15), ""},
		{"times", "2026-01-01T10:00:00+01:00", "2026-01-01T12:00:00Z", time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), ""},
		{"from only", "2026-02-10", "", day(2026, 2, 10), day(2026, 3, 1), ""},
		{"empty period", "2026-01-01", "2026-01-01", time.Time{}, time.Time{}, "from must be before to"},
		{"bad from", "last week", "", time.Time{}, time.Time{}, "from: an RFC 3339 time"},
		{"bad to", "", "2026-13-01", time.Time{}, time.Time{}, "to: an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := parsePeriod(tt.from, tt.to, now)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Equal(t, http.StatusBadRequest, statusOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantFrom, from)
			assert.Equal(t, tt.wantTo, to)
		})
	}
}

// FuzzSendRequest: any body is either a well-formed send request in valid
// UTF-8 or a 400/413 refusal, never a panic, and a refusal never quotes a
// number.
func FuzzSendRequest(f *testing.F) {
	f.Add(`{"from":"Advox","to":"+46701740605","text":"hi"}`)
	f.Add(`{"from":"Advox","to":["+46701740605","0701740606"],"text":"hi","ucs2":true,"valid_for":"1h"}`)
	f.Add(`{"from":"Advox","to":46701740605}`)
	f.Add(`{"account":"other"}`)
	f.Add(`{"+46701740605":"x"}`)
	f.Add(`{"valid_for":"+46701740605"}`)
	f.Add(`{} {}`)
	f.Add(``)
	f.Add(strings.Repeat(`[`, 1000))
	f.Add("{\"text\":\"abc\xff\"}")
	f.Add(`{"text":"\ud83d\ude00 \ud800"}`)
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
		var req sendRequest
		err := readJSON(w, r, 512, &req)
		if err == nil {
			require.True(t, utf8.ValidString(body), "a body that is not UTF-8 was accepted")
			return
		}
		if errors.Is(err, advox.ErrInvalidArgument) {
			return // not UTF-8
		}
		var re *requestError
		require.True(t, errors.As(err, &re), "%T", err)
		require.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, re.status)
		require.NotContains(t, err.Error(), "701740605")
	})
}

// FuzzParsePeriod: any query is a valid period or a 400.
func FuzzParsePeriod(f *testing.F) {
	f.Add("2026-01-01", "2026-02-01")
	f.Add("2026-01-01T00:00:00Z", "")
	f.Add("", "garbage")
	f.Fuzz(func(t *testing.T, from, to string) {
		a, b, err := parsePeriod(from, to, time.Now())
		if err != nil {
			require.Equal(t, http.StatusBadRequest, statusOf(err))
			return
		}
		require.True(t, a.Before(b))
	})
}

// A body is one JSON value and nothing after it: a stray closing bracket
// or brace (which json.Decoder.More does not count as more data) is
// refused like any other trailing data, and trailing data past the limit
// is too large.
func TestReadJSONTrailingData(t *testing.T) {
	const ok = `{"from":"Advox","to":"+46701740605","text":"hi"}`
	tests := []struct {
		name   string
		body   string
		limit  int64
		status int
	}{
		{"one value", ok, 512, 0},
		{"trailing white space", ok + " \n\t", 512, 0},
		{"trailing value", ok + ` {}`, 512, http.StatusBadRequest},
		{"trailing bracket", ok + `]`, 512, http.StatusBadRequest},
		{"trailing brace", ok + `}`, 512, http.StatusBadRequest},
		{"trailing garbage", ok + ` x`, 512, http.StatusBadRequest},
		{"trailing data past the limit", ok + strings.Repeat(" ", 600) + `]`, 512, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(tt.body))
			var req sendRequest
			err := readJSON(w, r, tt.limit, &req)
			if tt.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, recipients{"+46701740605"}, req.To)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.status, statusOf(err), err.Error())
		})
	}
}

// A refused body is never quoted back, not even an unknown field's name:
// a client's input may be a number.
func TestReadJSONNeverQuotesInput(t *testing.T) {
	for _, body := range []string{
		`{"+46701740605":"hi"}`,
		`{"from":"Advox","to":"+46701740605","text":"hi","701740605":1}`,
		`{"from":{"+46701740605":1}}`,
		`{"to":[46701740605]}`,
		`{"valid_for":"+46701740605"}`,
	} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
		var req sendRequest
		err := readJSON(w, r, 512, &req)
		require.Error(t, err, body)
		assert.Equal(t, http.StatusBadRequest, statusOf(err), body)
		assert.NotContains(t, apiErrorOf(err).Message, "701740605", body)
	}
}

// Regression: text that is not valid UTF-8 (raw bytes, or a \u escape of
// a lone surrogate) was replaced with U+FFFD by the JSON decoder and sent.
// It is refused as an invalid argument; what is valid stays as it is.
func TestReadJSONRefusesInvalidUTF8(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // the text decoded; "" when refused
	}{
		{"invalid byte", "{\"text\":\"abc\xff\"}", ""},
		{"truncated sequence", "{\"text\":\"abc\xe2\x82\"}", ""},
		{"invalid byte in another field", "{\"from\":\"Ad\xffvox\",\"text\":\"hi\"}", ""},
		{"lone high surrogate", `{"text":"a\ud800"}`, ""},
		{"lone low surrogate", `{"text":"\udc00a"}`, ""},
		{"high surrogate before a letter", `{"text":"\ud800\u0041"}`, ""},
		{"high surrogate at the end of the string", `{"text":"\uD83D"}`, ""},
		{"surrogate pair", `{"text":"\ud83d\ude00"}`, "😀"},
		{"raw emoji", `{"text":"😀 ok"}`, "😀 ok"},
		{"a replacement character meant as such", `{"text":"\ufffd and �"}`, "� and �"},
		{"an escaped backslash before u", `{"text":"\\ud800"}`, `\ud800`},
		{"escaped quote", `{"text":"\"\ud800\"x"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(tt.body))
			var req sendRequest
			err := readJSON(w, r, 512, &req)
			if tt.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, req.Text)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
			assert.Equal(t, http.StatusBadRequest, statusOf(err))
			assert.Equal(t, "invalid_argument", apiErrorOf(err).Code)
		})
	}
}
