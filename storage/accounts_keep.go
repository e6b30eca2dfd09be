package storage

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/azenna/advox/internal/walk"
)

// Unkeepable returns the path ("Contacts[1].Name") of the first value in
// c that a database cannot keep exactly — a string that is not UTF-8 or
// holds a NUL byte, a float that is NaN — or "" when there is none.
// AccountStore implementations refuse such a customer with ErrInvalid.
// It walks every exported field, so a field added to Customer later is
// covered too.
func Unkeepable(c *Customer) string {
	var bad string
	found := errors.New("unkeepable")
	_ = walk.Leaves(c, func(path string, v reflect.Value) error {
		switch v.Kind() {
		case reflect.String:
			if !Keepable(v.String()) {
				bad = path
				return found
			}
		case reflect.Float32, reflect.Float64:
			if math.IsNaN(v.Float()) {
				bad = path
				return found
			}
		}
		return nil
	})
	return bad
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
