package audit_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/processing"
)

// TestAuditActorNeverHoldsContactData: audit events never hold an e-mail
// address, an IP address or a phone number, not even one an application
// passes as the actor (the logged-in user's e-mail, the caller's address);
// such an actor is replaced by RedactedContactActor. Opaque ids pass.
func TestAuditActorNeverHoldsContactData(t *testing.T) {
	tests := []struct {
		actor string
		want  string
	}{
		{"anna.svensson@example.se", audit.RedactedContactActor},
		{"mailto:anna@example.se", audit.RedactedContactActor},
		{"203.0.113.7", audit.RedactedContactActor},
		{"203.0.113.7:51234", audit.RedactedContactActor},
		{"2001:db8::1", audit.RedactedContactActor},
		{"[2001:db8::1]:443", audit.RedactedContactActor},
		{"10.0.0.0/8", audit.RedactedContactActor},
		{"::1", audit.RedactedContactActor},
		{"ip:198.51.100.23", audit.RedactedContactActor},
		{"+46701234567", audit.RedactedContactActor},
		{"+46 70-123 45 67", audit.RedactedContactActor},
		{"bankid:19811218-9876", audit.RedactedActor},
		{"support-7", "support-7"},
		{"svc:billing", "svc:billing"},
		{"user:10234567", "user:10234567"},
		{"3f2b8c1e-9d4a-4c4e-8f0a-2b6c7d8e9f10", "3f2b8c1e-9d4a-4c4e-8f0a-2b6c7d8e9f10"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			assert.Equal(t, tt.want, audit.ActorFrom(audit.WithActor(context.Background(), tt.actor)))
		})
	}
}

// TestSlogAuditorWellFormed: an audit record carries one time (the
// event's), the fields the event has and no empty ones. Broke: every
// record had a second "time" key and empty purpose, actor and message_id.
func TestSlogAuditorWellFormed(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	a := audit.SlogAuditor{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	a.Audit(context.Background(), audit.Event{Time: at, Action: "delete account", Account: "acme", Count: 1})
	a.Audit(context.Background(), audit.Event{Time: at, Action: "disclose: technical-support", Account: "acme",
		Party: "partner-7", Categories: []processing.DataCategory{processing.CategoryOrganisation, processing.CategoryContacts}, Count: 1})

	lines := testkit.JSONLines(t, &buf)
	require.Len(t, lines, 2)
	for _, l := range lines {
		for k, vs := range l {
			assert.Len(t, vs, 1, "key %q appears once", k)
			assert.NotEqual(t, "", vs[0], "key %q is not empty", k)
		}
		assert.Equal(t, []any{at.Format(time.RFC3339)}, l["time"], "the event's time is the record's")
		assert.Equal(t, []any{"INFO"}, l["level"])
	}
	assert.NotContains(t, lines[0], "purpose")
	assert.NotContains(t, lines[0], "message_id")
	assert.NotContains(t, lines[0], "party")
	assert.Equal(t, []any{"partner-7"}, lines[1]["party"])
	assert.Equal(t, []any{"organisation,contacts"}, lines[1]["categories"])
}
