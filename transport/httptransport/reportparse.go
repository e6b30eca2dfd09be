package httptransport

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azenna/advox/transport"
)

// Errors of report parsing. They never quote the input.
var (
	ErrMalformedReport = errors.New("httptransport: malformed delivery report")
	// ErrOtherCallback: the callback is of another kind than a delivery
	// report (ReportDialect.Kind), such as an inbound SMS or a batch
	// summary. The webhook acknowledges it and counts it in Stats.Ignored.
	ErrOtherCallback  = errors.New("httptransport: callback is not a delivery report")
	errBadPart        = errors.New("report part is not a number from 1 to 255")
	errNoReportID     = errors.New("report names neither an id nor a reference")
	errBadStatus      = errors.New("report status is missing or unknown")
	errBadTime        = errors.New("report time does not parse")
	errBadErrorCode   = errors.New("report error code is too long or not printable")
	errNotObject      = errors.New("report is not a JSON object or array of objects")
	errTooManyReports = errors.New("too many reports in one request")
)

// maxReportsPerRequest bounds a JSON array of reports.
const maxReportsPerRequest = 1000

// Parse reads the delivery reports of one webhook request: query is the
// request's URL query (which also carries the callback's "ref" and
// "part"), body its body. It never panics. A request holding only
// callbacks of another kind (see ReportDialect.Kind) returns
// ErrOtherCallback; every other error wraps ErrMalformedReport.
func (d *ReportDialect) Parse(query url.Values, body []byte) ([]transport.Report, error) {
	cb := callback{ref: query.Get(RefParam)}
	if p := query.Get(PartParam); p != "" || query.Has(PartParam) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > maxParts || !validID(cb.ref) {
			return nil, malformed(errBadPart)
		}
		cb.part = n
	}
	var reports []transport.Report
	var err error
	switch d.Format {
	case BodyQuery:
		reports, err = d.one(valuesGetter(query), cb)
	case BodyForm:
		form, perr := url.ParseQuery(string(body))
		if perr != nil {
			return nil, malformed(errors.New("report form does not parse"))
		}
		reports, err = d.one(valuesGetter(form), cb)
	case BodyJSON:
		reports, err = d.fromJSON(body, cb)
	default:
		err = errors.New("report format unknown")
	}
	switch {
	case err == nil && len(reports) == 0:
		return nil, ErrOtherCallback
	case err != nil:
		return nil, malformed(err)
	}
	return reports, nil
}

// callback is what the callback URL says of the message a report is
// about: its id and, for a PerPart profile, the part.
type callback struct {
	ref  string
	part int
}

func malformed(err error) error { return errors.Join(ErrMalformedReport, err) }

// getter reads one field of a report.
type getter func(name string) (string, bool)

func valuesGetter(v url.Values) getter {
	return func(name string) (string, bool) {
		if name == "" || !v.Has(name) {
			return "", false
		}
		return v.Get(name), true
	}
}

func jsonGetter(obj any) getter {
	return func(name string) (string, bool) {
		return scalar(lookup(obj, name))
	}
}

func (d *ReportDialect) fromJSON(body []byte, cb callback) ([]transport.Report, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return nil, errors.New("report JSON does not parse")
	}
	switch x := v.(type) {
	case map[string]any:
		return d.one(jsonGetter(x), cb)
	case []any:
		if len(x) == 0 || len(x) > maxReportsPerRequest {
			return nil, errTooManyReports
		}
		out := make([]transport.Report, 0, len(x))
		for _, e := range x {
			obj, ok := e.(map[string]any)
			if !ok {
				return nil, errNotObject
			}
			r, err := d.one(jsonGetter(obj), cb)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
		return out, nil
	}
	return nil, errNotObject
}

// one reads a single report through get; cb is what the callback URL
// says, used when the body does not. A callback of another kind gives no
// report and no error.
func (d *ReportDialect) one(get getter, cb callback) ([]transport.Report, error) {
	if d.Kind != "" {
		if kind, ok := get(d.Kind); ok && !slices.Contains(d.ReportKinds, kind) {
			return nil, nil
		}
	}
	var r transport.Report
	if id, ok := get(d.ID); ok && id != "" {
		if !validID(id) {
			return nil, errNoReportID
		}
		r.OperatorID = id
	}
	ref := cb.ref
	if id, ok := get(d.Reference); ok && id != "" {
		ref = id
	}
	if ref != "" {
		if !validID(ref) {
			return nil, errNoReportID
		}
		r.MessageID = ref
	}
	if r.OperatorID == "" && cb.part > 0 && ref == cb.ref {
		r.OperatorID = PartID(ref, cb.part)
	}
	if r.OperatorID == "" && r.MessageID == "" {
		return nil, errNoReportID
	}
	v, ok := get(d.Status)
	if !ok {
		return nil, errBadStatus
	}
	if r.Status, ok = d.status(v); !ok {
		return nil, errBadStatus
	}
	if code, ok := get(d.Error); ok {
		if len(code) > 32 || !utf8.ValidString(code) || strings.ContainsFunc(code, func(c rune) bool { return c < ' ' || c == 0x7f }) {
			return nil, errBadErrorCode
		}
		if r.Status.Final() && r.Status != transport.StatusDelivered {
			r.ErrorCode = code // a success code is no error
		}
	}
	for _, field := range [...]string{d.OperatorTime, d.Time} {
		if s, ok := get(field); ok && s != "" {
			at, ok := d.parseTime(s)
			if !ok {
				return nil, errBadTime
			}
			r.At = at
			break
		}
	}
	return []transport.Report{r}, nil
}

// status maps an operator status value onto the vocabulary.
func (d *ReportDialect) status(v string) (transport.Status, bool) {
	if s, ok := d.Statuses[v]; ok {
		return s, true
	}
	for k, s := range d.Statuses {
		if strings.EqualFold(k, v) {
			return s, true
		}
	}
	return "", false
}

// parseTime tries the dialect's layouts; a zone-less layout reads UTC.
func (d *ReportDialect) parseTime(s string) (time.Time, bool) {
	for _, layout := range d.TimeLayouts {
		if layout == UnixTime {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
				continue
			}
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
