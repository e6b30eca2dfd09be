package storage

import (
	"errors"
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

// Keepable reports whether s can be kept exactly as text.
func Keepable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
