package doccheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodeBlock(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"none", "Package x does things.\n", ""},
		{"first block only", "Intro:\n\n\ta := 1\n\tb := a\n\nMore:\n\n\tc := 2\n", "a := 1\nb := a"},
		{"nested indentation kept", "\tif x {\n\t\ty()\n\t}\n", "if x {\n\ty()\n}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, codeBlock(tt.text), tt.name)
	}
}

func TestFuncBody(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x_test.go")
	require.NoError(t, os.WriteFile(file, []byte("package x\n\nfunc other() {}\n\nfunc snippet() {\n\ta := 1\n\tif a > 0 {\n\t\ta++\n\t}\n}\n"), 0o600))
	got, err := funcBody(file, "snippet")
	require.NoError(t, err)
	assert.Equal(t, "a := 1\nif a > 0 {\n\ta++\n}", got)
	_, err = funcBody(file, "missing")
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFencedGo(t *testing.T) {
	md := "# x\n\n```sh\ngo run .\n```\n\n```go\npackage main\n\nfunc main() {}\n```\n\n```go\nother\n```\n"
	got, ok := fencedGo(md)
	assert.True(t, ok)
	assert.Equal(t, "package main\n\nfunc main() {}\n", got)
	_, ok = fencedGo("no code\n")
	assert.False(t, ok)
}
