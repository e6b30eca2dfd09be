package accounts_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
)

func TestExport(t *testing.T) {
	f := authFixture(t, nil)
	ctx := ctxT(t)
	require.NoError(t, f.acc.GrantConsent(ctx, "acme", reseller, accounts.DisclosureReinvoicing))
	require.NoError(t, f.reserve(ctx, "acme", 7, acctEpoch))
	b, err := f.acc.Export(ctx, "acme")
	require.NoError(t, err)
	assert.NotContains(t, string(b), "argon2")
	assert.NotContains(t, string(b), "redacted", "hashes are left out, not merely masked")

	var doc struct {
		Format       string `json:"format"`
		Account      string `json:"account"`
		Organisation string `json:"organisation"`
		OrgNumber    string `json:"organisation_number"`
		Phone        string `json:"phone"`
		Users        []struct {
			ID              string   `json:"id"`
			AllowedNetworks []string `json:"allowed_networks"`
			PasswordSet     bool     `json:"password_set"`
		} `json:"users"`
		Contacts []struct{ Name, Email, Role string } `json:"contact_persons"`
		Consents []struct {
			Party       string     `json:"party"`
			Purpose     string     `json:"purpose"`
			GrantedAt   time.Time  `json:"granted_at"`
			WithdrawnAt *time.Time `json:"withdrawn_at"`
		} `json:"consents"`
		Limits struct {
			MonthlySegments int `json:"monthly_segments"`
		} `json:"contract_limits"`
		Segments []struct {
			Month    string `json:"month"`
			Segments int    `json:"segments"`
		} `json:"segments_per_month"`
		Traffic struct {
			Export, Format string
		} `json:"traffic"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	// Broke: neither the usage counters nor where the traffic is.
	assert.Equal(t, 1, len(doc.Segments))
	assert.Equal(t, "2026-03", doc.Segments[0].Month)
	assert.Equal(t, 7, doc.Segments[0].Segments)
	assert.Contains(t, doc.Traffic.Export, "ExportTraffic")
	assert.Equal(t, advox.TrafficExportFormat, doc.Traffic.Format)
	assert.Equal(t, accounts.ExportFormat, doc.Format)
	assert.Equal(t, "acme", doc.Account)
	assert.Equal(t, "556016-0680", doc.OrgNumber)
	assert.Equal(t, "+46812345678", doc.Phone)
	require.Len(t, doc.Users, 2)
	assert.Equal(t, []string{"192.0.2.0/24", "2001:db8:1::/48"}, doc.Users[0].AllowedNetworks)
	assert.True(t, doc.Users[0].PasswordSet)
	assert.Equal(t, "Åsa Öberg", doc.Contacts[0].Name)
	require.Len(t, doc.Consents, 1)
	assert.Equal(t, acctEpoch, doc.Consents[0].GrantedAt)
	assert.Nil(t, doc.Consents[0].WithdrawnAt)
	assert.Equal(t, 100, doc.Limits.MonthlySegments)

	_, err = f.acc.Export(ctx, "missing")
	assert.ErrorIs(t, err, advox.ErrNotFound)
}

func TestExportShapeIsStable(t *testing.T) {
	f := newAcctFixture(t, nil)
	_, err := f.acc.Create(ctxT(t), storage.Customer{Account: "min", Organisation: "Minimal AB"})
	require.NoError(t, err)
	b, err := f.acc.Export(ctxT(t), "min")
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(b), "null"), "empty lists are [], never null:\n%s", b)
}
