package storage_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/storage"
)

func TestUnkeepable(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *storage.Customer)
		want string
	}{
		{"all keepable", func(*storage.Customer) {}, ""},
		{"invalid UTF-8", func(c *storage.Customer) { c.Organisation = "Bolag \xff AB" }, "Organisation"},
		{"NUL byte in a list", func(c *storage.Customer) { c.References = []string{"ok", "a\x00b"} }, "References[1]"},
		{"nested struct", func(c *storage.Customer) { c.Contacts = []storage.Contact{{Name: "x"}, {Email: "\xc3"}} }, "Contacts[1].Email"},
		{"NaN rate", func(c *storage.Customer) { c.Limits.Rate = math.NaN() }, "Limits.Rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := storage.Customer{Account: "acme", Organisation: "Åsa AB", References: []string{"PO 1"}}
			tc.edit(&c)
			assert.Equal(t, tc.want, storage.Unkeepable(&c))
			err := storage.CheckKeepable(&c)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, storage.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want, "the error names the field")
			assert.NotContains(t, err.Error(), "Bolag", "and never its value")
		})
	}
	assert.True(t, storage.Keepable("Göteborg"))
	assert.False(t, storage.Keepable("a\x00"))
}
