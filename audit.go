package advox

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Purpose is why traffic data is read. The privacy policy allows exactly
// three; every API that reads traffic data takes one and refuses others.
type Purpose string

// The purposes traffic data may be processed for.
const (
	// PurposeTransmit: sending the message and tracking its delivery.
	PurposeTransmit Purpose = "transmit"
	// PurposeTroubleshoot: support investigating a customer's traffic.
	PurposeTroubleshoot Purpose = "troubleshoot"
	// PurposeBill: invoicing and bookkeeping.
	PurposeBill Purpose = "bill"
)

// Valid reports whether p is one of the allowed purposes.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeTransmit, PurposeTroubleshoot, PurposeBill:
		return true
	}
	return false
}

func checkPurpose(op string, p Purpose) error {
	if !p.Valid() {
		return newError(op, CodeInvalidArgument, "purpose: must be transmit, troubleshoot or bill")
	}
	return nil
}

// AuditEvent records one access to traffic data (a read, an invoice, a
// purge, an erase) or, through Accounts, to customer data. It holds opaque
// ids, the action, purpose, actor, time and counts — never a number, an
// e-mail or IP address, a name or an identity number.
type AuditEvent struct {
	// Time is when the action happened, by the clock of the Client,
	// Retention or Accounts that reports it.
	Time time.Time
	// Action names what was done. On traffic data: "read" (Status,
	// AccountStatus), "records" (Records), "find by recipient"
	// (FindByRecipient), "usage" (Usage, Invoice), "invoice"
	// (CreateInvoice), "purge" (Retention) and "erase:" followed by the
	// EraseReason. On customer data (Accounts): "create account", "update
	// account", "delete account", "set password", "export", and "grant
	// consent: ", "withdraw consent: " or "disclose: " followed by the
	// DisclosurePurpose.
	Action string
	// Purpose is the purpose a read of traffic data stated (PurposeBill for
	// an invoice); "" for the other actions.
	Purpose Purpose
	// Actor is who acted, as set with WithActor ("" when unknown).
	Actor string
	// Account is the opaque account id, when the action concerns one.
	Account string
	// MessageID is the opaque message id, when the action concerns one.
	MessageID string
	// Count is how many records the action touched.
	Count int
}

// Auditor receives audit events. Implementations must be safe for
// concurrent use and quick; the Client calls them inline.
type Auditor interface {
	// Audit records e. It returns nothing: the action has happened, and a
	// failure to record it is the Auditor's to report (log, alert).
	Audit(ctx context.Context, e AuditEvent)
}

// SlogAuditor writes audit events to a slog.Logger at Info level.
type SlogAuditor struct {
	// Logger receives the events; nil drops them.
	Logger *slog.Logger
}

// Audit implements Auditor.
func (a SlogAuditor) Audit(ctx context.Context, e AuditEvent) {
	if a.Logger == nil {
		return
	}
	a.Logger.LogAttrs(ctx, slog.LevelInfo, "advox audit",
		slog.Time("time", e.Time), slog.String("action", e.Action), slog.String("purpose", string(e.Purpose)),
		slog.String("actor", e.Actor), slog.String("account", e.Account), slog.String("message_id", e.MessageID),
		slog.Int("count", e.Count))
}

type actorKey struct{}

// WithActor returns a context naming who acts (an opaque user or service
// id, never an e-mail or name), for the audit trail. An actor holding a
// personal identity number (as a BankID login yields) is never collected:
// it is replaced by RedactedActor. One holding an e-mail address, an IP
// address or network, or a phone number in international form ("+46 …")
// is replaced by RedactedContactActor. Names cannot be told from ids: pass
// none.
func WithActor(ctx context.Context, actor string) context.Context {
	switch {
	case ContainsPersonalNumber(actor):
		actor = RedactedActor
	case containsContactData(actor):
		actor = RedactedContactActor
	}
	return context.WithValue(ctx, actorKey{}, actor)
}

// RedactedActor is the actor of audit events whose actor, as given to
// WithActor, held a personal identity number.
const RedactedActor = "redacted:personal-number"

// RedactedContactActor is the actor of audit events whose actor, as given
// to WithActor, held an e-mail address, an IP address or a phone number.
const RedactedContactActor = "redacted:contact-data"

// containsContactData reports whether s holds an e-mail address ("@"), an
// IP address, address and port or network, or a phone number in
// international form: "+" and at least 7 digits, spaces, "-", "." and
// parentheses allowed between them.
func containsContactData(s string) bool {
	if strings.Contains(s, "@") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '+' {
			continue
		}
		digits := 0
		for _, r := range s[i+1:] {
			if r >= '0' && r <= '9' {
				digits++
			} else if !strings.ContainsRune(" -.()", r) {
				break
			}
		}
		if digits >= 7 {
			return true
		}
	}
	// IP addresses: the tokens made of what addresses are written with.
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return !strings.ContainsRune("0123456789abcdefABCDEF.:[]/%", r)
	}) {
		// "ip:203.0.113.7" leaves ":203.0.113.7"; "::1" must stay whole.
		if isIPText(tok) || isIPText(strings.Trim(tok, ":")) {
			return true
		}
	}
	return false
}

// isIPText reports whether s is an IP address, address and port, or network.
func isIPText(s string) bool {
	_, err1 := netip.ParseAddr(s)
	_, err2 := netip.ParseAddrPort(s)
	_, err3 := netip.ParsePrefix(s)
	return err1 == nil || err2 == nil || err3 == nil
}

// ActorFrom returns the actor set with WithActor, or "".
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}
