package pii_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/pii"
)

func TestContainsContactData(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"acme", false},
		{"acct-2001", false},
		{"cust_0042", false},
		{"Storgatan 1, 411 01 Göteborg", false},
		{"ops@acme.example", true},
		{"+46701234567", true},
		{"tel:+46-70-123-45-67", true},
		{"+46 (70) 123.45.67", true},
		{"+46 70", false}, // fewer than 7 digits after the "+"
		{"203.0.113.7", true},
		{"ip:203.0.113.7", true},
		{"203.0.113.7:8080", true},
		{"192.0.2.0/24", true},
		{"host-2001:db8::1", true},
		{"::1", true},
		{"070-123 45 67", false}, // national form: see ContainsPersonContact
	} {
		assert.Equal(t, tc.want, pii.ContainsContactData(tc.in), "%q", tc.in)
	}
}

func TestContainsPersonContact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"privat mobil 070-174 06 05", true},
		{"Storgatan 1 tel 0701740605", true},
		{"Åsa 070-1740605", true},
		{"ring 0046 70 174 06 05", true}, // "00" international prefix
		{"att. anna.svensson@gmail.com", true},
		{"Exempel AB, +46 70 174 06 05", true},
		{"Box 123, 111 22 Stockholm", false}, // postal codes do not start with 0
		{"PO 4711", false},
		{"556016-0680", false}, // an organisation number is no phone number
		{"OCR 0123", false},    // too short for a number
		{"född 1981-12-18", false},
	} {
		assert.Equal(t, tc.want, pii.ContainsPersonContact(tc.in), "%q", tc.in)
	}
}

func BenchmarkContainsPersonContact(b *testing.B) {
	for b.Loop() {
		pii.ContainsPersonContact("Fakturaservice, Box 123, 111 22 Stockholm, ref PO 4711")
	}
}
