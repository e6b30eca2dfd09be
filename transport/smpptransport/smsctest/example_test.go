package smsctest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func message(parts ...string) *transport.Message {
	return &transport.Message{
		From:     transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:       "+46701234567",
		Encoding: transport.GSM7, Parts: parts, Concat: transport.Concat8,
	}
}

// An SMSC in the test process: send a two-part message through it over a
// transmitter and a receiver bind, and look at what it received.
func ExampleNewServer() {
	smsc, err := smsctest.NewServer(&smsctest.Options{IDBase: 16})
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		BindMode: smpptransport.TransmitterReceiver,
	})
	if err != nil {
		panic(err)
	}
	reports := make(chan transport.Report, 2)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { reports <- r; return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := message("The first part, ", "and the second.")
	m.ReportRequested = true
	if _, err := tr.Submit(ctx, m); err != nil {
		panic(err)
	}
	for range 2 { // receipts come over the receiver bind
		<-reports
	}
	_ = tr.Close()

	for _, s := range smsc.Submits() {
		fmt.Printf("submit_sm %d/%d ref %d-bit, id %s: %q\n", s.Index, s.Total, s.RefBits, s.MessageID, s.Text)
	}
	for _, m := range smsc.Messages() {
		fmt.Println("message to", m.To, m.IDs, m.Parts)
	}
	st := smsc.Stats()
	fmt.Println("binds:", st.Transmitters, "transmitter,", st.Receivers, "receiver; unbinds:", st.Unbinds)
	// Output:
	// submit_sm 1/2 ref 8-bit, id A0000001: "The first part, "
	// submit_sm 2/2 ref 8-bit, id A0000002: "and the second."
	// message to +46701234567 [A0000001 A0000002] [The first part,  and the second.]
	// binds: 1 transmitter, 1 receiver; unbinds: 2
}

// Faults apply to the next submit_sm each, in order: here a throttled
// answer, then a normal one.
func ExampleServer_InjectFault() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	smsc.InjectFault(smsctest.Fault{Status: smsctest.StatusThrottled})
	_, err = tr.Submit(ctx, message("Hello"))
	fmt.Println("throttled:", errors.Is(err, transport.ErrThrottled), "safe to retry:", transport.SafeToRetry(err))
	res, err := tr.Submit(ctx, message("Hello"))
	fmt.Println("then:", res.OperatorIDs, err)
	// Output:
	// throttled: true safe to retry: true
	// then: [2684354561] <nil>
}

// Hang makes the SMSC take binds and answer nothing else: a submit
// written to it ends with an unknown outcome (it was taken, silently),
// and the transport declares the session hung and stops using it.
func ExampleServer_Hang() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	for up, changed := tr.Link(); !up; up, changed = tr.Link() {
		<-changed
	}

	smsc.Hang()
	_, err = tr.Submit(context.Background(), message("Hello"))
	up, _ := tr.Link()
	fmt.Println(errors.Is(err, transport.ErrOutcomeUnknown), up)
	fmt.Println(len(smsc.Submits()), smsc.Submits()[0].Answered, len(smsc.Messages()))
	// Output:
	// true false
	// 1 false 1
}

// A restarted SMSC gives the message ids it gave before again: what makes
// delivery receipts match older messages with the same id.
func ExampleServer_Restart() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond },
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	before, err := tr.Submit(ctx, message("Hello"))
	if err != nil {
		panic(err)
	}
	smsc.Restart()
	for tr.Stats().Binds < 2 { // the transport rebinds
		time.Sleep(time.Millisecond)
	}
	after, err := tr.Submit(ctx, message("Hello again"))
	if err != nil {
		panic(err)
	}
	fmt.Println(before.OperatorIDs, after.OperatorIDs)
	// Output:
	// [2684354561] [2684354561]
}

// InjectMO delivers a message from a handset, here in two parts that come
// in reverse order, to the SMPP transport's inbound handler; the handler
// takes the parts, and an application's would store them before
// returning, since its answer is what the SMSC acts on.
func ExampleServer_InjectMO() {
	smsc, err := smsctest.NewServer(nil)
	if err != nil {
		panic(err)
	}
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
	})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	parts := make(chan transport.Inbound, 2)
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		parts <- m
		return nil
	})

	err = smsc.InjectMO(smsctest.MO{From: "+46701234567", To: "72000", Text: "STOP please", Parts: 2, Ref: 9, Order: []int{2, 1}})
	if err != nil {
		panic(err)
	}
	got := make([]transport.Inbound, 2)
	for range 2 {
		p := <-parts
		got[p.Seq-1] = p
	}
	text, _ := transport.JoinText(got)
	fmt.Printf("%q from %s to %s\n", text, got[0].From, got[0].To)
	// Output: "STOP please" from +46701234567 to 72000
}
