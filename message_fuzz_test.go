package advox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/internal/errs/errstest"
	"github.com/azenna/advox/transport"
)

func FuzzPreview(f *testing.F) {
	for _, s := range []string{
		"a", "Hej! Din kod är 4711.", strings.Repeat("a", 161), strings.Repeat("a", 152) + "€b",
		strings.Repeat("ж", 66) + "😀ж", strings.Repeat("€", 81), "\f^{}\\[~]|€", "😀", "abc\xff", "",
	} {
		f.Add(s, false, uint8(0), uint8(0))
		f.Add(s, true, uint8(16), uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, force bool, concat, maxSegments uint8) {
		opts := &SegmentOptions{ForceUCS2: force, MaxSegments: int(maxSegments)}
		if concat%2 == 1 {
			opts.Concat = transport.Concat16
		}
		seg, err := Preview(text, opts)
		if err != nil {
			errstest.RequireField(t, err, "text")
			return
		}
		require.Equal(t, text, strings.Join(seg.Parts, ""))
		require.Equal(t, len(seg.Parts), seg.Segments())
		max := int(maxSegments)
		if max == 0 {
			max = DefaultMaxSegments
		}
		require.LessOrEqual(t, seg.Segments(), max)
		if force {
			require.Equal(t, transport.UCS2, seg.Encoding)
		}
		checkSegmentation(t, text, opts, seg)
	})
}
