// Package nodesmpp installs and runs node-smpp (npm smpp), an SMPP
// implementation the project did not write, for the opt-in interop tests
// (ADVOX_NODE_SMPP=1) of the SMPP packages. It holds the installer and
// the process runner; each test brings its own node script.
package nodesmpp

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// Process is a node script running with node-smpp on its NODE_PATH,
// driven line by line: commands to In, answers from Out.
type Process struct {
	// Cmd is the node process.
	Cmd *exec.Cmd
	// In is the script's stdin.
	In io.WriteCloser
	// Out reads the script's stdout, a line at a time (up to 16 MiB).
	Out *bufio.Scanner
	// Addr is the address the script listens on.
	Addr string
}

// Start runs script with node, node-smpp from modules (see Modules), and
// waits for its first line, which must be "listening PORT" on 127.0.0.1.
// The process ends when the test does: its stdin is closed and it is
// waited for.
func Start(t testing.TB, modules, script string) *Process {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smsc.js")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o644))
	cmd := exec.Command("node", path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(modules, "node_modules"))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
	})
	p := &Process{Cmd: cmd, In: in, Out: bufio.NewScanner(stdout)}
	p.Out.Buffer(make([]byte, 0, 1<<20), 16<<20)
	require.True(t, p.Out.Scan(), "node-smpp did not start")
	port, ok := strings.CutPrefix(p.Out.Text(), "listening ")
	require.True(t, ok, p.Out.Text())
	p.Addr = "127.0.0.1:" + port
	return p
}
