package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
)

// login is a seeded user's credentials, kept only to print the start
// banner when the password was generated.
type login struct {
	Account, User, Password string
	// Generated is true when the configuration left the password empty.
	Generated bool
}

// seedAccounts creates the configured accounts (or brings existing ones in
// line with the configuration) and sets their users' passwords. It returns
// the logins whose passwords it generated.
func seedAccounts(ctx context.Context, accts *advox.Accounts, cfgs []accountConfig) ([]login, error) {
	var out []login
	for i := range cfgs {
		ac := &cfgs[i]
		c := storage.Customer{
			Account: ac.Account, Organisation: ac.Organisation, OrgNumber: ac.OrgNumber, Email: ac.Email,
			Limits: storage.ContractLimits{Rate: ac.Rate, Burst: ac.Burst, MonthlySegments: ac.MonthlySegments},
		}
		for _, u := range ac.Users {
			nets, err := u.networks()
			if err != nil {
				return nil, err
			}
			c.Users = append(c.Users, storage.User{ID: u.ID, Allowed: nets})
		}
		_, err := accts.Create(ctx, c)
		if errors.Is(err, storage.ErrExists) {
			_, err = accts.Update(ctx, c)
		}
		if err != nil {
			return nil, fmt.Errorf("seed account %s: %w", ac.Account, err)
		}
		for _, u := range ac.Users {
			l := login{Account: ac.Account, User: u.ID, Password: string(u.Password)}
			if l.Password == "" {
				l.Password, l.Generated = randomHex(12), true
			}
			if err := accts.SetPassword(ctx, u.ID, l.Password); err != nil {
				return nil, fmt.Errorf("seed account %s: user %s: %w", ac.Account, u.ID, err)
			}
			if l.Generated {
				out = append(out, l)
			}
		}
	}
	return out, nil
}
