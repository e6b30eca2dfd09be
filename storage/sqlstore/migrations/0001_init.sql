-- Version 1: traffic records and their parts.
--
-- Times are int64 nanoseconds since the Unix epoch (see timecodec.go).
-- rid is a surrogate key so that parts cluster by record and purge walks
-- both tables in storage order; id is the library's message id.
-- Issue 6 adds, in version 2: encrypted recipient columns and a blind
-- index, invoices and retention holds, and per-period aggregate usage.

CREATE TABLE advox_records (
    rid        {{.RowID}},
    id         TEXT{{.Collate}} NOT NULL UNIQUE,
    account    TEXT{{.Collate}} NOT NULL,
    transport  TEXT NOT NULL,
    sender     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    encoding   TEXT NOT NULL,
    segments   INTEGER NOT NULL,
    status     TEXT NOT NULL,
    error_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deadline   BIGINT NOT NULL
);

-- Query, Usage and EraseAccount: an account's records by time.
CREATE INDEX advox_records_account_created ON advox_records (account, created_at, id);

-- Purge and the expiry filter: only expired rows are touched.
CREATE INDEX advox_records_deadline ON advox_records (deadline);

CREATE TABLE advox_record_parts (
    rid         BIGINT NOT NULL REFERENCES advox_records (rid) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    transport   TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    error_code  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (rid, idx)
){{.WithoutRowID}};

-- FindByOperatorID: delivery-report correlation.
CREATE INDEX advox_record_parts_operator ON advox_record_parts (transport, operator_id)
    WHERE operator_id <> '';
