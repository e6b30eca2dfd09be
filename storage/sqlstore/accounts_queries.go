package sqlstore

import "strings"

// accountCols are the columns of advox_accounts in the order of
// accountArgs and scanAccount; account comes first.
var accountCols = []string{
	"account", "organisation", "org_number", "refs", "reseller",
	"invoice_lines", "invoice_postal_code", "invoice_city", "invoice_country",
	"postal_lines", "postal_postal_code", "postal_city", "postal_country",
	"email", "phone", "rate", "burst", "monthly_segments", "created_at", "updated_at",
}

// accountQueries are the statements of the account store, bound for one
// dialect.
type accountQueries struct {
	get, getLocked, getByUser       string
	usersOf, contactsOf, consentsOf string
	insertAccount, updateAccount    string
	insertAccountID                 string
	insertUser, insertNetwork       string
	insertContact, insertConsent    string
	deleteUsers, deleteContacts     string
	deleteConsents, deleteAccount   string
	reserve, usageOf                string
}

func newAccountQueries(d *dialect) *accountQueries {
	cols := strings.Join(accountCols, ", ")
	aCols := "a." + strings.Join(accountCols, ", a.")
	var set []string
	for _, c := range accountCols[1:] {
		set = append(set, c+" = ?")
	}
	q := &accountQueries{
		get:       "SELECT " + cols + " FROM advox_accounts WHERE account = ?",
		getByUser: "SELECT " + aCols + " FROM advox_users u JOIN advox_accounts a ON a.account = u.account WHERE u.user_id = ?",
		// One row per network, or one with a NULL prefix for a user
		// without networks.
		usersOf: "SELECT u.user_id, u.password_hash, n.prefix FROM advox_users u " +
			"LEFT JOIN advox_user_networks n ON n.user_id = u.user_id " +
			"WHERE u.account = ? ORDER BY u.position, n.position",
		contactsOf: "SELECT name, email, role FROM advox_contacts WHERE account = ? ORDER BY position",
		consentsOf: "SELECT party, purpose, granted_at, withdrawn_at FROM advox_consents WHERE account = ? ORDER BY position",

		insertAccount: "INSERT INTO advox_accounts (" + cols + ") VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(accountCols)), ", ") + ")",
		updateAccount:  "UPDATE advox_accounts SET " + strings.Join(set, ", ") + " WHERE account = ?",
		insertUser:     "INSERT INTO advox_users (user_id, account, position, password_hash) VALUES (?, ?, ?, ?)",
		insertNetwork:  "INSERT INTO advox_user_networks (user_id, position, prefix) VALUES (?, ?, ?)",
		insertContact:  "INSERT INTO advox_contacts (account, position, name, email, role) VALUES (?, ?, ?, ?, ?)",
		insertConsent:  "INSERT INTO advox_consents (account, position, party, purpose, granted_at, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?)",
		deleteUsers:    "DELETE FROM advox_users WHERE account = ?",
		deleteContacts: "DELETE FROM advox_contacts WHERE account = ?",
		deleteConsents: "DELETE FROM advox_consents WHERE account = ?",
		deleteAccount:  "DELETE FROM advox_accounts WHERE account = ?",

		// Ids are never deleted from advox_account_ids: an id once used
		// is taken for good (see migration 4).
		insertAccountID: "INSERT INTO advox_account_ids (account) VALUES (?)",

		// reserve adds to the period's usage in one statement. The row is
		// inserted only for an existing account and only when the first
		// reservation fits the quota; an existing row is updated only when
		// the reservation fits (or is unchecked). The database evaluates
		// the condition on the row it locks, so concurrent reservations,
		// from any number of instances, never exceed the quota. Usage
		// never drops below zero. Arguments: period, first usage (n
		// clamped at 0), account, headroom of a first reservation (quota -
		// n, or 0 when unchecked), n, n, checked (0 or 1), the most usage
		// may be before adding n (quota - n).
		reserve: "INSERT INTO advox_account_usage (account, period, used) " +
			"SELECT account, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM advox_accounts " +
			"WHERE account = ? AND CAST(? AS BIGINT) >= 0 " +
			"ON CONFLICT (account, period) DO UPDATE SET used = CASE " +
			"WHEN advox_account_usage.used + CAST(? AS BIGINT) < 0 THEN 0 " +
			"ELSE advox_account_usage.used + CAST(? AS BIGINT) END " +
			"WHERE CAST(? AS INTEGER) = 0 OR advox_account_usage.used <= CAST(? AS BIGINT) " +
			"RETURNING used",
		// usageOf reads the usage after a refusal; no row means no account.
		usageOf: "SELECT COALESCE((SELECT used FROM advox_account_usage WHERE account = ? AND period = ?), 0) " +
			"FROM advox_accounts WHERE account = ?",
	}
	q.getLocked = q.get + d.lockRecord
	for _, p := range []*string{
		&q.get, &q.getLocked, &q.getByUser, &q.usersOf, &q.contactsOf, &q.consentsOf,
		&q.insertAccount, &q.updateAccount, &q.insertAccountID, &q.insertUser, &q.insertNetwork,
		&q.insertContact, &q.insertConsent, &q.deleteUsers, &q.deleteContacts,
		&q.deleteConsents, &q.deleteAccount, &q.reserve, &q.usageOf,
	} {
		*p = d.bind(*p)
	}
	return q
}
