package accounts_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
)

func TestReserveSegmentsQuota(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := ctxT(t)
	c := demoCustomer("acme")
	c.Limits.MonthlySegments = 10
	_, err := f.acc.Create(ctx, c)
	require.NoError(t, err)

	march := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	require.NoError(t, f.reserve(ctx, "acme", 6, march))
	require.NoError(t, f.reserve(ctx, "acme", 4, march))
	err = f.reserve(ctx, "acme", 1, march)
	require.Error(t, err)
	assert.ErrorIs(t, err, advox.ErrQuotaExceeded)
	assert.Equal(t, advox.CodeQuotaExceeded, advox.CodeOf(err))
	var qe *accounts.QuotaError
	require.True(t, errors.As(err, &qe))
	assert.Equal(t, accounts.QuotaError{Quota: 10, Used: 10, Reset: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, *qe)

	stockholm := time.FixedZone("CEST", 2*3600)
	aprilLocal := time.Date(2026, 4, 1, 1, 30, 0, 0, stockholm) // still 31 March in UTC
	assert.ErrorIs(t, f.reserve(ctx, "acme", 1, aprilLocal), advox.ErrQuotaExceeded, "months are UTC")
	assert.NoError(t, f.reserve(ctx, "acme", 10, march.Add(time.Hour)), "a new month, a new quota")

	require.NoError(t, f.release(ctx, "acme", 3, march))
	used, err := f.acc.SegmentsUsed(ctx, "acme", march)
	require.NoError(t, err)
	assert.Equal(t, 7, used)
	assert.NoError(t, f.reserve(ctx, "acme", 3, march), "released segments can be used again")

	assert.ErrorIs(t, f.reserve(ctx, "acme", 0, march), advox.ErrInvalidArgument)
	assert.ErrorIs(t, f.reserve(ctx, "missing", 1, march), advox.ErrNotFound)
}

func TestReserveSegmentsWithoutQuotaStillCounts(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := ctxT(t)
	c := demoCustomer("acme")
	c.Limits.MonthlySegments = 0
	_, err := f.acc.Create(ctx, c)
	require.NoError(t, err)
	now := acctEpoch
	require.NoError(t, f.reserve(ctx, "acme", 50, now))

	c, err = f.acc.Get(ctx, "acme")
	require.NoError(t, err)
	c.Limits.MonthlySegments = 60
	_, err = f.acc.Update(ctx, c)
	require.NoError(t, err)
	assert.NoError(t, f.reserve(ctx, "acme", 10, now))
	assert.ErrorIs(t, f.reserve(ctx, "acme", 1, now), advox.ErrQuotaExceeded,
		"a quota set mid-month counts what was sent before it")
}

func TestReserveSegmentsConcurrent(t *testing.T) {
	f := newAcctFixture(t, nil)
	ctx := ctxT(t)
	c := demoCustomer("acme")
	c.Limits = storage.ContractLimits{MonthlySegments: 25}
	_, err := f.acc.Create(ctx, c)
	require.NoError(t, err)
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if f.reserve(ctx, "acme", 1, acctEpoch) == nil {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 25, granted.Load())
}
