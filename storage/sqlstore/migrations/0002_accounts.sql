-- Version 2: customer data (storage.AccountStore, see accounts.go).
--
-- Times are int64 nanoseconds since the Unix epoch (see timecodec.go).
-- References and address lines are JSON arrays of strings: they are read
-- and written only with their account. Users, their networks, contacts and
-- consents are child rows in their slice order (position), removed with
-- the account by ON DELETE CASCADE.

CREATE TABLE advox_accounts (
    account               TEXT{{.Collate}} PRIMARY KEY,
    organisation          TEXT NOT NULL,
    org_number            TEXT NOT NULL,
    refs                  TEXT NOT NULL,
    reseller              TEXT NOT NULL,
    invoice_lines         TEXT NOT NULL,
    invoice_postal_code   TEXT NOT NULL,
    invoice_city          TEXT NOT NULL,
    invoice_country       TEXT NOT NULL,
    postal_lines          TEXT NOT NULL,
    postal_postal_code    TEXT NOT NULL,
    postal_city           TEXT NOT NULL,
    postal_country        TEXT NOT NULL,
    email                 TEXT NOT NULL,
    phone                 TEXT NOT NULL,
    rate                  DOUBLE PRECISION NOT NULL,
    burst                 BIGINT NOT NULL,
    monthly_segments      BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

-- user_id is the primary key: unique across all accounts (login, FindUser).
CREATE TABLE advox_users (
    user_id       TEXT{{.Collate}} PRIMARY KEY,
    account       TEXT{{.Collate}} NOT NULL REFERENCES advox_accounts (account) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    password_hash TEXT NOT NULL
);

-- An account's users in order; also serves the cascade from accounts.
CREATE UNIQUE INDEX advox_users_account ON advox_users (account, position);

-- The networks a user may log in from, as netip.Prefix text.
CREATE TABLE advox_user_networks (
    user_id  TEXT{{.Collate}} NOT NULL REFERENCES advox_users (user_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    prefix   TEXT NOT NULL,
    PRIMARY KEY (user_id, position)
){{.WithoutRowID}};

CREATE TABLE advox_contacts (
    account  TEXT{{.Collate}} NOT NULL REFERENCES advox_accounts (account) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    email    TEXT NOT NULL,
    role     TEXT NOT NULL,
    PRIMARY KEY (account, position)
){{.WithoutRowID}};

CREATE TABLE advox_consents (
    account      TEXT{{.Collate}} NOT NULL REFERENCES advox_accounts (account) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    party        TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    granted_at   BIGINT NOT NULL,
    withdrawn_at BIGINT NOT NULL,
    PRIMARY KEY (account, position)
){{.WithoutRowID}};

-- Segments reserved per account and billing period (the period's start).
CREATE TABLE advox_account_usage (
    account TEXT{{.Collate}} NOT NULL REFERENCES advox_accounts (account) ON DELETE CASCADE,
    period  BIGINT NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (account, period)
){{.WithoutRowID}};
