// Package walk is the one reflection walker over structs that the
// library's guards share: the account guard (every string of a customer's
// data) and storage's check of what a database can keep. A field added to
// a struct later is covered without anyone remembering to. Not for users.
package walk

import (
	"reflect"
	"strconv"
)

// Leaves calls visit for every value reachable from v through exported
// struct fields, slices, arrays, maps and non-nil pointers and interfaces
// that is none of those — strings, numbers, booleans — with its path, such
// as "Contacts[1].Name" ("{key}" and "{value}" for a map's entries). It
// stops at the first error visit returns and returns it.
func Leaves(v any, visit func(path string, v reflect.Value) error) error {
	return leaves(reflect.ValueOf(v), "", visit)
}

func leaves(v reflect.Value, path string, visit func(string, reflect.Value) error) error {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
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
			if err := leaves(v.Field(i), p, visit); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := leaves(v.Index(i), path+"["+strconv.Itoa(i)+"]", visit); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if err := leaves(it.Key(), path+"{key}", visit); err != nil {
				return err
			}
			if err := leaves(it.Value(), path+"{value}", visit); err != nil {
				return err
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return leaves(v.Elem(), path, visit)
		}
	default:
		return visit(path, v)
	}
	return nil
}
