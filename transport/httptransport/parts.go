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
// OperatorID, so the Client applies the report to that part alone.
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

// concatUDH is the User Data Header of part (1-based) of m: the
// concatenated-message information element (3GPP TS 23.040 §9.2.3.24.1 and
// .8), 8-bit reference unless m.Concat says 16. The reference is derived
// from m.ID, so a part sent again carries the same one.
func concatUDH(m *transport.Message, part int) string {
	h := fnv.New32a()
	h.Write([]byte(m.ID))
	ref := h.Sum32()
	total := byte(len(m.Parts))
	if m.Concat == transport.Concat16 {
		return string([]byte{6, 8, 4, byte(ref >> 8), byte(ref), total, byte(part)})
	}
	return string([]byte{5, 0, 3, byte(ref), total, byte(part)})
}

// submitParts sends each part of m as its own request, in order. A failure
// of the first part is returned as it is; a later one as a
// *transport.PartialError naming the parts the operator accepted, which
// must never be sent again blindly.
func (t *Transport) submitParts(ctx context.Context, m *transport.Message) (transport.Result, error) {
	var res transport.Result
	said := false
	for n := 1; n <= len(m.Parts); n++ {
		ans, err := t.exchange(ctx, m, n)
		if err != nil {
			if n == 1 {
				return transport.Result{}, err
			}
			return transport.Result{OperatorIDs: res.OperatorIDs}, &transport.PartialError{Accepted: res.OperatorIDs, Err: err}
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
