package transport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
)

func TestPartsCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		indices []int
		n       int
		ok      bool
	}{
		{"the rest of three", []int{1, 2}, 3, true},
		{"the last one", []int{2}, 3, true},
		{"all of them", []int{0, 1, 2}, 3, true},
		{"none", nil, 3, false},
		{"out of range", []int{3}, 3, false},
		{"negative", []int{-1, 0}, 3, false},
		{"repeated", []int{1, 1}, 3, false},
		{"descending", []int{2, 1}, 3, false},
		{"a single-part message has no parts to resume", []int{0}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := transport.Parts{Ref: 7, Indices: tc.indices}.Check(tc.n)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, transport.ErrRejected, "nothing is sent, and the same parts never can be")
		})
	}
}
