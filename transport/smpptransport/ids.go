package smpptransport

import (
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// normalizeID brings an SMSC message id into the one form used on both
// sides, submit_sm_resp and receipts. With base 10 or 16 the id is read as
// a number in that base and written in decimal; otherwise (or when it is
// not such a number) it is an opaque string: trimmed, lower-cased, and,
// when it consists of hex digits, stripped of leading zeros.
func normalizeID(id string, base int) string {
	id = strings.TrimSpace(strings.TrimRight(id, "\x00"))
	if base == 10 || base == 16 {
		if v, err := strconv.ParseUint(id, base, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
		if v, ok := new(big.Int).SetString(id, base); ok && v.Sign() >= 0 {
			return v.String()
		}
	}
	id = strings.ToLower(id)
	if isHex(id) {
		if t := strings.TrimLeft(id, "0"); t != "" {
			return t
		}
		return "0"
	}
	return id
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// mask hides all but the last three characters of an id for logs.
func mask(s string) string {
	if len(s) <= 3 {
		return "***"
	}
	return "***" + s[len(s)-3:]
}

// idBases notices an SMSC that writes message ids in one number base in
// submit_sm_resp and in another in receipts while Config leaves the id
// bases unset: ids are then compared as opaque strings, so a receipt's
// decimal 1715004 never matches the hex 1a2b3c it means, and may match
// another message's id instead. It keeps the last recentIDs answered ids
// and the last recentIDs receipt ids that matched none (a receipt may be
// read before its answer is). A receipt whose id matches no answer while
// its other-base reading matches one (whichever comes first), or whose id
// has hex letters when every answer so far had decimal digits only, is
// suspect. Once suspect receipts are both a few and more than those that
// matched an answer, it is logged, once, with the bases to set; once many
// matched, it stops looking. A heuristic: it only logs.
type idBases struct {
	done atomic.Bool // logged or settled: nothing more to look at

	mu       sync.Mutex
	answers  idRing
	receipts idRing // receipt ids that matched no answer yet
	answered int    // ids answered so far
	letters  bool   // an answered id had hex letters
	// matched and suspect count receipts.
	matched, suspect int
}

const (
	recentIDs      = 1024 // ids kept on each side
	suspectLimit   = 3    // suspect receipts before the log
	decimalAnswers = 16   // all-decimal answers before a hex receipt is suspect
	settledAfter   = 256  // receipts matched before the check ends
)

// idRing is a set of the last recentIDs ids added.
type idRing struct {
	set  map[string]struct{}
	ring []string
	next int
}

func (r *idRing) add(id string) {
	if r.set == nil {
		r.set, r.ring = make(map[string]struct{}, recentIDs), make([]string, recentIDs)
	}
	delete(r.set, r.ring[r.next])
	r.ring[r.next], r.set[id] = id, struct{}{}
	r.next = (r.next + 1) % recentIDs
}

func (r *idRing) has(id string) bool {
	_, ok := r.set[id]
	return ok
}

// hasIn reports whether id, read in base from and written in base to, is
// in r.
func (r *idRing) hasIn(id string, from, to int) bool {
	if len(r.set) == 0 {
		return false
	}
	v, ok := new(big.Int).SetString(id, from)
	return ok && r.has(v.Text(to))
}

// answered notes an id the SMSC answered a submit_sm with and returns it.
func (t *Transport) answered(id string) string {
	if t.cfg.SubmitIDBase != 0 || t.ids.done.Load() {
		return id
	}
	b := &t.ids
	b.mu.Lock()
	b.answers.add(id)
	b.answered++
	b.letters = b.letters || !isDecimal(id)
	var submit, receipt int
	switch {
	case b.receipts.has(id):
		b.match()
	case isHex(id) && b.receipts.hasIn(id, 16, 10):
		submit, receipt = 16, 10
	case isDecimal(id) && b.receipts.hasIn(id, 10, 16):
		submit, receipt = 10, 16
	}
	mixed := submit != 0 && b.suspected()
	b.mu.Unlock()
	t.mixedIDs(mixed, submit, receipt)
	return id
}

// checkReceiptID looks at a receipt's id (see idBases).
func (t *Transport) checkReceiptID(id string) {
	if t.cfg.ReceiptIDBase != 0 || t.ids.done.Load() {
		return
	}
	b := &t.ids
	b.mu.Lock()
	var submit, receipt int
	switch {
	case b.answers.has(id):
		b.match()
	case isDecimal(id) && b.answers.hasIn(id, 10, 16):
		submit, receipt = 16, 10
	case isHex(id) && b.answers.hasIn(id, 16, 10):
		submit, receipt = 10, 16
	case isHex(id) && !isDecimal(id) && b.answered >= decimalAnswers && !b.letters:
		submit, receipt = 10, 16
	default:
		b.receipts.add(id)
	}
	mixed := submit != 0 && b.suspected()
	b.mu.Unlock()
	t.mixedIDs(mixed, submit, receipt)
}

// match counts a receipt that matched an answer, and ends the check once
// enough did; b.mu is held.
func (b *idBases) match() {
	b.matched++
	if b.matched >= settledAfter && b.matched > b.suspect {
		b.done.Store(true)
	}
}

// suspected counts a suspect receipt and reports whether ids now look
// mixed; b.mu is held.
func (b *idBases) suspected() bool {
	b.suspect++
	return b.suspect >= suspectLimit && b.suspect > b.matched
}

// mixedIDs logs, once, that ids look mixed.
func (t *Transport) mixedIDs(mixed bool, submit, receipt int) {
	if mixed && t.ids.done.CompareAndSwap(false, true) {
		t.cfg.Logger.Warn("smpp: receipts seem to write message ids in another number base than submit_sm_resp, "+
			"so they match other messages or none: set Config.SubmitIDBase and ReceiptIDBase",
			"transport", t.name, "submit_id_base", submit, "receipt_id_base", receipt)
	}
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
