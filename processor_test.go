package advox_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/memtransport"
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

// retentionOf returns the record's retention entries by the start of
// their data description.
func retentionOf(rec advox.ProcessingRecord) map[string]string {
	out := map[string]string{}
	for _, r := range rec.Retention {
		key, _, _ := strings.Cut(r.Data, " (")
		out[key] = r.Deadline
	}
	return out
}

// TestProcessingRecordClaimsOnlyWhatIsConfigured: the record says
// disclosures are audited and customers are deleted with their traffic
// only when the configuration does so. Broke: it said both with neither
// configured.
func TestProcessingRecordClaimsOnlyWhatIsConfigured(t *testing.T) {
	procs, err := advox.NewProcessors(advox.OperatorProcessor("mem", "SE", agreed))
	require.NoError(t, err)
	bareAccts, err := advox.NewCheapAccounts(memstore.NewAccounts(), &advox.AccountsOptions{Password: &cheapPasswords})
	require.NoError(t, err)
	rec := advox.NewProcessingRecord(advox.ProcessingConfig{Processors: procs, Accounts: bareAccts}, acctEpoch)
	all := strings.Join(rec.Security, "\n")
	assert.NotContains(t, all, "audited")
	assert.NotContains(t, all, "sealed at rest", "no Client: nothing said of encryption")
	kept := retentionOf(rec)
	assert.Contains(t, kept["customer data and consents"], "none can be deleted yet")
	assert.NotContains(t, kept["traffic records"], "account is deleted")
	assert.Contains(t, kept["audit events"], "no audit trail")
	assert.Contains(t, kept["message text"], "which this record was generated without")

	trail := &auditLog{}
	f := newAcctFixture(t, nil) // with an Auditor
	c, err := advox.NewClient(remote{memtransport.New(nil)}, memstore.New(nil), &advox.Options{
		Processors: procs, Accounts: f.acc, Auditor: trail, KeepBodies: true, BodyRetention: 48 * time.Hour,
		Retention: advox.RetentionPolicy{Months: 4},
	})
	require.NoError(t, err)
	defer c.Close()
	rec = advox.NewProcessingRecord(advox.ProcessingConfig{Client: c, Accounts: f.acc, AuditRetention: "24 months, append-only"}, acctEpoch)
	all = strings.Join(rec.Security, "\n")
	assert.Contains(t, all, "every disclosure, and every refusal, is audited")
	assert.Contains(t, all, "every read, export, purge and erase of traffic data states its purpose and is audited")
	assert.Contains(t, all, "no KEK configured")
	kept = retentionOf(rec)
	assert.Contains(t, kept["customer data and consents"], "after its traffic is erased")
	assert.Contains(t, kept["traffic records"], "4 calendar months", "the Client's policy")
	assert.Contains(t, kept["traffic records"], "account is deleted")
	assert.Equal(t, "kept by the configured Auditor, not by advox: 24 months, append-only", kept["audit events"])
	assert.Contains(t, kept["message text"], "48h0m0s")
	assert.Equal(t, "mem", rec.Recipients[0].Name, "the Client's register")
}

// TestProcessingRecordArticle30: the contacts of the controller, its
// representative and DPO, the data subjects, what is done as controller
// and as processor (the art. 30(2) record with its transfers), and the
// retention of invoices, usage aggregates and audit events.
func TestProcessingRecordArticle30(t *testing.T) {
	procs, err := advox.NewProcessors(operator("se-operator", "SE", ""),
		operator("us-operator", "US", "standard contractual clauses"))
	require.NoError(t, err)
	f := newAcctFixture(t, nil)
	cfg := advox.ProcessingConfig{
		Controller: "Advox AB", ControllerContact: "Box 1, 111 22 Stockholm, privacy@advox.example",
		Representative: "none (established in the EU)", DPO: "dpo@advox.example", Processors: procs, Accounts: f.acc,
		InvoiceRetention: "7 years (bookkeeping act), then deleted by the billing job",
	}
	rec := advox.NewProcessingRecord(cfg, acctEpoch)
	assert.Equal(t, "Box 1, 111 22 Stockholm, privacy@advox.example", rec.ControllerContact)
	assert.Equal(t, "dpo@advox.example", rec.DPO)
	roles := map[string]string{}
	for _, p := range rec.Purposes {
		roles[p.Name] = p.Role
	}
	assert.Equal(t, advox.RoleProcessor, roles["transmit"])
	assert.Equal(t, advox.RoleProcessor, roles["troubleshoot"])
	assert.Equal(t, advox.RoleController, roles["bill"])
	assert.Equal(t, advox.RoleController, roles["account"])
	assert.Equal(t, advox.RoleController, roles["disclosure: technical-support"])
	var subjects []string
	for _, d := range rec.DataSubjects {
		subjects = append(subjects, d.Name)
	}
	assert.Contains(t, strings.Join(subjects, "\n"), "recipients of the customers' messages")
	assert.Contains(t, strings.Join(subjects, "\n"), "contact persons")
	assert.Contains(t, rec.AsProcessor.Controllers, "customers")
	assert.Len(t, rec.AsProcessor.Processing, 2)
	require.Len(t, rec.AsProcessor.Transfers, 1)
	assert.Equal(t, "us-operator", rec.AsProcessor.Transfers[0].Name)
	kept := retentionOf(rec)
	assert.Equal(t, cfg.InvoiceRetention, kept["invoices"])
	assert.Contains(t, kept["usage aggregates of erased traffic"], "without a deadline")
	assert.Contains(t, kept["audit events"], "retention not declared")
	assert.Contains(t, kept["ids of deleted accounts"], "never passes to another customer")

	md := rec.Markdown()
	for _, want := range []string{"Data protection officer: dpo@advox.example", "## Data subjects",
		"## Processing on behalf of the customers (art. 30(2))", "Transfer to us-operator in US: standard contractual clauses",
		"| transmit | processor |"} {
		assert.Contains(t, md, want)
	}

	rec = advox.NewProcessingRecord(advox.ProcessingConfig{Processors: procs, TrafficAsController: true}, acctEpoch)
	assert.Empty(t, rec.AsProcessor.Processing, "everything as controller")
	assert.Equal(t, advox.RoleController, rec.Purposes[0].Role)
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
