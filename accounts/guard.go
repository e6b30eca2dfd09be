package accounts

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/internal/walk"
	"github.com/azenna/advox/pii"
	"github.com/azenna/advox/storage"
)

// MaxFieldLen bounds every string of a customer's data, in bytes.
const MaxFieldLen = 512

var passwordHashType = reflect.TypeFor[storage.PasswordHash]()

// guardCustomer refuses customer data that holds a personal identity number
// in any string, free text included, or written across two strings (its
// date ending one, its last four digits starting another), or a string
// that is too long, not UTF-8 or has control characters; and free text
// that holds an e-mail address, a phone number or an IP address — the
// customer's own go in the fields named Email and Phone, a person's
// nowhere. It walks the struct by reflection (package internal/walk), so a
// field added to storage.Customer later is guarded without anyone
// remembering to.
// Password hashes are skipped: they are not text anyone typed. The
// organisation number gets its own, more specific refusal.
func guardCustomer(op string, c *storage.Customer) error {
	if c.OrgNumber != "" {
		if err := pii.ValidateOrgNumber(c.OrgNumber); err != nil {
			if advox.CodeOf(err) == advox.CodePersonalNumber {
				return soleTraderField(op, "OrgNumber")
			}
			return errs.Field(op, "OrgNumber", "not a valid organisation number")
		}
	}
	var paths, texts []string
	err := walk.Leaves(c, func(path string, v reflect.Value) error {
		if v.Kind() != reflect.String || v.Type() == passwordHashType {
			return nil
		}
		s := v.String()
		paths, texts = append(paths, path), append(texts, s)
		return checkText(op, path, s)
	})
	if err != nil {
		return err
	}
	if i, j, found := pii.SplitPersonalNumber(texts); found {
		return errs.PersonalNumber(op, paths[i]+" and "+paths[j])
	}
	for i, path := range paths {
		if !isContactField(path) && pii.ContainsPersonContact(texts[i]) {
			return errs.Field(op, path, "holds an e-mail address, phone number or IP address: "+
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
	if len(s) > MaxFieldLen || !utf8.ValidString(s) {
		return errs.Field(op, field, "longer than "+strconv.Itoa(MaxFieldLen)+" bytes or not UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errs.Field(op, field, "contains control characters")
		}
	}
	if pii.ContainsPersonalNumber(s) {
		return errs.PersonalNumber(op, field)
	}
	return nil
}

// soleTraderField is the error for a sole trader's number in an
// organisation-number field.
func soleTraderField(op, field string) error {
	return &advox.Error{Op: op, Code: advox.CodePersonalNumber, Err: fmt.Errorf("%s: %w", field, pii.ErrSoleTraderNumber)}
}
