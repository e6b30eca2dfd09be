-- Version 1: traffic records, their operator ids, invoices, the usage
-- kept of erased records, and the accounts' wrapped data keys.
--
-- Times are int64 nanoseconds since the Unix epoch (see timecodec.go).
-- rid is an integer surrogate key in arrival order: the record table is
-- appended to, and the side table refers to records by it. id is the
-- library's message id. A record's parts are one compact column (see
-- parts.go), so a record is one row; the operator ids that delivery
-- reports are matched by are indexed: part 0's on the record row (op0),
-- any further part's in advox_operator_ids (more_ops counts them).
-- Recipients and bodies are ciphertext sealed under the account's data
-- key (recipient_key, body_key name it); recipient_index is the keyed
-- blind index of the number.

CREATE TABLE advox_records (
    rid             {{.RowID}},
    id              TEXT{{.Collate}} NOT NULL UNIQUE,
    account         TEXT{{.Collate}} NOT NULL,
    transport       TEXT{{.Collate}} NOT NULL,
    route           TEXT NOT NULL,
    sender          TEXT NOT NULL,
    recipient_key   TEXT NOT NULL,
    recipient       {{.Blob}} NOT NULL,
    recipient_index {{.Blob}} NOT NULL,
    recipient_tag   BIGINT NOT NULL,
    listed          SMALLINT NOT NULL,
    body_key        TEXT,
    body            {{.Blob}},
    body_until      BIGINT,
    encoding        TEXT NOT NULL,
    segments        INTEGER NOT NULL,
    status          TEXT NOT NULL,
    error_code      TEXT NOT NULL,
    op0             TEXT{{.Collate}} NOT NULL,
    more_ops        INTEGER NOT NULL,
    parts           {{.Blob}} NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    deadline        BIGINT NOT NULL,
    invoice         TEXT{{.Collate}}
);

-- Query, Usage, CreateInvoice, EraseAccount: an account's records by
-- time. It also serves lookups by number (Query.RecipientIndex): it holds
-- recipient_tag, the first 8 bytes of the blind index, so such a lookup
-- reads only this index for the account's records in the time range, and
-- the rows of the matches. A blind index is random, so an index led by it
-- would cost a scattered page write per record recorded and a scattered
-- deletion per record purged, for a lookup that support makes by hand.
-- Only listed records are in it: SQLite lists new records in bulk, see
-- listing.go and advox_listing; PostgreSQL records them listed.
CREATE INDEX advox_records_account ON advox_records (account, created_at, recipient_tag) WHERE listed = 1;

-- The records with a rid above listed_to are not listed yet (SQLite).
CREATE TABLE advox_listing (listed_to BIGINT NOT NULL);
INSERT INTO advox_listing (listed_to) VALUES (0);

-- Purge: records in (deadline, rid) order ({{.DeadlineKey}}), the unbilled
-- apart from those an invoice bills, which an open invoice may hold past
-- their deadline and purge must step over.
CREATE INDEX advox_records_deadline ON advox_records ({{.DeadlineKey}}) WHERE invoice IS NULL;
CREATE INDEX advox_records_billed ON advox_records ({{.DeadlineKey}}) WHERE invoice IS NOT NULL;

-- FindByOperatorID: delivery-report correlation on part 0.
CREATE INDEX advox_records_operator ON advox_records (transport, op0) WHERE op0 <> '';

-- Purge: the few records that keep a sealed body, by when it must go.
CREATE INDEX advox_records_body ON advox_records (body_until) WHERE body IS NOT NULL;

-- The operator ids of parts after the first (multi-part messages only).
CREATE TABLE advox_operator_ids (
    rid         BIGINT NOT NULL,
    idx         INTEGER NOT NULL,
    transport   TEXT{{.Collate}} NOT NULL,
    operator_id TEXT{{.Collate}} NOT NULL,
    PRIMARY KEY (rid, idx)
){{.WithoutRowID}};

CREATE INDEX advox_operator_ids_operator ON advox_operator_ids (transport, operator_id);

-- Invoices; an open or partially paid one holds its records (records.invoice)
-- past their deadline, until it is final or time_bar passes.
CREATE TABLE advox_invoices (
    id           TEXT{{.Collate}} PRIMARY KEY,
    account      TEXT{{.Collate}} NOT NULL,
    period_start BIGINT NOT NULL,
    period_end   BIGINT NOT NULL,
    state        TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    time_bar     BIGINT NOT NULL,
    final_at     BIGINT NOT NULL
);

-- Aggregate usage of erased records per account and calendar month (UTC):
-- counts only, no ids, no numbers, no finer times.
CREATE TABLE advox_erased_usage (
    account   TEXT{{.Collate}} NOT NULL,
    period    BIGINT NOT NULL,
    messages  BIGINT NOT NULL,
    segments  BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    failed    BIGINT NOT NULL,
    PRIMARY KEY (account, period)
){{.WithoutRowID}};

-- Data keys, wrapped by the application's key-encryption key; at most one
-- per account (the current one). Destroying it crypto-shreds the account.
CREATE TABLE advox_keys (
    id         TEXT{{.Collate}} PRIMARY KEY,
    account    TEXT{{.Collate}} NOT NULL UNIQUE,
    wrapped    {{.Blob}} NOT NULL,
    created_at BIGINT NOT NULL
);
