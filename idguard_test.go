package advox_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/pii"
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

	f := newAcctFixture(t, nil)
	cust := demoCustomer("acme")
	cust.Account = "811218-9876"
	_, err = f.acc.Create(ctxT(t), cust)
	assert.ErrorIs(t, err, advox.ErrPersonalNumber)
}

// A personal identity number in an organisation-number or VAT field is
// refused as one, whatever else is wrong with the value, like in every
// other field.
func TestOrgAndVATFieldsRefusePersonalNumberAsSuch(t *testing.T) {
	for _, s := range []string{"811218987601", "SE811218987601", "SE 811218-9876 01", "811218-9876 AB"} {
		err := pii.ValidateOrgNumber(s)
		assert.ErrorIs(t, err, advox.ErrPersonalNumber, "org %q", s)
		assert.ErrorIs(t, err, pii.ErrSoleTraderNumber, "org %q", s)

		f := newAcctFixture(t, nil)
		c := demoCustomer("acme")
		c.OrgNumber = s
		_, err = f.acc.Create(ctxT(t), c)
		assert.ErrorIs(t, err, advox.ErrPersonalNumber, "OrgNumber %q", s)
	}
	for _, s := range []string{"SE198112189876", "SE 811218-9876"} {
		assert.ErrorIs(t, pii.ValidateVATNumber(s), advox.ErrPersonalNumber, "vat %q", s)
	}
	assert.NoError(t, pii.ValidateOrgNumber("556016-0680"))
	assert.NoError(t, pii.ValidateOrgNumber("16556016-0680"))
	assert.NoError(t, pii.ValidateVATNumber("SE556016068001"))
	assert.ErrorIs(t, pii.ValidateOrgNumber("556016-0681"), advox.ErrInvalidArgument)
}

// Audit events never hold an identity number, not even one an application
// passes as the actor.
func TestAuditActorNeverHoldsPersonalNumber(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := audit.WithActor(ctxT(t), "bankid:19811218-9876")
	_, err := f.acc.Create(ctx, demoCustomer("acme"))
	require.NoError(t, err)
	require.NotEmpty(t, f.audit.events)
	for _, e := range f.audit.events {
		assert.False(t, pii.ContainsPersonalNumber(e.Actor), "actor %q", e.Actor)
		assert.NotEmpty(t, e.Actor, "an actor was given")
	}
	assert.Equal(t, "ops-7", audit.ActorFrom(audit.WithActor(context.Background(), "ops-7")))
}
