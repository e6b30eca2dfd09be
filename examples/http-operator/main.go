package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// profiles maps the -profile flag onto a profile and the simulator
// dialect that speaks it.
var profiles = map[string]struct {
	profile func() httptransport.Profile
	dialect operatortest.Dialect
}{
	"kannel":  {httptransport.Kannel, operatortest.Kannel},
	"46elks":  {httptransport.Elks46, operatortest.Elks46},
	"sinch":   {httptransport.SinchBatches, operatortest.Sinch},
	"generic": {httptransport.GenericJSON, operatortest.GenericJSON},
}

func main() {
	name := flag.String("profile", "46elks", "operator profile: kannel, 46elks, sinch or generic")
	flag.Parse()
	if err := run(context.Background(), *name, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run sends through the named profile and prints what happens to out.
func run(ctx context.Context, name string, out io.Writer) (err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, ok := profiles[name]
	if !ok {
		return fmt.Errorf("unknown profile %q", name)
	}

	// The application's HTTP server, where the operator posts reports.
	// It stops last, after the operator has hung up.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(err, srv.Shutdown(ctx))
		if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}()

	// The operator: a simulator that reports delivery 100 ms after
	// accepting, and throttles the first submit.
	secret := randomSecret()
	sim := operatortest.NewServer(p.dialect, &operatortest.Options{
		AutoReport: true, ReportDelay: 100 * time.Millisecond, SigningSecret: secret,
	})
	defer sim.Close()
	sim.Inject(operatortest.FaultThrottle)

	tr, err := httptransport.New(httptransport.Config{
		Profile: p.profile(),
		BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword, Token: operatortest.DefaultToken,
		},
		CallbackURL: "http://" + ln.Addr().String() + "/sms/reports",
		Webhook:     httptransport.WebhookConfig{Secret: secret, User: "operator", Password: secret},
	})
	if err != nil {
		return err
	}
	mux.Handle("/sms/reports", tr.Webhook())

	// The operator behind the transport receives recipients, sender ids
	// and text: it must be declared as a sub-processor.
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		return errors.Join(err, tr.Close())
	}
	// Audit events (one per status read) go to the logger at Info level;
	// the example shows only warnings.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Region:     "SE",
		Processors: procs,
		Logger:     logger,
		Backoff:    func(int, time.Duration) time.Duration { return 50 * time.Millisecond },
	})
	if err != nil {
		return errors.Join(err, tr.Close())
	}
	// Close closes the transport too.
	defer func() { err = errors.Join(err, client.Close()) }()

	msgs := []advox.Message{
		{Account: "demo", From: "Advox", To: "070-123 45 67", Text: "Your code is 4711."},
		{Account: "demo", From: "Advox", To: "+46 70 765 43 21", Text: "Räksmörgås 🦐 is on its way."},
	}
	fmt.Fprintf(out, "== sending through %s at %s\n", tr.Name(), sim.URL())
	var ids []string
	for _, m := range msgs {
		rcpt, err := client.Send(ctx, m)
		if err != nil {
			return err
		}
		ids = append(ids, rcpt.ID)
		fmt.Fprintf(out, "sent %s: %d segment(s), %s, %d attempt(s), operator ids %v\n",
			rcpt.ID, rcpt.Segments, rcpt.Encoding, rcpt.Attempts, rcpt.OperatorIDs)
	}

	fmt.Fprintln(out, "== waiting for delivery reports")
	for _, id := range ids {
		for {
			rec, err := client.Status(ctx, advox.PurposeTransmit, id)
			if err != nil {
				return err
			}
			if rec.Status.Final() {
				fmt.Fprintf(out, "%s to %s via %s: %s\n", rec.ID, rec.To.Masked(), rec.Transport, rec.Status)
				break
			}
			select {
			case <-ctx.Done():
				return errors.New("no delivery report in time")
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	st := tr.Stats()
	fmt.Fprintf(out, "== webhook: %d request(s), %d report(s) forwarded, %d duplicate(s), %d unauthorized\n",
		st.Requests, st.Forwarded, st.Duplicates, st.Unauthorized)
	fmt.Fprintf(out, "== operator: %d submit request(s), %d accepted\n", sim.Requests(), len(sim.Received()))
	return nil
}

// randomSecret is a fresh webhook secret for this run.
func randomSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return hex.EncodeToString(b)
}
