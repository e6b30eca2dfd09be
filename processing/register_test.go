package processing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
)

// TestRegisterZeroValue: a register declared as a zero value (var r
// processing.Register, or &processing.Register{}) takes registrations instead of
// panicking on its nil map.
func TestRegisterZeroValue(t *testing.T) {
	var r processing.Register
	require.Error(t, r.Check("se-operator"), "an empty register allows nothing")
	require.NotPanics(t, func() { require.NoError(t, r.Declare(operator("se-operator", "SE", ""))) })
	assert.NoError(t, r.Check("se-operator"))
	assert.Len(t, r.List(), 1)
}

var agreed = time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)

func operator(name, country, safeguard string) processing.Processor {
	return processing.Processor{
		Name: name, Role: "SMS operator", Country: country, AgreementDate: agreed, Safeguard: safeguard,
		Categories: []processing.DataCategory{processing.CategoryRecipients, processing.CategorySenders, processing.CategoryMessageText},
	}
}

func TestRegisterCheck(t *testing.T) {
	r, err := processing.NewRegister(
		operator("se-operator", "se", ""),
		operator("no-operator", "NO", ""),
		operator("us-operator", "US", ""),
		operator("uk-operator", "GB", "adequacy decision (EU) 2021/1772"),
	)
	require.NoError(t, err)
	tests := []struct {
		name string
		ok   bool
	}{
		{"se-operator", true},
		{"no-operator", true},
		{"us-operator", false},
		{"uk-operator", true},
		{"unregistered", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := r.Check(tc.name)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
		})
	}
	var none *processing.Register
	assert.ErrorIs(t, none.Check("se-operator"), advox.ErrInvalidArgument, "a nil register allows nothing")

	names := []string{}
	for _, p := range r.List() {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"no-operator", "se-operator", "uk-operator", "us-operator"}, names)
	assert.Equal(t, "SE", r.List()[1].Country)
}

func TestRegisterDeclareValidates(t *testing.T) {
	r, err := processing.NewRegister()
	require.NoError(t, err)
	for name, edit := range map[string]func(p *processing.Processor){
		"no name":       func(p *processing.Processor) { p.Name = "" },
		"no role":       func(p *processing.Processor) { p.Role = "" },
		"bad country":   func(p *processing.Processor) { p.Country = "Sweden" },
		"no agreement":  func(p *processing.Processor) { p.AgreementDate = time.Time{} },
		"no categories": func(p *processing.Processor) { p.Categories = nil },
		"unknown cat":   func(p *processing.Processor) { p.Categories = []processing.DataCategory{"dna"} },
	} {
		p := operator("x", "SE", "")
		edit(&p)
		assert.ErrorIs(t, r.Declare(p), advox.ErrInvalidArgument, name)
	}
	assert.Empty(t, r.List())
	assert.True(t, processing.InEEA("is"))
	assert.False(t, processing.InEEA("CH"))
}
