package pii_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/pii"
)

// FuzzValidateOrgNumber checks that an accepted number has the shape the
// rules demand and that errors never contain the number.
func FuzzValidateOrgNumber(f *testing.F) {
	for _, s := range personalNumberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := pii.ValidateOrgNumber(s)
		if err != nil {
			require.Error(t, err)
			if len(s) >= 6 {
				assert.NotContains(t, err.Error(), s)
			}
			errstest.NoDigitsOf(t, s, err.Error())
			return
		}
		assert.False(t, pii.ContainsPersonalNumber(s))
		vat := "SE" + s + "01"
		if len(s) == 10 || len(s) == 11 {
			_ = pii.ValidateVATNumber(vat) // must not panic
		}
	})
}

func TestValidateOrgNumber(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		soleTrader bool
		invalid    bool
	}{
		{"Ericsson", "556016-0680", false, false},
		{"bare", "5560160680", false, false},
		{"12 digits with 16", "16556016-0680", false, false},
		{"municipality", "212000-1421", false, false},
		{"non-profit", "802002-7457", false, false},
		{"wrong check digit", "556016-0681", false, true},
		{"digits 3-4 below 20", "551299-4442", false, true},
		{"12 digits without 16", "17556016-0680", false, true},
		{"too short", "556016-068", false, true},
		{"letters", "556016-068O", false, true},
		{"empty", "", false, true},
		{"sole trader", "811218-9876", true, false},
		{"sole trader, 12 digits", "19811218-9876", true, false},
		{"sole trader with 16", "16811218-9876", true, false},
		{"sole trader, centenarian", "121212+1212", true, false},
		{"sole trader, samordningsnummer", "701063-2391", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := pii.ValidateOrgNumber(tc.in)
			switch {
			case tc.soleTrader:
				require.Error(t, err)
				assert.ErrorIs(t, err, pii.ErrSoleTraderNumber)
				assert.ErrorIs(t, err, advox.ErrPersonalNumber)
				assert.Contains(t, err.Error(), "register the business without it")
			case tc.invalid:
				require.Error(t, err)
				assert.ErrorIs(t, err, advox.ErrInvalidArgument)
				assert.NotErrorIs(t, err, advox.ErrPersonalNumber)
			default:
				assert.NoError(t, err)
			}
			if err != nil {
				errstest.NoDigitsOf(t, tc.in, err.Error())
			}
		})
	}
}

func TestValidateVATNumber(t *testing.T) {
	tests := []struct {
		in   string
		want error // nil: valid
	}{
		{"SE556016068001", nil},
		{"se 556016-0680 01", nil},
		{"SE811218987601", pii.ErrSoleTraderNumber},
		{"SE556016068101", advox.ErrInvalidArgument},
		{"SE556016068002", advox.ErrInvalidArgument},
		{"DE556016068001", advox.ErrInvalidArgument},
		{"SE5560160680", advox.ErrInvalidArgument},
		{"", advox.ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			err := pii.ValidateVATNumber(tc.in)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			errstest.NoDigitsOf(t, tc.in, err.Error())
		})
	}
}

func TestSoleTraderErrorIsDistinct(t *testing.T) {
	err := pii.ValidateOrgNumber("811218-9876")
	var e *advox.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, advox.CodePersonalNumber, e.Code)
	assert.True(t, errors.Is(err, pii.ErrSoleTraderNumber))
	assert.False(t, errors.Is(pii.ValidateOrgNumber("5560160681"), pii.ErrSoleTraderNumber))
}

// A personal identity number in an organisation-number or VAT number is
// refused as one, whatever else is wrong with the value.
func TestOrgAndVATNumbersRefusePersonalNumberAsSuch(t *testing.T) {
	for _, s := range []string{"811218987601", "SE811218987601", "SE 811218-9876 01", "811218-9876 AB"} {
		err := pii.ValidateOrgNumber(s)
		assert.ErrorIs(t, err, advox.ErrPersonalNumber, "org %q", s)
		assert.ErrorIs(t, err, pii.ErrSoleTraderNumber, "org %q", s)
	}
	for _, s := range []string{"SE198112189876", "SE 811218-9876"} {
		assert.ErrorIs(t, pii.ValidateVATNumber(s), advox.ErrPersonalNumber, "vat %q", s)
	}
	assert.NoError(t, pii.ValidateOrgNumber("556016-0680"))
	assert.NoError(t, pii.ValidateOrgNumber("16556016-0680"))
	assert.NoError(t, pii.ValidateVATNumber("SE556016068001"))
	assert.ErrorIs(t, pii.ValidateOrgNumber("556016-0681"), advox.ErrInvalidArgument)
}
