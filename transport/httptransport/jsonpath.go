package httptransport

import (
	"encoding/json"
	"strconv"
	"strings"
)

// lookup follows a dotted path ("a.b.0.c") through decoded JSON; numeric
// segments index arrays. It returns nil when the path does not exist.
func lookup(v any, path string) any {
	if path == "" {
		return nil
	}
	for seg := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// scalar renders a JSON string or number as a string; ok is false for
// anything else (objects, arrays, booleans, null).
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// decodeJSON decodes b keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errTrailingData
	}
	return v, nil
}
