package processing_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/processing"
)

// customers describes accounts as accounts.New makes them with the
// default disclosure policy, an AuthLimit of 4 per 30 s and cheap password
// parameters.
func customers() *processing.Customers {
	return &processing.Customers{
		Disclosures: map[string][]processing.DataCategory{
			"reseller-reinvoicing": {processing.CategoryOrganisation, processing.CategoryBilling, processing.CategoryContract},
			"technical-support": {processing.CategoryOrganisation, processing.CategoryContacts, processing.CategoryUsers,
				processing.CategoryNetworks, processing.CategoryContract},
		},
		LoginFailures: 4, LoginEvery: 30 * time.Second, PasswordMemory: 64, PasswordTime: 1, PasswordThreads: 1,
	}
}

func TestRecord(t *testing.T) {
	procs, err := processing.NewRegister(operator("se-operator", "SE", ""), processing.Processor{
		Name: "db-host", Role: "database hosting", Country: "FI", AgreementDate: agreed,
		Categories: []processing.DataCategory{processing.CategoryTrafficRecords, processing.CategoryOrganisation, processing.CategoryCredentials},
	})
	require.NoError(t, err)
	rec := processing.NewRecord(processing.Config{
		Controller: "Advox | AB", Processors: procs, Retention: processing.Retention{Months: 3}, Customers: customers(),
		Measures: []string{"traffic encrypted at rest per account"},
	}, agreed)

	js, err := rec.JSON()
	require.NoError(t, err)
	var back processing.Record
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, rec, back, "the JSON carries the whole record")

	purposes := map[string][]processing.DataCategory{}
	for _, p := range rec.Purposes {
		purposes[p.Name] = p.Categories
	}
	assert.Contains(t, purposes, string(processing.PurposeTransmit))
	assert.Contains(t, purposes, string(processing.PurposeBill))
	assert.Equal(t, customers().Disclosures["reseller-reinvoicing"], purposes["disclosure: reseller-reinvoicing"])

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

	def := processing.NewRecord(processing.Config{Processors: procs}, agreed)
	assert.Contains(t, def.Retention[0].Deadline, "5 calendar months", "the zero policy is the default")
	assert.NotContains(t, strings.Join(def.Security, "\n"), "argon2id", "no accounts, no login measures")
}

// retentionOf returns the record's retention entries by the start of
// their data description.
func retentionOf(rec processing.Record) map[string]string {
	out := map[string]string{}
	for _, r := range rec.Retention {
		key, _, _ := strings.Cut(r.Data, " (")
		out[key] = r.Deadline
	}
	return out
}

// TestRecordClaimsOnlyWhatIsConfigured: the record says
// disclosures are audited and customers are deleted with their traffic
// only when the configuration does so. Broke: it said both with neither
// configured.
func TestRecordClaimsOnlyWhatIsConfigured(t *testing.T) {
	procs, err := processing.NewRegister(processing.OperatorProcessor("mem", "SE", agreed))
	require.NoError(t, err)
	bare := customers() // no Auditor, no Client, no EraseTraffic
	rec := processing.NewRecord(processing.Config{Processors: procs, Customers: bare}, agreed)
	all := strings.Join(rec.Security, "\n")
	assert.NotContains(t, all, "audited")
	assert.NotContains(t, all, "sealed at rest", "no Client: nothing said of encryption")
	kept := retentionOf(rec)
	assert.Contains(t, kept["customer data and consents"], "none can be deleted yet")
	assert.NotContains(t, kept["traffic records"], "account is deleted")
	assert.Contains(t, kept["audit events"], "no audit trail")
	assert.Contains(t, kept["message text"], "which this record was generated without")

	audited := customers()
	audited.Audited, audited.DeletesTraffic = true, true
	traffic := &processing.Traffic{Processors: procs, Retention: processing.Retention{Months: 4}, Audited: true,
		KeepBodies: true, BodyRetention: 48 * time.Hour}
	rec = processing.NewRecord(processing.Config{Traffic: traffic, Customers: audited, AuditRetention: "24 months, append-only"}, agreed)
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

	traffic.Audited = false // the Client keeps no trail, the accounts do
	rec = processing.NewRecord(processing.Config{Traffic: traffic, Customers: audited}, agreed)
	assert.Contains(t, retentionOf(rec)["audit events"], "traffic events: no trail")
}

// TestRecordArticle30: the contacts of the controller, its
// representative and DPO, the data subjects, what is done as controller
// and as processor (the art. 30(2) record with its transfers), and the
// retention of invoices, usage aggregates and audit events.
func TestRecordArticle30(t *testing.T) {
	procs, err := processing.NewRegister(operator("se-operator", "SE", ""),
		operator("us-operator", "US", "standard contractual clauses"))
	require.NoError(t, err)
	cust := customers()
	cust.Audited = true
	cfg := processing.Config{
		Controller: "Advox AB", ControllerContact: "Box 1, 111 22 Stockholm, privacy@advox.example",
		Representative: "none (established in the EU)", DPO: "dpo@advox.example", Processors: procs, Customers: cust,
		InvoiceRetention: "7 years (bookkeeping act), then deleted by the billing job",
	}
	rec := processing.NewRecord(cfg, agreed)
	assert.Equal(t, "Box 1, 111 22 Stockholm, privacy@advox.example", rec.ControllerContact)
	assert.Equal(t, "dpo@advox.example", rec.DPO)
	roles := map[string]string{}
	for _, p := range rec.Purposes {
		roles[p.Name] = p.Role
	}
	assert.Equal(t, processing.RoleProcessor, roles["transmit"])
	assert.Equal(t, processing.RoleProcessor, roles["troubleshoot"])
	assert.Equal(t, processing.RoleController, roles["bill"])
	assert.Equal(t, processing.RoleController, roles["account"])
	assert.Equal(t, processing.RoleController, roles["disclosure: technical-support"])
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

	rec = processing.NewRecord(processing.Config{Processors: procs, TrafficAsController: true}, agreed)
	assert.Empty(t, rec.AsProcessor.Processing, "everything as controller")
	assert.Equal(t, processing.RoleController, rec.Purposes[0].Role)
}

// TestRecordOwnsItsSlices: a generated record is the caller's to
// edit (redact, translate); editing it must not change the next record.
func TestRecordOwnsItsSlices(t *testing.T) {
	procs, err := processing.NewRegister(operator("se-operator", "SE", ""))
	require.NoError(t, err)
	cfg := processing.Config{Processors: procs}
	want := processing.NewRecord(cfg, agreed)
	edited := processing.NewRecord(cfg, agreed)
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
	assert.Equal(t, want, processing.NewRecord(cfg, agreed), "the next record is generated from the configuration, not from an edited copy")
}
