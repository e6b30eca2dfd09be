package sqlstore

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/azenna/advox/storage"
)

// storable reports whether s can be kept exactly as text: PostgreSQL
// refuses a string that is not UTF-8 or holds a NUL byte (even as a
// query argument), and a JSON list would replace invalid bytes silently.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// checkCustomer refuses, with storage.ErrInvalid, a customer that the
// database cannot keep exactly: a string that is not storable or a rate
// that is not a number (SQLite stores NaN as NULL). The error names the
// field, never its value.
func checkCustomer(op string, c *storage.Customer) error {
	if f := unstorable(reflect.ValueOf(c).Elem(), ""); f != "" {
		return fmt.Errorf("sqlstore: %s: %s is not UTF-8 text without NUL bytes, or not a number: %w", op, f, storage.ErrInvalid)
	}
	return nil
}

// unstorable returns the path ("Contacts[1].Name") of the first string
// or float reachable from v through exported fields and slices that
// cannot be stored, or "" when there is none. Walking by reflection
// covers a field added to storage.Customer later.
func unstorable(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.String:
		if !storable(v.String()) {
			return path
		}
	case reflect.Float32, reflect.Float64:
		if math.IsNaN(v.Float()) {
			return path
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			if bad := unstorable(v.Field(i), p); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if bad := unstorable(v.Index(i), path+"["+strconv.Itoa(i)+"]"); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// lookup vets an id a call looks an account or user up by. One that no
// account can hold is storage.ErrNotFound without asking the database
// (PostgreSQL would fail the query), after the checks every call makes
// first (context, Close).
func (a *Accounts) lookup(ctx context.Context, name, id string) error {
	if storable(id) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a.s.mu.RLock()
	closed := a.s.closed
	a.s.mu.RUnlock()
	if closed || a.closed.Load() {
		return errClosed(name)
	}
	return fmt.Errorf("sqlstore: %s: %w", name, storage.ErrNotFound)
}
