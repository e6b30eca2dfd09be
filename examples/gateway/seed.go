package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
)

// login is a seeded user's credentials, kept only to print the start
// banner when the password was generated.
type login struct {
	Account, User, Password string
}

// seedAccounts creates the configured accounts (or brings existing ones in
// line with the configuration) and sets their users' passwords. It returns
// the logins whose passwords it generated.
func seedAccounts(ctx context.Context, accts *accounts.Accounts, cfgs []accountConfig) ([]login, error) {
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
			password, generated := string(u.Password), u.Password == ""
			if generated {
				password = randomHex(12)
			}
			if err := accts.SetPassword(ctx, u.ID, password); err != nil {
				return nil, fmt.Errorf("seed account %s: user %s: %w", ac.Account, u.ID, err)
			}
			if generated {
				out = append(out, login{Account: ac.Account, User: u.ID, Password: password})
			}
		}
	}
	return out, nil
}
