package httptransport

import (
	"context"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/azenna/advox/transport"
)

// maxParts is the most parts a concatenation header can number.
const maxParts = 255

// PartID is the id a PerPart profile gives part (1-based) of message id
// when the operator answers none: it is the part's id in Result.OperatorIDs,
// and a report whose callback URL names the part carries it as its
// OperatorID, so the Client applies the report to that part alone. A part
// sent again by SubmitParts has the same id.
func PartID(messageID string, part int) string {
	return messageID + "." + strconv.Itoa(part)
}

// isPartOf reports whether id is a PartID of message ref.
func isPartOf(id, ref string) bool {
	n, ok := strings.CutPrefix(id, ref+".")
	if !ok {
		return false
	}
	p, err := strconv.Atoi(n)
	return err == nil && p >= 1 && p <= maxParts && strconv.Itoa(p) == n
}

// piece is what one request carries: the whole message (num 0), or part
// num (1-based) of a PerPart profile's message, whose concatenation header
// carries reference ref.
type piece struct {
	num int
	ref uint16
}

// concatRef is the concatenation reference Submit gives the parts of m:
// derived from m.ID, so that a part sent again carries the same one, and
// as wide as m.Concat says (8 bits unless Concat16).
func concatRef(m *transport.Message) uint16 {
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	ref := uint16(h.Sum32())
	if m.Concat != transport.Concat16 {
		ref &= 0xFF
	}
	return ref
}

// concatUDH is the User Data Header of part (1-based) of m under reference
// ref: the concatenated-message information element (3GPP TS 23.040
// §9.2.3.24.1 and .8), 8-bit reference unless m.Concat says 16.
func concatUDH(m *transport.Message, ref uint16, part int) string {
	total := byte(len(m.Parts))
	if m.Concat == transport.Concat16 {
		return string([]byte{6, 8, 4, byte(ref >> 8), byte(ref), total, byte(part)})
	}
	return string([]byte{5, 0, 3, byte(ref), total, byte(part)})
}

// SubmitParts implements transport.PartSubmitter for a PerPart profile
// (Kannel): it sends the parts of m that p lists, in order, each as
// Submit sends a part — a request of its own whose udh carries p.Ref and
// the part's own number, whose callback URL names the part, and whose
// operator id is PartID(m.ID, n) when the operator answers none — so a
// part sent again has the id, and gets the reports, it would have had.
//
// A profile that sends the whole text in one request (PerPart false) has
// no parts to send alone, and its Submit never fails part way: it returns
// no *transport.PartialError, so none is Resumable and the Client never
// calls SubmitParts. Called anyway, SubmitParts sends nothing and fails
// with an error wrapping transport.ErrRejected; so does an invalid p
// (transport.Parts.Check) or, with an 8-bit concatenation, a p.Ref above
// 255, which no part can have carried.
func (t *Transport) SubmitParts(ctx context.Context, m *transport.Message, p transport.Parts) (transport.Result, error) {
	if !t.p.PerPart {
		return transport.Result{}, t.fail(Rejected, 0, "refused before sending: the profile sends a message in one request, never some of its parts", nil)
	}
	if err := t.check(m); err != nil {
		return transport.Result{}, err
	}
	if err := p.Check(len(m.Parts)); err != nil {
		return transport.Result{}, t.fail(Rejected, 0, "refused before sending: no such parts of the message", err)
	}
	if m.Concat != transport.Concat16 && p.Ref > 0xFF {
		return transport.Result{}, t.fail(Rejected, 0, "refused before sending: reference "+strconv.Itoa(int(p.Ref))+" is wider than 8 bits", nil)
	}
	if !t.enter() {
		return transport.Result{}, closedError(t.name)
	}
	defer t.leave()
	return t.sendParts(ctx, m, p.Indices, p.Ref)
}

// sendParts sends the parts of m at indices idx (every part when idx is
// nil) as requests of their own, in order, under reference ref. A failure
// of the first is returned as it is; a later one as a Resumable
// *transport.PartialError naming the parts the operator accepted, which
// must never be sent again blindly.
func (t *Transport) sendParts(ctx context.Context, m *transport.Message, idx []int, ref uint16) (transport.Result, error) {
	count := len(idx)
	if idx == nil {
		count = len(m.Parts)
	}
	var res transport.Result
	said := false
	for k := range count {
		n := k + 1
		if idx != nil {
			n = idx[k] + 1
		}
		ans, err := t.exchange(ctx, m, piece{num: n, ref: ref})
		if err != nil {
			if k == 0 {
				return transport.Result{}, err
			}
			return transport.Result{OperatorIDs: res.OperatorIDs},
				&transport.PartialError{Accepted: res.OperatorIDs, Err: err, Resumable: true, Ref: ref}
		}
		id := PartID(m.ID, n)
		if len(ans.IDs) > 0 {
			id = ans.IDs[0]
		}
		res.OperatorIDs = append(res.OperatorIDs, id)
		t.unparked(t.corr.learn(m.ID, res.OperatorIDs), true)
		if ans.Parts > 0 {
			said = true
		}
		res.Parts += max(ans.Parts, 1)
		if len(m.Parts) == 1 {
			res.Price = ans.Price
		}
	}
	if !said {
		res.Parts = 0 // the operator did not say
	}
	return res, nil
}
