package advox_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
)

var agreed = time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)

func operator(name, country, safeguard string) advox.Processor {
	return advox.Processor{
		Name: name, Role: "SMS operator", Country: country, AgreementDate: agreed, Safeguard: safeguard,
		Categories: []advox.DataCategory{advox.CategoryRecipients, advox.CategorySenders, advox.CategoryMessageText},
	}
}

func TestProcessorsCheck(t *testing.T) {
	r, err := advox.NewProcessors(
		operator("se-operator", "se", ""),
		operator("no-operator", "NO", ""),
		operator("us-operator", "US", ""),
		operator("uk-operator", "GB", "adequacy decision (EU) 2021/1772"),
	)
	require.NoError(t, err)
	tests := []struct {
		name string
		ok   bool
	}{
		{"se-operator", true},
		{"no-operator", true},
		{"us-operator", false},
		{"uk-operator", true},
		{"unregistered", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := r.Check(tc.name)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, advox.ErrInvalidArgument)
		})
	}
	var none *advox.Processors
	assert.ErrorIs(t, none.Check("se-operator"), advox.ErrInvalidArgument, "a nil register allows nothing")

	names := []string{}
	for _, p := range r.List() {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"no-operator", "se-operator", "uk-operator", "us-operator"}, names)
	assert.Equal(t, "SE", r.List()[1].Country)
}

func TestProcessorsRegisterValidates(t *testing.T) {
	r, err := advox.NewProcessors()
	require.NoError(t, err)
	for name, edit := range map[string]func(p *advox.Processor){
		"no name":       func(p *advox.Processor) { p.Name = "" },
		"no role":       func(p *advox.Processor) { p.Role = "" },
		"bad country":   func(p *advox.Processor) { p.Country = "Sweden" },
		"no agreement":  func(p *advox.Processor) { p.AgreementDate = time.Time{} },
		"no categories": func(p *advox.Processor) { p.Categories = nil },
		"unknown cat":   func(p *advox.Processor) { p.Categories = []advox.DataCategory{"dna"} },
	} {
		p := operator("x", "SE", "")
		edit(&p)
		assert.ErrorIs(t, r.Register(p), advox.ErrInvalidArgument, name)
	}
	assert.Empty(t, r.List())
	assert.True(t, advox.InEEA("is"))
	assert.False(t, advox.InEEA("CH"))
}

func TestProcessingRecordFromLiveConfig(t *testing.T) {
	procs, err := advox.NewProcessors(operator("se-operator", "SE", ""), advox.Processor{
		Name: "db-host", Role: "database hosting", Country: "FI", AgreementDate: agreed,
		Categories: []advox.DataCategory{advox.CategoryTrafficRecords, advox.CategoryOrganisation, advox.CategoryCredentials},
	})
	require.NoError(t, err)
	f := newAcctFixture(t, &advox.AccountsOptions{AuthLimit: advox.AuthLimit{Failures: 4, Every: 30 * time.Second}})
	rec := advox.NewProcessingRecord(advox.ProcessingConfig{
		Controller: "Advox | AB", Processors: procs, Retention: advox.RetentionPolicy{Months: 3}, Accounts: f.acc,
		Measures: []string{"traffic encrypted at rest per account"},
	}, acctEpoch)

	js, err := rec.JSON()
	require.NoError(t, err)
	var back advox.ProcessingRecord
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, rec, back, "the JSON carries the whole record")

	purposes := map[string][]advox.DataCategory{}
	for _, p := range rec.Purposes {
		purposes[p.Name] = p.Categories
	}
	assert.Contains(t, purposes, string(advox.PurposeTransmit))
	assert.Contains(t, purposes, string(advox.PurposeBill))
	assert.Equal(t, advox.DefaultDisclosurePolicy[advox.DisclosureReinvoicing], purposes["disclosure: reseller-reinvoicing"])

	require.GreaterOrEqual(t, len(rec.Recipients), 2)
	assert.Equal(t, "db-host", rec.Recipients[0].Name)
	assert.Equal(t, "2025-11-03", rec.Recipients[0].AgreementDate)
	assert.Equal(t, "se-operator", rec.Recipients[1].Name)

	assert.Contains(t, rec.Retention[0].Deadline, "3 calendar months", "from the retention policy in force")
	all := strings.Join(rec.Security, "\n")
	assert.Contains(t, all, "argon2id (m=64 KiB, t=1, p=1)", "from the password parameters in force")
	assert.Contains(t, all, "4, then one per 30s")
	assert.Contains(t, all, "traffic encrypted at rest per account")

	md := rec.Markdown()
	for _, want := range []string{"# Record of processing activities", "## Purposes", "## Data categories", "## Recipients",
		"## Retention", "## Security measures", "| se-operator | sub-processor: SMS operator | SE | 2025-11-03 |", `Advox \| AB`} {
		assert.Contains(t, md, want)
	}

	def := advox.NewProcessingRecord(advox.ProcessingConfig{Processors: procs}, acctEpoch)
	assert.Contains(t, def.Retention[0].Deadline, "5 calendar months", "the zero policy is the default")
	assert.NotContains(t, strings.Join(def.Security, "\n"), "argon2id", "no accounts, no login measures")
}

// TestProcessingRecordOwnsItsSlices: a generated record is the caller's to
// edit (redact, translate); editing it must not change the next record.
func TestProcessingRecordOwnsItsSlices(t *testing.T) {
	procs, err := advox.NewProcessors(operator("se-operator", "SE", ""))
	require.NoError(t, err)
	cfg := advox.ProcessingConfig{Processors: procs}
	want := advox.NewProcessingRecord(cfg, agreed)
	edited := advox.NewProcessingRecord(cfg, agreed)
	for i := range edited.Purposes {
		for j := range edited.Purposes[i].Categories {
			edited.Purposes[i].Categories[j] = "edited"
		}
	}
	for i := range edited.Recipients {
		for j := range edited.Recipients[i].Categories {
			edited.Recipients[i].Categories[j] = "edited"
		}
	}
	assert.Equal(t, want, advox.NewProcessingRecord(cfg, agreed), "the next record is generated from the configuration, not from an edited copy")
}
