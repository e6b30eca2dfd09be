package transport

// Linker is the optional interface of transports that hold a link to
// their operator which can be lost and restored while the transport is
// open (an SMPP bind). A transport that hands messages on to others (a
// router) uses it to pass over a member whose link is down at once,
// instead of waiting for it, and to try the member again as soon as its
// link is back.
type Linker interface {
	// Link reports whether the link is up — a Submit made now would be
	// written to the operator without waiting for a (re)connection — and
	// returns a channel that is closed at the next change of the link
	// (it may also close on a change that leaves up as it was).
	Link() (up bool, changed <-chan struct{})
	// FailFast makes every later Submit that finds no usable link, before
	// the call or during it while nothing of the message was written,
	// return at once with an error wrapping ErrNotSent instead of waiting
	// for the link to come back. It cannot be undone. A router calls it on
	// each of its members: waiting for one member's link while another
	// could take the message is never right.
	FailFast()
}
