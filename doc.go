// Package advox sends SMS through pluggable operator transports (SMPP, HTTP
// operator APIs) while enforcing, in code, a strict privacy policy on the
// traffic data that sending leaves behind.
//
// A Client owns all policy: validation of numbers and sender ids, GSM-7 /
// UCS-2 encoding and segmentation, rate limits, safe retries (never a
// duplicate SMS), delivery reports and traffic recording. Transports
// (package transport and its adapters) and traffic stores (package storage
// and its adapters) are wired in by the application, and a transport that
// hands messages to an operator is declared as a sub-processor first
// (NewClient refuses it otherwise; only one that hands data to no third
// party, such as memtransport in tests, needs no register). In a function
// of the SMSC's address and credentials (addr, systemID, password), the
// traffic database's path (dbPath) and a ctx, returning (rcpt
// advox.Receipt, err error):
//
//	tr, err := smpptransport.New(smpptransport.Config{Addr: addr, SystemID: systemID, Password: password})
//	if err != nil {
//		return rcpt, err
//	}
//	// Data goes only to declared sub-processors: register the operator.
//	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
//	if err != nil {
//		return rcpt, errors.Join(err, tr.Close())
//	}
//	store, err := sqlstore.OpenSQLite(dbPath, nil)
//	if err != nil {
//		return rcpt, errors.Join(err, tr.Close())
//	}
//	client, err := advox.NewClient(tr, store, &advox.Options{Region: "SE", Processors: procs})
//	if err != nil {
//		return rcpt, errors.Join(err, tr.Close(), store.Close())
//	}
//	defer func() { err = errors.Join(err, client.Close()) }() // closes the transport and the store too
//	return client.Send(ctx, advox.Message{Account: "acme", From: "Acme", To: "070-123 45 67", Text: "Your code is 4711"})
//
// The package Example runs exactly this against the SMSC simulator
// (smsctest). Without Options.KEK the records are sealed under a key that
// ends with the process: set KEK and IndexKey from configuration for
// traffic that must outlive a restart (see NewStaticKEK).
//
// Every error the Client returns is an *Error whose Code classifies it;
// match with errors.Is(err, advox.ErrThrottled) and friends.
package advox
