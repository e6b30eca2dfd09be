package main

import (
	"context"
	"errors"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/sqlstore"
	"github.com/azenna/advox/storage/sqlstore/postgres"
	"github.com/azenna/advox/storage/sqlstore/sqlite"
)

// stores are where the gateway keeps its data: traffic and customer data
// in one database, so that billing and erasure see one consistent state.
type stores struct {
	traffic  *sqlstore.Store
	accounts storage.AccountStore
	// desc says where the data is, for the start banner; never a DSN
	// (which may hold a password).
	desc string
}

// openStores opens PostgreSQL when dsn is set (with the data keys in the
// database keysDSN names, if set), else the SQLite file at path (the keys
// beside it, in path + ".keys").
func openStores(ctx context.Context, path, dsn, keysDSN string) (*stores, error) {
	var (
		s    *sqlstore.Store
		err  error
		desc string
	)
	switch {
	case dsn != "":
		s, err = postgres.Open(ctx, dsn, &sqlstore.Options{KeysDSN: keysDSN})
		desc = "PostgreSQL"
	case path != "":
		s, err = sqlite.Open(ctx, path, nil)
		desc = "SQLite at " + path
	default:
		return nil, errors.New("no database: set -db or -postgres")
	}
	if err != nil {
		return nil, err
	}
	return &stores{traffic: s, accounts: s.Accounts(), desc: desc}, nil
}
