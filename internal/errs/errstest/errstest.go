// Package errstest holds the assertions the library's tests share about
// its errors. Not for users.
package errstest

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/internal/errs"
)

// RequireField checks that err is an *Error of CodeInvalidArgument
// (matching ErrInvalidArgument) whose *FieldError names field, and returns
// the FieldError.
func RequireField(t testing.TB, err error, field string) *errs.FieldError {
	t.Helper()
	require.Error(t, err)
	assert.True(t, errors.Is(err, errs.ErrInvalidArgument), "not ErrInvalidArgument: %v", err)
	var e *errs.Error
	if assert.True(t, errors.As(err, &e), "not an *Error: %v", err) {
		assert.Equal(t, errs.CodeInvalidArgument, e.Code)
	}
	var fe *errs.FieldError
	require.True(t, errors.As(err, &fe), "no *FieldError in %v", err)
	assert.Equal(t, field, fe.Field)
	return fe
}

// NoDigitsOf fails when msg (an error's text) holds any six of the digits
// of in in a row: errors never echo a number they refuse.
func NoDigitsOf(t testing.TB, in, msg string) {
	t.Helper()
	var d strings.Builder
	for _, r := range in {
		if r >= '0' && r <= '9' {
			d.WriteRune(r)
		}
	}
	digits := d.String()
	for i := 0; i+6 <= len(digits); i++ {
		assert.NotContains(t, msg, digits[i:i+6], "the error must not echo the number")
	}
}
