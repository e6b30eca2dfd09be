package advox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
)

// An account id is an account field: a personal identity number in it is
// refused with ErrPersonalNumber wherever an account id is taken, before
// anything is sent, recorded or logged.
func TestAccountIDRefusesPersonalNumber(t *testing.T) {
	for _, id := range []string{"811218-9876", "198112189876", "kund-811218-9876", "19701063-2391"} {
		err := advox.ValidateAccountID(id)
		require.ErrorIs(t, err, advox.ErrPersonalNumber, "%q", id)
		assert.NotContains(t, err.Error(), id[len(id)-4:], "the number is never echoed")
	}
	for _, id := range []string{"acme", "acct-1", "556016-0680", "kund-4711"} {
		assert.NoError(t, advox.ValidateAccountID(id), "%q", id)
	}

	var logs bytes.Buffer
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	m := msg("hej")
	m.Account = "811218-9876"
	_, err := c.Send(context.Background(), m)
	require.ErrorIs(t, err, advox.ErrPersonalNumber)
	assert.Empty(t, tr.Sent(), "nothing is sent")
	_, err = c.EraseAccountTraffic(context.Background(), "811218-9876", advox.EraseOnRequest)
	require.ErrorIs(t, err, advox.ErrPersonalNumber)
	assert.NotContains(t, logs.String(), "9876")

	_, err = newAccounts(t, storage.ContractLimits{}).Create(ctxT(t), customer("811218-9876"))
	assert.ErrorIs(t, err, advox.ErrPersonalNumber, "nor is it an account of customer data")
}

// Account ids go into every audit event and log line, which hold opaque
// ids only: an id that is an e-mail address, a phone number or an IP
// address is refused, without echoing it.
func TestValidateAccountIDRefusesContactData(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"acme", true},
		{"acct-2001", true},
		{"cust_0042", true},
		{"ops@acme.example", false},
		{"+46701234567", false},
		{"tel:+46-70-123-45-67", false},
		{"203.0.113.7", false},
		{"host-2001:db8::1", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			err := advox.ValidateAccountID(tc.id)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
			assert.NotContains(t, err.Error(), tc.id)
		})
	}
}

// "Åsa" has two Unicode spellings that look the same: NFC (one code point
// for Å) and NFD (A and a combining ring). Ids are compared byte for byte,
// so both spellings as two users would be a look-alike login. Ids are
// kept in NFC only, and a login typed in another form still finds its
// user.
const (
	asaNFC = "\u00c5sa-api"  // Å
	asaNFD = "A\u030asa-api" // A + combining ring above
)

func TestIDsAreNFC(t *testing.T) {
	require.NotEqual(t, asaNFC, asaNFD)
	assert.NoError(t, advox.ValidateAccountID(asaNFC))
	err := advox.ValidateAccountID(asaNFD)
	assert.Equal(t, advox.CodeInvalidArgument, advox.CodeOf(err))
	assert.NotContains(t, err.Error(), asaNFD)
}

// Each account sends at its own rate: Send waits for the account's limiter
// before submitting, and a wait that would outlast the caller's deadline
// fails at once with that deadline's error, before anything is sent. Other
// accounts are not slowed down.
func ExampleLimit() {
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		AccountLimit:  advox.Limit{Rate: 100, Burst: 10},                                       // every account by default
		AccountLimits: map[string]advox.Limit{"acme": {Rate: rate.Every(time.Hour), Burst: 2}}, // acme: a burst of 2, then one an hour
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, account := range []string{"acme", "acme", "acme", "globex"} {
		_, err := client.Send(ctx, advox.Message{Account: account, From: "Acme", To: "+46701234567", Text: "hi"})
		fmt.Println(account, err, errors.Is(err, context.DeadlineExceeded))
	}
	fmt.Println("submitted:", len(tr.Sent()))
	// Output:
	// acme <nil> false
	// acme <nil> false
	// acme context deadline exceeded true
	// globex <nil> false
	// submitted: 3
}
