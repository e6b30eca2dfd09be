package advox

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/azenna/advox/storage"
)

// MaxCustomerFieldLen bounds every string of a customer's data, in bytes.
const MaxCustomerFieldLen = 512

var passwordHashType = reflect.TypeFor[storage.PasswordHash]()

// guardCustomer refuses customer data that holds a personal identity number
// in any string, free text included, or written across two strings (its
// date ending one, its last four digits starting another), or a string
// that is too long, not UTF-8 or has control characters; and free text
// that holds an e-mail address, a phone number or an IP address — the
// customer's own go in the fields named Email and Phone, a person's
// nowhere. It walks the struct by reflection, so a field added to
// storage.Customer later is guarded without anyone remembering to.
// Password hashes are skipped: they are not text anyone typed. The
// organisation number gets its own, more specific refusal.
func guardCustomer(op string, c *storage.Customer) error {
	if c.OrgNumber != "" {
		if err := validateOrgNumber(op, c.OrgNumber); err != nil {
			if CodeOf(err) == CodePersonalNumber {
				return soleTraderField(op, "OrgNumber")
			}
			return invalidField(op, "OrgNumber", "not a valid organisation number")
		}
	}
	var paths, texts []string
	err := walkStrings(reflect.ValueOf(c).Elem(), "", func(path, s string) error {
		paths, texts = append(paths, path), append(texts, s)
		return checkText(op, path, s)
	})
	if err != nil {
		return err
	}
	if i, j, found := splitPersonalNumber(texts); found {
		return personalNumberField(op, paths[i]+" and "+paths[j])
	}
	for i, path := range paths {
		if !isContactField(path) && containsPersonContact(texts[i]) {
			return invalidField(op, path, "holds an e-mail address, phone number or IP address: "+
				"the customer's own belong in Email and Phone, a person's nowhere")
		}
	}
	return nil
}

// isContactField reports whether the field at path is meant for contact
// data: one named Email or Phone.
func isContactField(path string) bool {
	leaf := path[strings.LastIndexByte(path, '.')+1:]
	return leaf == "Email" || leaf == "Phone"
}

// checkText refuses a string of customer data that is too long, not UTF-8,
// has control characters or holds a personal identity number.
func checkText(op, field, s string) error {
	if len(s) > MaxCustomerFieldLen || !utf8.ValidString(s) {
		return invalidField(op, field, "longer than "+strconv.Itoa(MaxCustomerFieldLen)+" bytes or not UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalidField(op, field, "contains control characters")
		}
	}
	if ContainsPersonalNumber(s) {
		return personalNumberField(op, field)
	}
	return nil
}

// walkStrings calls visit for every string reachable from v through
// exported struct fields, slices, arrays, maps and pointers, with a path
// such as "Contacts[1].Name".
func walkStrings(v reflect.Value, path string, visit func(path, s string) error) error {
	switch v.Kind() {
	case reflect.String:
		if v.Type() == passwordHashType {
			return nil
		}
		return visit(path, v.String())
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
			if err := walkStrings(v.Field(i), p, visit); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", visit); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if err := walkStrings(it.Key(), path+"{key}", visit); err != nil {
				return err
			}
			if err := walkStrings(it.Value(), path+"{value}", visit); err != nil {
				return err
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return walkStrings(v.Elem(), path, visit)
		}
	}
	return nil
}
