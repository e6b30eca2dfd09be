package smpptransport

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeID(t *testing.T) {
	tests := []struct {
		in   string
		base int
		want string
	}{
		{"A0000001", 16, "2684354561"},
		{"a0000001", 16, "2684354561"},
		{"2684354561", 10, "2684354561"},
		{"0002684354561", 10, "2684354561"},
		{" 12 \x00", 10, "12"},
		{"FFFFFFFFFFFFFFFFFF", 16, "4722366482869645213695"},
		{"not-a-number", 10, "not-a-number"},
		{"AbC0", 0, "abc0"},
		{"00ab", 0, "ab"},
		{"0000", 0, "0"},
		{"Msg-ID-7", 0, "msg-id-7"},
		{"", 0, ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, normalizeID(tc.in, tc.base), "%q base %d", tc.in, tc.base)
	}
	// A hex id from submit_sm_resp and the decimal id of its receipt meet.
	assert.Equal(t, normalizeID("1A2B3C", 16), normalizeID("1715004", 10))
}

func TestMask(t *testing.T) {
	assert.Equal(t, "***", mask(""))
	assert.Equal(t, "***", mask("abc"))
	assert.Equal(t, "***567", mask("1234567"))
}
