package advox

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Send validates, encodes and segments m, waits on the account's rate
// limit, submits it (retrying only failures the transport marks safe to
// retry), records the traffic and returns a receipt.
//
// Errors are *Error values with a Code; context errors that ended Send
// before anything was handed over are returned as they are. A message the
// operator may have accepted is never submitted twice: such failures come
// back as CodeOutcomeUnknown (also when ctx ended while the request was
// out: the error then matches both ErrOutcomeUnknown and the context
// error), with the message recorded as StatusUnknown for a later report to
// settle.
//
// A multipart message is sent whole or reported incomplete, never left as
// a fragment: when a later part fails, the parts the transport says were
// not received are sent again with the same concatenation reference and
// part numbers (transport.PartSubmitter), under the retry policy, backoff
// and ctx, until the message is whole. If they cannot be, Send returns the
// Receipt with an error of CodeIncomplete whose *IncompleteError names the
// parts that went; the record says the same, and only the parts that
// reached the operator count as segments.
//
// When the message was handed over but its record could not be written,
// Send returns the Receipt together with an error of CodeOutcomeUnknown
// (CodeRejected when the operator refused it whole, CodeIncomplete when it
// went out in part): do not send it again.
func (c *Client) Send(ctx context.Context, m Message) (_ Receipt, err error) {
	const op = "send"
	ctx, span := c.tel.StartSend(ctx)
	defer func() { endSend(span, err) }()
	if err := c.begin(op); err != nil {
		return Receipt{}, err
	}
	defer c.sends.Done()

	tm, err := c.prepare(m)
	if err != nil {
		return Receipt{}, err
	}
	var acct Account
	if c.opts.Accounts != nil {
		if acct, err = c.opts.Accounts.Account(ctx, m.Account); err != nil {
			return Receipt{}, wrap(op, err)
		}
	}
	contract := acct.Limit
	if lim := c.limiter(m.Account, contract); !lim.Allow() {
		if err := c.wait(ctx, op, lim.Wait); err != nil {
			return Receipt{}, err
		}
	}
	// Held until the message is recorded: see lockSend.
	defer c.lockSend(m.Account).RUnlock()
	reservedAt := c.now()
	if c.opts.Accounts != nil {
		if err := c.opts.Accounts.ReserveSegments(ctx, acct, len(tm.Parts), reservedAt); err != nil {
			return Receipt{}, wrap(op, err)
		}
	}
	release := func(n int) { // gives back n segments that were not sent
		if c.opts.Accounts == nil || n <= 0 {
			return
		}
		if err := c.opts.Accounts.ReleaseSegments(context.WithoutCancel(ctx), acct, n, reservedAt); err != nil {
			c.log.Error("advox: segments not released", "account", m.Account, "error", err)
		}
	}
	// A caller who has given up sends nothing: an adapter answering an
	// ended context with the bare context error would otherwise leave a
	// record of unknown outcome for a message that never left.
	if err := ctx.Err(); err != nil {
		release(len(tm.Parts))
		return Receipt{}, err
	}
	// The data key the record will be sealed under, before anything goes
	// out: a keyring that cannot give it (another KEK than the stored
	// keys', a KMS out of reach) refuses the message now, where after the
	// submit it would be sent and never recorded. The key stays cached.
	if err := c.keys.Prepare(ctx, m.Account); err != nil {
		release(len(tm.Parts))
		return Receipt{}, wrap(op, err)
	}
	tm.ID = newMessageID(c.now())

	res, attempts, mp, subErr := c.submit(ctx, tm)
	rec, ok := c.recordFor(m.Account, tm, res, subErr, mp)
	if !ok { // never reached the operator: nothing to record, nothing used
		c.tel.Sent(ctx, tm, len(tm.Parts), res, attempts, outcomeOf(subErr))
		release(len(tm.Parts))
		c.log.Info("advox: message not sent", "account", m.Account, "to", phone.Number(tm.To), "attempts", attempts, "error", subErr)
		if c.abortCtx.Err() != nil && ctx.Err() == nil { // cut short by Close, not by the caller
			return Receipt{}, &Error{Op: op, Code: CodeClosed, Err: subErr}
		}
		return Receipt{}, wrap(op, subErr)
	}
	if res.Parts != 0 && res.Parts != len(tm.Parts) {
		c.log.Warn("advox: operator counted a different number of segments", "id", tm.ID,
			"ours", len(tm.Parts), "operator", res.Parts, "transport", c.tr.Name())
	}
	c.tel.Sent(ctx, tm, rec.Segments, res, attempts, outcomeOf(subErr))
	release(len(tm.Parts) - rec.Segments) // the parts of an incomplete message that never went
	rcpt := Receipt{ID: tm.ID, Segments: rec.Segments, Encoding: tm.Encoding, Status: rec.Status, Attempts: attempts,
		OperatorParts: res.Parts, Price: res.Price}
	for _, p := range rec.Parts {
		if p.OperatorID != "" {
			rcpt.OperatorIDs = append(rcpt.OperatorIDs, p.OperatorID)
		}
	}
	// The record is written even when ctx has ended: the SMS may be out.
	recCtx := context.WithoutCancel(ctx)
	if err := c.sealAndRecord(recCtx, &rec, tm.To, m.Text); err != nil {
		c.log.Error("advox: message sent but not recorded", "id", tm.ID, "account", m.Account, "error", err)
		return rcpt, unrecordedErr(op, rec, subErr, err)
	}
	c.claimReports(recCtx, rec)
	c.log.Debug("advox: message sent", slog.String("id", tm.ID), slog.String("account", m.Account),
		slog.Any("to", phone.Number(tm.To)), slog.Int("segments", rec.Segments), slog.String("encoding", string(tm.Encoding)),
		slog.String("status", string(rec.Status)), slog.Int("attempts", attempts))
	return rcpt, recordedErr(op, rec.Status, subErr) // nil, or the failure
}

// recordedErr wraps the failure of a submit whose record was written: the
// operator took the message, took part of it (CodeIncomplete), refused it
// or may have taken it. Its code follows the recorded status, so that it
// never says nothing was sent (Throttled, Unavailable: a caller retrying on
// those would send the accepted parts again) and a failure the adapter
// left unclassified, recorded as unknown, comes back as
// CodeOutcomeUnknown. That holds for a
// context that ended while the request was out too: the error still
// matches the context error, but also ErrOutcomeUnknown, so that a caller
// retrying on timeouts does not send the message twice.
func recordedErr(op string, status transport.Status, err error) error {
	if err == nil {
		return nil
	}
	code := classify(err)
	if code != CodeRejected && code != CodeOutcomeUnknown && code != CodeIncomplete {
		code = CodeOutcomeUnknown
		if status == transport.StatusRejected {
			code = CodeRejected
		}
	}
	return &Error{Op: op, Code: code, Err: err}
}

// unrecordedErr is the error of a message handed to the operator whose
// record could not be written. Its code is CodeIncomplete when it went out
// in part only, CodeRejected when the operator refused all of it and
// CodeOutcomeUnknown otherwise — never the store's failure's code
// (Unavailable, Closed), which would say nothing was sent.
func unrecordedErr(op string, rec storage.Record, subErr, recErr error) error {
	code := CodeOutcomeUnknown
	var ie *IncompleteError
	switch {
	case errors.As(subErr, &ie):
		code = CodeIncomplete
	case !slices.ContainsFunc(rec.Parts, func(p storage.Part) bool { return p.Status != transport.StatusRejected }):
		code = CodeRejected
	}
	return &Error{Op: op, Code: code, Err: errors.Join(subErr, recErr)}
}

// prepare validates m and builds the transport message (without its id).
func (c *Client) prepare(m Message) (*transport.Message, error) {
	if err := ValidateAccountID(m.Account); err != nil {
		return nil, err
	}
	to, err := phone.ValidateRecipient("to", m.To, c.opts.Region)
	if err != nil {
		return nil, err
	}
	from, err := phone.ParseSender(m.From)
	if err != nil {
		return nil, err
	}
	seg, err := Preview(m.Text, &SegmentOptions{ForceUCS2: m.ForceUCS2, Concat: c.opts.Concat, MaxSegments: c.opts.MaxSegments})
	if err != nil {
		return nil, err
	}
	if m.ValidFor < 0 {
		return nil, newError("send", CodeInvalidArgument, "valid for: negative")
	}
	if v, ok := c.tr.(transport.ValidityAware); ok && m.ValidFor > 0 && !v.HonoursValidFor() {
		return nil, newError("send", CodeInvalidArgument, "valid for: the transport's operator takes no validity period")
	}
	return &transport.Message{
		Account: m.Account, From: from, To: string(to), Encoding: seg.Encoding, Parts: seg.Parts, Concat: c.opts.Concat,
		ReportRequested: !c.opts.NoReports, ValidFor: m.ValidFor,
	}, nil
}

// wait runs a blocking wait (rate limit, backoff) that Close interrupts.
func (c *Client) wait(ctx context.Context, op string, f func(context.Context) error) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.closeCtx, cancel)
	defer stop()
	err := f(wctx)
	switch {
	case ctx.Err() != nil: // even when the wait ended at the same moment
		return ctx.Err()
	case err == nil:
		return nil
	case c.closeCtx.Err() != nil:
		return &Error{Op: op, Code: CodeClosed, Err: errors.New("client closed while waiting")}
	}
	// rate.Limiter.Wait fails early when the wait would outlast ctx's
	// deadline: that is the caller's deadline, report it as such.
	if _, ok := ctx.Deadline(); ok {
		return context.DeadlineExceeded
	}
	return wrap(op, err)
}

// submit makes attempts until one succeeds, fails in a way that is not
// safe to retry, or the retry policy gives up. When a later part of a
// multipart message fails, the parts certainly not received are sent again
// (with the same reference, through a transport.PartSubmitter) under the
// same policy, until the message is whole — through the transport that
// took the first parts, as the first submit's Result.Transport names it
// (a router's member); the *parts returned says what
// became of each part then (nil otherwise), with the first submit's
// result.
func (c *Client) submit(ctx context.Context, tm *transport.Message) (transport.Result, int, *parts, error) {
	// Close cancels the submit once its grace is over (Options.CloseGrace).
	ctx, cancel := context.WithCancel(ctx)
	defer context.AfterFunc(c.abortCtx, cancel)()
	defer cancel()
	var (
		mp      *parts
		pending []int
		first   transport.Result
	)
	attempt := 0
	for {
		attempt++
		a := c.tel.StartAttempt(ctx, attempt)
		var res transport.Result
		var err error
		if mp == nil {
			res, err = c.tr.Submit(a.Ctx, tm)
		} else {
			res, err = mp.ps.SubmitParts(a.Ctx, tm, transport.Parts{Ref: mp.ref, Indices: pending, Transport: first.Transport})
		}
		a.End(res, outcomeOf(err))
		why := err
		if mp == nil {
			if err == nil {
				return res, attempt, nil, nil
			}
			if pe := partial(tm, err); pe != nil {
				mp, first = newParts(c.tr, tm, pe), res
				pending = mp.all()
			} else if !transport.SafeToRetry(err) || !c.opts.RetryPolicy(attempt, err) || ctx.Err() != nil {
				return res, attempt, nil, err
			}
		}
		if mp != nil {
			pending = mp.settle(pending, res, err)
			if !mp.resumable(pending) || !c.opts.RetryPolicy(attempt, mp.why) || ctx.Err() != nil {
				return first, attempt, mp, mp.outcome()
			}
			why = mp.why
		}
		hint, _ := transport.RetryAfter(err)
		d := c.opts.Backoff(attempt, hint)
		c.log.Debug("advox: retrying submit", "attempt", attempt, "after", d, "error", why)
		werr := c.wait(ctx, "send", func(ctx context.Context) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		})
		if werr != nil {
			if mp != nil {
				mp.last = errors.Join(mp.last, werr)
				return first, attempt, mp, mp.outcome()
			}
			// Nothing is out: the last attempt was safe to retry.
			return res, attempt, nil, errors.Join(err, werr)
		}
		c.tel.Retry(ctx, res, outcomeOf(why))
	}
}

// recordFor builds the traffic record of a submit's outcome. It reports
// false when the operator certainly never received the message.
func (c *Client) recordFor(account string, tm *transport.Message, res transport.Result, err error, mp *parts) (storage.Record, bool) {
	now := c.now()
	rec := storage.Record{
		ID: tm.ID, Account: account, Transport: cmp.Or(res.Transport, c.tr.Name()), Route: res.Route, From: tm.From.Value,
		Encoding: tm.Encoding, Segments: len(tm.Parts), CreatedAt: now, UpdatedAt: now,
		Deadline: c.opts.Retention.Deadline(now),
	}
	part := func(id string, s transport.Status) storage.Part {
		return storage.Part{OperatorID: id, Status: s, UpdatedAt: now}
	}
	var pe *transport.PartialError
	switch {
	case mp != nil: // a later part failed: each part as it ended
		for i, st := range mp.status {
			if st == "" {
				rec.Parts = append(rec.Parts, storage.Part{Status: transport.StatusRejected, ErrorCode: codeNotSent, UpdatedAt: now})
				continue
			}
			rec.Parts = append(rec.Parts, part(mp.ids[i], st))
		}
		rec.Segments = mp.sent()
		if err != nil {
			rec.ErrorCode = errorCode(err)
		}
	case err == nil:
		ids := res.OperatorIDs
		if len(ids) == 0 {
			ids = []string{""}
		}
		for _, id := range ids {
			rec.Parts = append(rec.Parts, part(id, transport.StatusAccepted))
		}
	case errors.As(err, &pe) && len(pe.Accepted) > 0:
		for _, id := range pe.Accepted {
			rec.Parts = append(rec.Parts, part(id, transport.StatusAccepted))
		}
		failed := transport.StatusRejected
		if !transport.SafeToRetry(pe.Err) && !errors.Is(pe.Err, transport.ErrRejected) {
			failed = transport.StatusUnknown
		}
		for range len(tm.Parts) - len(pe.Accepted) {
			rec.Parts = append(rec.Parts, part("", failed))
		}
		rec.ErrorCode = errorCode(err)
	case errors.Is(err, transport.ErrRejected):
		rec.Parts = []storage.Part{part("", transport.StatusRejected)}
		rec.ErrorCode = errorCode(err)
	case transport.SafeToRetry(err),
		errors.Is(err, transport.ErrClosed) && !errors.Is(err, transport.ErrOutcomeUnknown):
		// Never reached the operator (a closed transport sends nothing,
		// unless it says a request was out when it closed).
		return storage.Record{}, false
	default: // outcome unknown, or a bare context error mid-submit
		rec.Parts = []storage.Part{part("", transport.StatusUnknown)}
		rec.ErrorCode = errorCode(err)
	}
	rec.Status = storage.OverallOf(rec.Parts)
	return rec, true
}

// sealAndRecord seals the confidential fields of rec under the account's
// current data key and records it. The caller holds the account's send
// lock (see lockSend), so that an erase in this process either sees the
// record or comes before it. A key destroyed meanwhile by another process
// is answered with a fresh key.
func (c *Client) sealAndRecord(ctx context.Context, rec *storage.Record, to, text string) error {
	var err error
	for range 2 {
		if err = c.seal(ctx, rec, to, text); err != nil {
			return err
		}
		err = c.store.Record(ctx, *rec)
		if !errors.Is(err, storage.ErrErased) {
			return err
		}
		c.keys.Forget(rec.Account)
	}
	return err
}

// seal fills rec's sealed recipient, blind index and (when kept) body.
func (c *Client) seal(ctx context.Context, rec *storage.Record, to, text string) error {
	keyID, sealed, err := c.keys.Seal(ctx, rec.Account, rec.ID, fieldRecipient, []byte(to))
	if err != nil {
		return err
	}
	rec.Recipient = storage.Sealed{KeyID: keyID, Data: sealed}
	rec.RecipientIndex = c.index.Of(rec.Account, to)
	if c.opts.KeepBodies && !rec.Status.Final() {
		keyID, sealed, err := c.keys.Seal(ctx, rec.Account, rec.ID, fieldBody, []byte(text))
		if err != nil {
			return err
		}
		rec.Body = storage.Sealed{KeyID: keyID, Data: sealed}
		rec.BodyUntil = rec.CreatedAt.Add(c.opts.BodyRetention)
	}
	return nil
}

// The sealed fields, bound into each ciphertext's associated data.
const (
	fieldRecipient = "recipient"
	fieldBody      = "body"
)

// errorCode condenses a submit error into the record's error code: the
// classification, never the adapter's free text (which could carry data).
func errorCode(err error) string {
	var pe *transport.PartialError
	var ie *IncompleteError
	prefix := ""
	switch {
	case errors.As(err, &ie):
		prefix = "incomplete:"
		err = ie.Err
		if errors.As(err, &pe) {
			err = pe.Err
		}
	case errors.As(err, &pe):
		prefix = "partial:"
		err = pe.Err
	}
	switch {
	case errors.Is(err, transport.ErrRejected):
		return prefix + "rejected"
	case errors.Is(err, transport.ErrOutcomeUnknown):
		return prefix + "outcome_unknown"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return prefix + "canceled"
	case errors.Is(err, transport.ErrThrottled):
		return prefix + "throttled"
	case errors.Is(err, transport.ErrNotSent):
		return prefix + "not_sent"
	}
	return prefix + "error"
}

// RetryPolicy decides whether a failed submit is tried again. attempt is the
// number of attempts made so far (1 after the first). The Client consults it
// only for errors the adapter marks safe to retry (transport.SafeToRetry):
// a policy can restrict retries, never make an unsafe one happen.
type RetryPolicy func(attempt int, err error) bool

// DefaultMaxAttempts is how many attempts DefaultRetryPolicy allows.
const DefaultMaxAttempts = 4

// DefaultRetryPolicy retries safe failures up to DefaultMaxAttempts
// attempts in all.
func DefaultRetryPolicy(attempt int, err error) bool {
	return attempt < DefaultMaxAttempts && transport.SafeToRetry(err)
}

// NoRetry never retries.
func NoRetry(int, error) bool { return false }

// Backoff returns how long to wait before attempt number attempt+1. hint is
// the operator's retry-after hint (zero when it gave none).
type Backoff func(attempt int, hint time.Duration) time.Duration

// Backoff bounds used by DefaultBackoff.
const (
	DefaultBackoffMin = 100 * time.Millisecond
	DefaultBackoffMax = 10 * time.Second
)

// DefaultBackoff waits exponentially (100 ms, 200 ms, 400 ms, … up to 10 s)
// with full jitter in the upper half, and at least as long as the
// operator's hint (capped at one minute).
func DefaultBackoff(attempt int, hint time.Duration) time.Duration {
	d := DefaultBackoffMin << min(max(attempt-1, 0), 16)
	if d > DefaultBackoffMax {
		d = DefaultBackoffMax
	}
	d = d/2 + rand.N(d/2+1)
	if hint > time.Minute {
		hint = time.Minute
	}
	return max(d, hint)
}
