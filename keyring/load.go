package keyring

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strings"

	"github.com/azenna/advox/internal/errs"
)

// Keys is the key material a Client needs from configuration to keep its
// traffic readable across restarts: the KEK that wraps the data keys and
// the key of the blind index (advox.Options.KEK and IndexKey). It never
// prints its keys: fmt and slog show it redacted.
type Keys struct {
	// KEK wraps the accounts' data keys.
	KEK KEK
	// IndexKey keys the blind index of recipient numbers.
	IndexKey []byte
}

// String implements fmt.Stringer without revealing the keys.
func (Keys) String() string { return "keyring.Keys{redacted}" }

// GoString implements fmt.GoStringer without revealing the keys.
func (k Keys) GoString() string { return k.String() }

// The names FromEnv and FromFile read the keys under, each holding 32
// random bytes in hex ("openssl rand -hex 32"). The index key may be
// longer; the KEK is exactly 32 bytes.
const (
	EnvKEK      = "ADVOX_KEK"
	EnvIndexKey = "ADVOX_INDEX_KEY"
)

// FromEnv loads Keys from the environment variables EnvKEK and
// EnvIndexKey:
//
//	export ADVOX_KEK=$(openssl rand -hex 32) ADVOX_INDEX_KEY=$(openssl rand -hex 32)
//
// Keep both, apart from the traffic and its backups: without them the
// traffic cannot be read, and under other keys neither opened nor found
// by number. A missing or malformed key is an *advox.Error of
// CodeInvalidArgument that names the variable and never holds its value.
func FromEnv() (Keys, error) {
	return parse("environment", os.Getenv)
}

// FromFile loads Keys from a file of NAME=value lines, the format of
// systemd's EnvironmentFile and of docker's --env-file, holding EnvKEK and
// EnvIndexKey as FromEnv reads them; blank lines, lines starting with "#"
// and other names are skipped, and a value may be quoted. Keep the file
// readable by the service alone, and out of the traffic's backups.
func FromFile(path string) (Keys, error) {
	const op = "load keys"
	b, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, &errs.Error{Op: op, Code: errs.CodeInvalidArgument, Err: err}
	}
	vals, err := parseEnvFile(b)
	if err != nil {
		return Keys{}, &errs.Error{Op: op, Code: errs.CodeInvalidArgument, Err: err}
	}
	return parse(path, func(name string) string { return vals[name] })
}

// parseEnvFile reads NAME=value lines, skipping blank lines, comments and
// lines without "="; a leading "export " and quotes around the value are
// dropped.
func parseEnvFile(b []byte) (map[string]string, error) {
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			continue
		}
		vals[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(val), `"'`)
	}
	return vals, sc.Err()
}

// parse reads both keys through get; where says where they were looked
// for, for the errors.
func parse(where string, get func(string) string) (Keys, error) {
	const op = "load keys"
	kekRaw, ok := decode(get(EnvKEK))
	if !ok || len(kekRaw) != 32 {
		return Keys{}, errs.New(op, errs.CodeInvalidArgument,
			"%s (%s) is missing or not 32 bytes in hex (openssl rand -hex 32)", EnvKEK, where)
	}
	kek, err := NewStaticKEK(kekRaw)
	clear(kekRaw)
	if err != nil {
		return Keys{}, err
	}
	idx, ok := decode(get(EnvIndexKey))
	if !ok || len(idx) < MinIndexKeyLen {
		return Keys{}, errs.New(op, errs.CodeInvalidArgument,
			"%s (%s) is missing or shorter than %d bytes in hex (openssl rand -hex 32)", EnvIndexKey, where, MinIndexKeyLen)
	}
	return Keys{KEK: kek, IndexKey: idx}, nil
}

// decode reads hex; the decoder's error, which quotes the input, is
// dropped.
func decode(s string) ([]byte, bool) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	return b, err == nil && len(b) > 0
}
