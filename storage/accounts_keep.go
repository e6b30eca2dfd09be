package storage

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unkeepable returns the path ("Contacts[1].Name") of the first value in
// c that a database cannot keep exactly — a string that is not UTF-8 or
// holds a NUL byte, a float that is NaN — or "" when there is none.
// AccountStore implementations refuse such a customer with ErrInvalid.
// It walks every exported field, so a field added to Customer later is
// covered too.
func Unkeepable(c *Customer) string {
	return unkeepable(reflect.ValueOf(c).Elem(), "")
}

// CheckKeepable is Unkeepable as the error an AccountStore returns:
// ErrInvalid naming the field, never its value, or nil. Stores prefix it
// with their name and the call ("sqlstore: create account: …"), so that
// every store refuses the same customers in the same words.
func CheckKeepable(c *Customer) error {
	if f := Unkeepable(c); f != "" {
		return fmt.Errorf("%s is not UTF-8 text without NUL bytes, or not a number: %w", f, ErrInvalid)
	}
	return nil
}

// Keepable reports whether s can be kept exactly as text.
func Keepable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func unkeepable(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.String:
		if !Keepable(v.String()) {
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
			if bad := unkeepable(v.Field(i), p); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if bad := unkeepable(v.Index(i), path+"["+strconv.Itoa(i)+"]"); bad != "" {
				return bad
			}
		}
	}
	return ""
}
