-- Version 4: account ids are never reused (storage.AccountStore.DeleteAccount).
--
-- Every account id ever created, never deleted: CreateAccount inserts the
-- id here first, so that an id taken by a live or a deleted account fails
-- on this primary key (ErrExists), also when a create races a delete. The
-- usage aggregates kept of a deleted account's erased traffic stay under
-- its id, and must never attach to another customer. The id alone is kept:
-- it is opaque, and carries no customer data.

CREATE TABLE IF NOT EXISTS advox_account_ids (
    account TEXT{{.Collate}} PRIMARY KEY
){{.WithoutRowID}};

-- Idempotent, as every migration: a schema set back a version runs it again.
INSERT INTO advox_account_ids (account) SELECT account FROM advox_accounts WHERE true ON CONFLICT DO NOTHING;
