package storage

import "iter"

// ByOperatorID makes the choice TrafficStore.FindByOperatorID promises
// among the records one of whose parts holds operatorID (candidates,
// visible ones only): the newest — latest CreatedAt, ties to the greater
// ID — among those whose part with that id can still take a report (is
// not final), and only when every such part is final, the newest of all.
// It returns the record and the part's index, or nil when no candidate
// holds operatorID. Operators reuse ids (an SMSC that restarts counts from
// 1 again), so a report must reach the message that is waiting for it,
// not an older namesake that has had its report.
func ByOperatorID(operatorID string, candidates iter.Seq[*Record]) (*Record, int) {
	var (
		best     *Record
		bestPart int
		bestOpen bool
	)
	for r := range candidates {
		part, open := -1, false
		for i, p := range r.Parts {
			if p.OperatorID != operatorID {
				continue
			}
			if part < 0 {
				part = i
			}
			if !p.Status.Final() {
				part, open = i, true
				break
			}
		}
		if part < 0 {
			continue
		}
		if best == nil || (open && !bestOpen) || (open == bestOpen && newer(r, best)) {
			best, bestPart, bestOpen = r, part, open
		}
	}
	return best, bestPart
}

// newer reports whether a was created after b (ties: the greater ID).
func newer(a, b *Record) bool {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}
