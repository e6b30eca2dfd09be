package hook_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportDecidesDriver: a program that imports sqlstore/sqlite links
// no pgx, one that imports sqlstore/postgres no SQLite driver, and
// sqlstore itself links neither. (Before the split, the quickstart, which
// uses only SQLite, linked pgx: 31.8 MB instead of 25.9 MB.)
func TestImportDecidesDriver(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const base = "github.com/azenna/advox/storage/sqlstore"
	tests := []struct {
		pkg       string
		links     string // "": no driver
		notLinked []string
	}{
		{base, "", []string{"github.com/jackc/pgx/", "modernc.org/sqlite"}},
		{base + "/sqlite", "modernc.org/sqlite", []string{"github.com/jackc/pgx/"}},
		{base + "/postgres", "github.com/jackc/pgx/", []string{"modernc.org/sqlite"}},
	}
	for _, tt := range tests {
		out, err := exec.Command(goTool, "list", "-deps", tt.pkg).Output()
		require.NoError(t, err, "go list -deps %s", tt.pkg)
		deps := string(out)
		if tt.links != "" {
			assert.Contains(t, deps, tt.links, "%s links its driver", tt.pkg)
		}
		for _, p := range tt.notLinked {
			assert.False(t, strings.Contains(deps, p), "%s links %s", tt.pkg, p)
		}
	}
}
