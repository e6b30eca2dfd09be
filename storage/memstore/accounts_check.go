package memstore

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/azenna/advox/storage"
)

// checkCustomer refuses, with storage.ErrInvalid, what a database store
// cannot keep exactly, so that the memory store never accepts customer
// data the SQL stores refuse: a string that is not UTF-8 or holds a NUL
// byte, a rate that is not a number. The error names the field, never
// its value.
func checkCustomer(op string, c *storage.Customer) error {
	if f := unstorable(reflect.ValueOf(c).Elem(), ""); f != "" {
		return fmt.Errorf("memstore: %s: %s is not UTF-8 text without NUL bytes, or not a number: %w", op, f, storage.ErrInvalid)
	}
	return nil
}

// unstorable returns the path ("Contacts[1].Name") of the first string
// or float reachable from v through exported fields and slices that
// checkCustomer refuses, or "" when there is none.
func unstorable(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
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
