package sqlstore

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// A record's parts live in one column of its row, in a compact binary
// form, rather than as rows of their own: a record is then one row to
// insert, read, update and delete, which is what makes recording and
// purging cheap. Delivery reports address parts, but always through their
// record: the record row is locked (or the single SQLite writer holds the
// database), read, changed with storage.Apply and written back.
//
// The form, version 1:
//
//	version byte (1)
//	uvarint  number of parts
//	per part:
//	  status   byte: 1 + index in storedStatuses, or 0 followed by
//	           a uvarint length and the status text (a status this
//	           version does not know)
//	  uvarint  length, operator id
//	  uvarint  length, error code
//	  uvarint  0 for a zero UpdatedAt, else 1 + zigzag(UpdatedAt −
//	           the record's CreatedAt, in nanoseconds)
//
// Times are relative to the record's creation, so a typical part takes a
// few bytes beyond its operator id.

const partsVersion = 1

// errBadParts reports a parts column this version cannot decode. It never
// quotes the column.
var errBadParts = errors.New("sqlstore: damaged parts column")

// storedStatuses are the statuses stored as a byte, 1 + their index: the
// order is part of the stored format, so it is this package's, never
// changed, only appended to (TestPartsCodec).
var storedStatuses = [...]transport.Status{
	transport.StatusUnknown, transport.StatusAccepted, transport.StatusEnroute,
	transport.StatusDelivered, transport.StatusExpired, transport.StatusDeleted, transport.StatusUndeliverable,
	transport.StatusRejected,
}

// statusCode maps a status to its byte; unknown statuses get 0.
var statusCode = func() map[transport.Status]byte {
	m := make(map[transport.Status]byte, len(storedStatuses))
	for i, s := range storedStatuses {
		m[s] = byte(i + 1)
	}
	return m
}()

// encodeParts appends the encoded parts to dst and returns it; created is
// the record's CreatedAt, the origin of the parts' times.
func encodeParts(dst []byte, parts []storage.Part, created time.Time) []byte {
	dst = append(dst, partsVersion)
	dst = binary.AppendUvarint(dst, uint64(len(parts)))
	origin := encodeTime(created)
	for _, p := range parts {
		if c, ok := statusCode[p.Status]; ok {
			dst = append(dst, c)
		} else {
			dst = append(dst, 0)
			dst = appendString(dst, string(p.Status))
		}
		dst = appendString(dst, p.OperatorID)
		dst = appendString(dst, p.ErrorCode)
		if p.UpdatedAt.IsZero() {
			dst = append(dst, 0)
			continue
		}
		d := encodeTime(p.UpdatedAt) - origin // wraps for absurd times; decoding wraps back
		dst = binary.AppendUvarint(dst, zigzag(d)+1)
	}
	return dst
}

// decodeParts decodes a parts column; created is the record's CreatedAt.
func decodeParts(b []byte, created time.Time) ([]storage.Part, error) {
	if len(b) == 0 || b[0] != partsVersion {
		return nil, errBadParts
	}
	b = b[1:]
	n, b, ok := uvarint(b)
	if !ok || n > uint64(len(b)) { // every part takes at least 4 bytes
		return nil, errBadParts
	}
	origin := encodeTime(created)
	parts := make([]storage.Part, 0, n)
	for range n {
		var p storage.Part
		if len(b) == 0 {
			return nil, errBadParts
		}
		c := b[0]
		b = b[1:]
		switch {
		case c == 0:
			var s string
			if s, b, ok = readString(b); !ok {
				return nil, errBadParts
			}
			p.Status = transport.Status(s)
		case int(c) <= len(storedStatuses):
			p.Status = storedStatuses[c-1]
		default:
			return nil, errBadParts
		}
		if p.OperatorID, b, ok = readString(b); !ok {
			return nil, errBadParts
		}
		if p.ErrorCode, b, ok = readString(b); !ok {
			return nil, errBadParts
		}
		var t uint64
		if t, b, ok = uvarint(b); !ok {
			return nil, errBadParts
		}
		if t != 0 {
			p.UpdatedAt = decodeTime(origin + unzigzag(t-1))
		}
		parts = append(parts, p)
	}
	if len(b) != 0 {
		return nil, errBadParts
	}
	return parts, nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func readString(b []byte) (string, []byte, bool) {
	n, b, ok := uvarint(b)
	if !ok || n > uint64(len(b)) {
		return "", nil, false
	}
	return string(b[:n]), b[n:], true
}

func uvarint(b []byte) (uint64, []byte, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, false
	}
	return v, b[n:], true
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
