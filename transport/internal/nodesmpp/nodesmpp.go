// Package nodesmpp installs node-smpp (npm smpp), an SMPP implementation
// the project did not write, for the opt-in interop tests
// (ADVOX_NODE_SMPP=1) of the SMPP packages.
package nodesmpp

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Version is the npm smpp release the interop tests install.
const Version = "0.5.1"

// Modules returns a directory holding node_modules/smpp, installing it
// with npm (outside the repository) when needed: ADVOX_NODE_SMPP_DIR,
// else a directory in the user's cache. Set NODE_PATH to its
// node_modules.
func Modules(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ADVOX_NODE_SMPP_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		require.NoError(t, err)
		dir = filepath.Join(cache, "advox", "node-smpp-"+Version)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "smpp")); err == nil {
		return dir
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	out, err := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "smpp@"+Version).CombinedOutput()
	require.NoError(t, err, "npm install smpp: %s", out)
	return dir
}
