// Package advox sends SMS through pluggable operator transports (SMPP, HTTP
// operator APIs) while enforcing, in code, a strict privacy policy on the
// traffic data that sending leaves behind. It is the portable API; the
// concepts beside it live in packages of their own.
//
// A Client (NewClient, configured by Options) owns all policy: it validates
// numbers and sender ids (package phone) and account ids
// (ValidateAccountID, CanonicalID), chooses the encoding and cuts the parts
// (Preview, Segmentation), waits on per-account rate limits (Limit,
// Account; an AccountSource supplies contract rates and quotas, and one
// that is a ClientAttacher erases a deleted account's traffic through the
// Client), retries only what is safe (RetryPolicy, Backoff: never a
// duplicate SMS), resumes a multipart message whose later part failed
// (IncompleteError), applies delivery reports (ReportStats), seals and
// records one traffic record per message (keys from package keyring), reads
// records for a stated Purpose (Status, AccountStatus, Records,
// FindByRecipient, Usage, ExportTraffic: Record), erases an account's
// traffic at once (EraseAccountTraffic, EraseReason, EraseReport), holds
// billed records behind invoices (CreateInvoice, InvoiceRequest), keeps
// records no longer than the RetentionPolicy (and purges them with
// Retention: PurgeReport), answers readiness checks (Ping) and describes
// its processing for the GDPR record (Processing, package processing).
// Every error it returns is an *Error whose Code classifies it (CodeOf;
// FieldError names a bad field); match with errors.Is(err,
// advox.ErrThrottled) and friends. Metrics and spans are named by the
// Metric*, Attr* and Span* constants.
//
// Transports (package transport and its adapters) and stores (package
// storage and its adapters) are wired in by the application; a transport
// that hands messages to an operator hands them to a declared sub-processor
// only. A program that sends one SMS over SMPP and keeps its record in
// SQLite, its SMSC and keys from the environment (examples/firstsms, run by
// its Example):
//
//	keys, err := keyring.FromEnv() // the KEK and the blind-index key, kept apart from the data
//	check(err)
//	store, err := sqlite.Open(context.Background(), "traffic.db", nil)
//	check(err)
//	tr, err := smpptransport.New(smpptransport.Config{Addr: os.Getenv("SMSC_ADDR"), SystemID: os.Getenv("SMSC_USER"), Password: os.Getenv("SMSC_PASSWORD"), Operator: operator})
//	check(err)
//	client, err := advox.NewClient(tr, store, &advox.Options{Region: "SE", KEK: keys.KEK, IndexKey: keys.IndexKey})
//	check(err)
//	defer func() { check(client.Close()) }() // closes the transport and the store too
//	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "070-123 45 67", Text: "Your code is 4711"})
//	check(err)
//	fmt.Println("sent:", rcpt.Status)
//
// where operator is the transport.Operator behind the SMSC (its name,
// country and data processing agreement): the Client registers it as a
// sub-processor. Without Options.KEK the records are sealed under a key
// that ends with the process.
//
// Beside it: phone (numbers, sender ids), pii (personal identity numbers
// and contact data in text), keyring (keys, sealing, blind index), audit
// (the audit trail), accounts (customer data, login, consent, quotas) and
// processing (sub-processors, the record of processing).
package advox
