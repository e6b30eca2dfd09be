package advox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox"
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
		{"anna.svensson@example.se", advox.RedactedContactActor},
		{"mailto:anna@example.se", advox.RedactedContactActor},
		{"203.0.113.7", advox.RedactedContactActor},
		{"203.0.113.7:51234", advox.RedactedContactActor},
		{"2001:db8::1", advox.RedactedContactActor},
		{"[2001:db8::1]:443", advox.RedactedContactActor},
		{"10.0.0.0/8", advox.RedactedContactActor},
		{"::1", advox.RedactedContactActor},
		{"ip:198.51.100.23", advox.RedactedContactActor},
		{"+46701234567", advox.RedactedContactActor},
		{"+46 70-123 45 67", advox.RedactedContactActor},
		{"bankid:19811218-9876", advox.RedactedActor},
		{"support-7", "support-7"},
		{"svc:billing", "svc:billing"},
		{"user:10234567", "user:10234567"},
		{"3f2b8c1e-9d4a-4c4e-8f0a-2b6c7d8e9f10", "3f2b8c1e-9d4a-4c4e-8f0a-2b6c7d8e9f10"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			assert.Equal(t, tt.want, advox.ActorFrom(advox.WithActor(context.Background(), tt.actor)))
		})
	}
}
