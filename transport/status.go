package transport

import "slices"

// Status is the delivery-status vocabulary shared by every transport, store
// and the Client. Operators' own codes are mapped onto it by the adapters.
type Status string

// The delivery statuses. Delivered, Expired, Deleted, Undeliverable and
// Rejected are final; Unknown, Accepted and Enroute are intermediate.
const (
	// StatusUnknown: the outcome is not (yet) known, for example after a
	// submit whose response never arrived. A later report can settle it.
	StatusUnknown Status = "unknown"
	// StatusAccepted: the operator took the message for delivery.
	StatusAccepted Status = "accepted"
	// StatusEnroute: the operator reports the message on its way.
	StatusEnroute Status = "enroute"
	// StatusDelivered: the handset received the message.
	StatusDelivered Status = "delivered"
	// StatusExpired: the validity period ran out before delivery.
	StatusExpired Status = "expired"
	// StatusDeleted: the message was deleted before delivery.
	StatusDeleted Status = "deleted"
	// StatusUndeliverable: the network could not deliver the message.
	StatusUndeliverable Status = "undeliverable"
	// StatusRejected: the operator refused the message.
	StatusRejected Status = "rejected"
)

// statuses is the vocabulary, intermediate statuses first.
var statuses = [...]Status{
	StatusUnknown, StatusAccepted, StatusEnroute,
	StatusDelivered, StatusExpired, StatusDeleted, StatusUndeliverable, StatusRejected,
}

// Statuses returns every status of the vocabulary, intermediate ones
// first, in a new slice: changing it changes nothing else.
func Statuses() []Status { return slices.Clone(statuses[:]) }

// Valid reports whether s is part of the vocabulary.
func (s Status) Valid() bool {
	for _, v := range statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether s is a final status: nothing moves a message out of
// a final status.
func (s Status) Final() bool {
	switch s {
	case StatusDelivered, StatusExpired, StatusDeleted, StatusUndeliverable, StatusRejected:
		return true
	}
	return false
}

// rank orders statuses for CanBecome: unknown < accepted < enroute < final.
func (s Status) rank() int {
	switch s {
	case StatusUnknown:
		return 0
	case StatusAccepted:
		return 1
	case StatusEnroute:
		return 2
	}
	return 3
}

// CanBecome reports whether a message in status s may move to next. A final
// status never changes (the first final report wins, duplicates are no-ops),
// and an intermediate status never moves backwards (enroute never becomes
// accepted again).
func (s Status) CanBecome(next Status) bool {
	if !next.Valid() || s.Final() {
		return false
	}
	if !s.Valid() { // the zero value: anything valid is progress
		return true
	}
	return next.rank() > s.rank()
}

// Overall derives a message's status from the statuses of its parts: the
// message is delivered only when every part is; a part that failed finally
// makes the message fail with that status; otherwise the least advanced
// intermediate status wins. Overall(nil) is StatusUnknown.
func Overall(parts []Status) Status {
	if len(parts) == 0 {
		return StatusUnknown
	}
	delivered := 0
	least := StatusEnroute
	for _, p := range parts {
		switch {
		case p == StatusDelivered:
			delivered++
		case p.Final():
			return p
		case p.rank() < least.rank():
			least = p
		}
	}
	if delivered == len(parts) {
		return StatusDelivered
	}
	if !least.Valid() {
		return StatusUnknown
	}
	return least
}
