package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"

	"github.com/azenna/advox/storage"
)

// The account row codec: a Customer's scalar fields as the columns of
// advox_accounts (accountCols order), string lists as JSON arrays, times
// through the time codec, networks as netip.Prefix text. Decoding is
// strict, so a row damaged outside the library fails loudly instead of
// yielding a wrong account; its errors never quote the row.

// accountArgs returns c's columns for insertAccount (account first).
func accountArgs(c *storage.Customer) []any {
	return []any{
		c.Account, c.Organisation, c.OrgNumber, encodeStrings(c.References), c.Reseller,
		encodeStrings(c.InvoiceAddress.Lines), c.InvoiceAddress.PostalCode, c.InvoiceAddress.City, c.InvoiceAddress.Country,
		encodeStrings(c.PostalAddress.Lines), c.PostalAddress.PostalCode, c.PostalAddress.City, c.PostalAddress.Country,
		c.Email, c.Phone, c.Limits.Rate, int64(c.Limits.Burst), int64(c.Limits.MonthlySegments),
		encodeTime(c.CreatedAt), encodeTime(c.UpdatedAt),
	}
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanAccount reads the columns of accountCols into a Customer without
// its child rows.
func scanAccount(r rowScanner) (storage.Customer, error) {
	var (
		c                               storage.Customer
		refs, invoiceLines, postalLines string
		burst, monthly, created, upd    int64
	)
	err := r.Scan(&c.Account, &c.Organisation, &c.OrgNumber, &refs, &c.Reseller,
		&invoiceLines, &c.InvoiceAddress.PostalCode, &c.InvoiceAddress.City, &c.InvoiceAddress.Country,
		&postalLines, &c.PostalAddress.PostalCode, &c.PostalAddress.City, &c.PostalAddress.Country,
		&c.Email, &c.Phone, &c.Limits.Rate, &burst, &monthly, &created, &upd)
	if err != nil {
		return storage.Customer{}, err
	}
	return decodeAccount(c, refs, invoiceLines, postalLines, burst, monthly, created, upd)
}

// decodeAccount completes c from the encoded columns.
func decodeAccount(c storage.Customer, refs, invoiceLines, postalLines string, burst, monthly, created, upd int64) (storage.Customer, error) {
	var err error
	if c.References, err = decodeStrings(refs); err != nil {
		return storage.Customer{}, fmt.Errorf("sqlstore: account refs: %w", err)
	}
	if c.InvoiceAddress.Lines, err = decodeStrings(invoiceLines); err != nil {
		return storage.Customer{}, fmt.Errorf("sqlstore: account invoice_lines: %w", err)
	}
	if c.PostalAddress.Lines, err = decodeStrings(postalLines); err != nil {
		return storage.Customer{}, fmt.Errorf("sqlstore: account postal_lines: %w", err)
	}
	c.Limits.Burst, c.Limits.MonthlySegments = int(burst), int(monthly)
	c.CreatedAt, c.UpdatedAt = decodeTime(created), decodeTime(upd)
	return c, nil
}

// encodeStrings renders a string list as a JSON array ("[]" when empty).
// JSON keeps every valid UTF-8 string exactly (PostgreSQL TEXT holds
// nothing else).
func encodeStrings(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s) // a []string always marshals
	return string(b)
}

// errBadList is the error of a stored string list that is not a JSON
// array of strings; it does not quote the value.
var errBadList = errors.New("not a JSON array of strings")

// decodeStrings is the inverse of encodeStrings; an empty list is nil.
func decodeStrings(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, errBadList
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// encodePrefix renders a network as stored ("" for the zero Prefix).
func encodePrefix(p netip.Prefix) string {
	b, _ := p.MarshalText() // never fails
	return string(b)
}

// errBadPrefix is the error of a stored network that does not parse; it
// does not quote the value.
var errBadPrefix = errors.New("sqlstore: user network: not a network prefix")

// decodePrefix is the inverse of encodePrefix.
func decodePrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if err := p.UnmarshalText([]byte(s)); err != nil {
		return netip.Prefix{}, errBadPrefix
	}
	return p, nil
}
