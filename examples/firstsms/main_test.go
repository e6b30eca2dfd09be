package main

import (
	"fmt"
	"log"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/azenna/advox/internal/doccheck"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The program, run against the SMSC simulator, in a temporary directory,
// with keys in the environment.
func Example() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer smsc.Close()
	dir, err := os.MkdirTemp("", "advox-firstsms-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	wd, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil { // traffic.db goes there
		log.Fatal(err)
	}
	for k, v := range map[string]string{
		"SMSC_ADDR": smsc.Addr(), "SMSC_USER": smsctest.DefaultSystemID, "SMSC_PASSWORD": smsctest.DefaultPassword,
		keyring.EnvKEK:      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		keyring.EnvIndexKey: "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100",
	} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}

	main()
	fmt.Println("the SMSC got:", smsc.Messages()[0].To, smsc.Messages()[0].Parts)
	// Output:
	// sent: accepted
	// the SMSC got: +46701234567 [Your code is 4711]
}

// The README's first program is this one, byte for byte.
func TestREADMEIsThisProgram(t *testing.T) {
	doccheck.Markdown(t, "../../README.md", "main.go")
}
