// Package audit is the audit trail's contract: the Event every read,
// purge and erase of traffic data and every change, export and disclosure
// of customer data produces, the Auditor that receives it (a SlogAuditor,
// or an append-only trail of your own), the Default auditor of a Client,
// Retention or Accounts given none, and the actor of an action, carried
// in a context (WithActor, ActorFrom).
//
// Events hold opaque ids, the action, purpose, actor, time and counts —
// never a number, an e-mail or IP address, a name or an identity number:
// WithActor replaces an actor that holds one. It keeps no trail itself.
package audit

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/azenna/advox/pii"
	"github.com/azenna/advox/processing"
)

// Event records one access to traffic data (a read, an invoice, a
// purge, an erase) or, through package accounts, to customer data. It holds opaque
// ids, the action, purpose, actor, time and counts — never a number, an
// e-mail or IP address, a name or an identity number.
type Event struct {
	// Time is when the action happened, by the clock of the Client,
	// Retention or Accounts that reports it.
	Time time.Time
	// Action names what was done. On traffic data: "read" (Status,
	// AccountStatus), "records" (Records), "find by recipient"
	// (FindByRecipient), "usage" (Usage, Invoice), "invoice"
	// (CreateInvoice), "export traffic" (ExportTraffic), "purge"
	// (Retention) and "erase:" followed by the EraseReason. On customer
	// data (Accounts): "create account", "update account", "delete
	// account", "set password", "rehash password", "export", and "grant
	// consent: ", "withdraw consent: " or "disclose: " followed by the
	// DisclosurePurpose.
	Action string
	// Purpose is the purpose a read of traffic data stated (PurposeBill for
	// an invoice); "" for the other actions.
	Purpose processing.Purpose
	// Actor is who acted, as set with WithActor ("" when unknown).
	Actor string
	// Account is the opaque account id, when the action concerns one.
	Account string
	// MessageID is the opaque message id, when the action concerns one.
	MessageID string
	// Party is the opaque id of the party customer data was disclosed to
	// (or refused to), or whose consent was granted or withdrawn.
	Party string
	// Categories are the data categories a disclosure handed over ("" for
	// other actions and for refusals).
	Categories []processing.DataCategory
	// Refused, when not "", says the action was asked for and refused, and
	// why: one of the Refused* reasons of package accounts. Nothing was
	// handed over.
	Refused string
	// Count is how many records the action touched.
	Count int
}

// Auditor receives audit events. Implementations must be safe for
// concurrent use and quick; the Client calls them inline.
type Auditor interface {
	// Audit records e. It returns nothing: the action has happened, and a
	// failure to record it is the Auditor's to report (log, alert).
	Audit(ctx context.Context, e Event)
}

// DefaultLevel is the level the Client, Retention and Accounts write
// audit events at when no Auditor is configured: on their Logger, below
// the Info of slog's default handler, so that the events are there for
// whoever turns debug logging on and out of the way of everyone else.
// Configure an Auditor (a SlogAuditor on a logger of its own, or your own
// append-only trail) to keep an audit trail.
const DefaultLevel = slog.LevelDebug

// Default is the Auditor of a Client, Retention or Accounts configured
// without one: a SlogAuditor on their log at DefaultLevel, one default for
// all three.
func Default(log *slog.Logger) Auditor {
	return SlogAuditor{Logger: log, Level: DefaultLevel}
}

// SlogAuditor writes audit events to a slog.Logger, one record per event
// with the message "advox audit", dated with the event's time (so there
// is one time, the record's own), and only the fields the event has:
// action and count always; purpose, actor, account, message_id, party,
// categories (comma-separated) and refused when set.
type SlogAuditor struct {
	// Logger receives the events; nil drops them.
	Logger *slog.Logger
	// Level is the level of the records; the zero value is slog.LevelInfo.
	Level slog.Level
}

// Audit implements Auditor.
func (a SlogAuditor) Audit(ctx context.Context, e Event) {
	if a.Logger == nil || !a.Logger.Enabled(ctx, a.Level) {
		return
	}
	at := e.Time
	if at.IsZero() {
		at = time.Now()
	}
	r := slog.NewRecord(at, a.Level, "advox audit", 0)
	r.AddAttrs(slog.String("action", e.Action))
	for _, kv := range [...]struct{ k, v string }{
		{"purpose", string(e.Purpose)}, {"actor", e.Actor}, {"account", e.Account},
		{"message_id", e.MessageID}, {"party", e.Party}, {"categories", categories(e.Categories)},
		{"refused", e.Refused},
	} {
		if kv.v != "" {
			r.AddAttrs(slog.String(kv.k, kv.v))
		}
	}
	r.AddAttrs(slog.Int("count", e.Count))
	_ = a.Logger.Handler().Handle(ctx, r) // a handler's failure is its own to report
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
	case pii.ContainsPersonalNumber(actor):
		actor = RedactedActor
	case pii.ContainsContactData(actor):
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

// ActorFrom returns the actor set with WithActor, or "".
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// categories joins category names with commas.
func categories(cs []processing.DataCategory) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(c))
	}
	return b.String()
}
