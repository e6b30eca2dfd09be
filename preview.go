package advox

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// This file chooses a message's encoding and cuts it into parts, as Send
// and Preview do; numbers and sender ids are package phone's. Nothing here
// ever puts a text into an error string.

// DefaultMaxSegments is how many parts a message may have unless
// SegmentOptions says otherwise: a runaway text fails instead of billing
// dozens of parts.
const DefaultMaxSegments = 10

// maxConcatParts is the most parts a concatenated SMS can have: the part
// count is one octet of the user data header.
const maxConcatParts = 255

// The segment sizes, in septets (GSM-7) or UTF-16 code units (UCS-2): one
// whole SMS, and one part of a concatenated SMS whose user data header
// carries an 8-bit or a 16-bit reference.
const (
	gsm7Single   = 160
	gsm7Concat8  = 153
	gsm7Concat16 = 152
	ucs2Single   = 70
	ucs2Concat8  = 67
	ucs2Concat16 = 66
)

// SegmentOptions tunes Preview. The zero value (or nil) means automatic
// encoding, 8-bit concatenation references and DefaultMaxSegments.
type SegmentOptions struct {
	// ForceUCS2 sends as UCS-2 even when GSM-7 would do.
	ForceUCS2 bool
	// Concat is the reference width parts are sized for; 0 means
	// transport.Concat8.
	Concat transport.Concat
	// MaxSegments refuses texts that need more parts; 0 means
	// DefaultMaxSegments, at most 255.
	MaxSegments int
}

// Segmentation is how a text is sent: its encoding and its parts.
type Segmentation struct {
	// Encoding is GSM-7 when every character is in the GSM 03.38 basic set
	// or extension table, UCS-2 otherwise (or when forced).
	Encoding transport.Encoding
	// Parts is the text of each part; joined they give the text back
	// exactly.
	Parts []string
	// Units is the whole text's size: septets (GSM-7, extension characters
	// count two) or UTF-16 code units (UCS-2, characters outside the BMP
	// count two).
	Units int
}

// Segments returns the number of parts, the number of SMS billed.
func (s Segmentation) Segments() int { return len(s.Parts) }

// Preview chooses the encoding of text and splits it into parts: one part
// up to 160 septets or 70 UTF-16 units, otherwise parts of 153 / 67 (152 /
// 66 with Concat16), filled greedily. An extension character's escape pair
// and a surrogate pair are never split across parts. Empty text, invalid
// UTF-8 and texts needing more than MaxSegments parts are refused with
// CodeInvalidArgument and a *FieldError for field "text".
func Preview(text string, opts *SegmentOptions) (Segmentation, error) {
	const op = "preview"
	var o SegmentOptions
	if opts != nil {
		o = *opts
	}
	if o.Concat == 0 {
		o.Concat = transport.Concat8
	}
	if o.MaxSegments == 0 {
		o.MaxSegments = DefaultMaxSegments
	}
	switch {
	case o.Concat != transport.Concat8 && o.Concat != transport.Concat16:
		return Segmentation{}, invalidField(op, "concat", "must be 8 or 16")
	case o.MaxSegments < 0 || o.MaxSegments > maxConcatParts:
		return Segmentation{}, invalidField(op, "max segments", "must be between 1 and 255")
	case text == "":
		return Segmentation{}, invalidField(op, "text", "empty")
	case !utf8.ValidString(text):
		return Segmentation{}, invalidField(op, "text", "not valid UTF-8")
	}

	enc, cost := transport.UCS2, ucs2Units
	if !o.ForceUCS2 && gsm7.Encodable(text) {
		enc, cost = transport.GSM7, gsm7.Septets
	}
	units := 0
	for _, r := range text {
		units += cost(r)
	}
	single, part := segmentLimits(enc, o.Concat)
	if units <= single {
		return Segmentation{Encoding: enc, Parts: []string{text}, Units: units}, nil
	}
	if n := fillParts(text, cost, part, nil); n > o.MaxSegments {
		return Segmentation{}, invalidField(op, "text",
			fmt.Sprintf("needs %d segments, maximum is %d", n, o.MaxSegments))
	}
	var parts []string
	fillParts(text, cost, part, func(p string) { parts = append(parts, p) })
	return Segmentation{Encoding: enc, Parts: parts, Units: units}, nil
}

// ucs2Units is the number of UTF-16 code units r takes.
func ucs2Units(r rune) int { return utf16.RuneLen(r) }

// segmentLimits returns the single-SMS and the per-part size for enc.
func segmentLimits(enc transport.Encoding, c transport.Concat) (single, part int) {
	switch {
	case enc == transport.GSM7 && c == transport.Concat16:
		return gsm7Single, gsm7Concat16
	case enc == transport.GSM7:
		return gsm7Single, gsm7Concat8
	case c == transport.Concat16:
		return ucs2Single, ucs2Concat16
	}
	return ucs2Single, ucs2Concat8
}

// fillParts cuts text greedily into parts of at most limit units, whole
// characters only, calls emit (when not nil) with each and returns their
// number.
func fillParts(text string, cost func(rune) int, limit int, emit func(string)) int {
	n, start, used := 0, 0, 0
	for i, r := range text {
		u := cost(r)
		if used+u > limit {
			if emit != nil {
				emit(text[start:i])
			}
			n, start, used = n+1, i, 0
		}
		used += u
	}
	if emit != nil {
		emit(text[start:])
	}
	return n + 1
}
