package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// secret is a configuration value that must never be printed: a password,
// token or key. In the file it is either the value itself or "env:NAME",
// read from the environment variable NAME when the file is loaded, so that
// real secrets need not sit in configuration files.
type secret string

// UnmarshalJSON reads the value, resolving "env:NAME".
func (s *secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New("a secret is a JSON string")
	}
	if name, ok := strings.CutPrefix(v, "env:"); ok {
		val, set := os.LookupEnv(name)
		if !set {
			return fmt.Errorf("environment variable %s is not set", name)
		}
		v = val
	}
	*s = secret(v)
	return nil
}

// MarshalJSON redacts, so that a configuration dumped for debugging holds
// no secrets.
func (s secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// String redacts.
func (s secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts.
func (s secret) GoString() string { return s.String() }

// duration is a time.Duration written as in Go ("1h30m") in the file.
type duration time.Duration

// UnmarshalJSON parses "1h30m".
func (d *duration) UnmarshalJSON(b []byte) error {
	// Errors never quote the value: it may come from a request.
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New(`a duration is a string such as "1h30m"`)
	}
	p, err := time.ParseDuration(v)
	if err != nil {
		return errors.New(`not a duration such as "1h30m"`)
	}
	*d = duration(p)
	return nil
}

// MarshalJSON writes "1h30m0s".
func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// date is a calendar date written "2006-01-02" in the file.
type date struct{ time.Time }

// UnmarshalJSON parses "2006-01-02" as midnight UTC.
func (d *date) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New(`a date is a string such as "2026-01-15"`)
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", v)
	}
	d.Time = t
	return nil
}

// MarshalJSON writes "2006-01-02".
func (d date) MarshalJSON() ([]byte, error) { return json.Marshal(d.Format(time.DateOnly)) }
