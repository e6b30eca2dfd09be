package smpptransport

import "github.com/azenna/advox/transport"

var _ transport.Linker = (*Transport)(nil)

// Link implements transport.Linker: the link is up while at least one
// session that submits is bound, has answered its first enquire_link and
// is not retired (as hung, or not bound in the SMSC's eyes). changed is
// closed at the next bind or loss of any session.
func (t *Transport) Link() (up bool, changed <-chan struct{}) {
	changed = t.changes() // before reading: a change after it closes changed
	if t.closed.Load() {
		return false, changed
	}
	for _, l := range t.tx {
		if c, _ := l.live(); c != nil {
			return true, changed
		}
	}
	return false, changed
}

// FailFast implements transport.Linker: from then on the transport acts
// as under OutageFailFast, and a submit waiting for a window slot of a
// session that is lost or declared hung is handed back at once as not
// sent, whatever Config.Outage says.
func (t *Transport) FailFast() { t.failFast.Store(true) }

// failsFast reports whether a submit that finds no usable session fails
// at once instead of waiting for a rebind.
func (t *Transport) failsFast() bool {
	return t.cfg.Outage == OutageFailFast || t.failFast.Load()
}
