package main

import (
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/keyring"
	"github.com/azenna/advox/transport/router"
)

// HTTP server limits: slow or oversized requests are cut off.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
)

// writeTimeout bounds a request from its headers to the end of its
// answer, so that a client that stops reading cannot hold a connection
// and its handler forever. It covers the slowest request the gateway
// lets through: the body read (readTimeout), a send running to its
// send_timeout, and the answer's way out. Cut off earlier, a customer
// would not learn the outcome of messages that went out, and send them
// again.
func writeTimeout(cfg *config) time.Duration {
	return readTimeout + time.Duration(cfg.SendTimeout) + shutdownAnswerMargin
}

// options are the gateway's settings from the command line.
type options struct {
	// Addr is the listening address ("127.0.0.1:0" picks a port).
	Addr string
	// DBPath is the SQLite file; Postgres, when set, a PostgreSQL DSN
	// used instead, and PostgresKeys the database for the data keys
	// (required with Postgres: the Client refuses keys that share the
	// traffic's backups).
	DBPath, Postgres, PostgresKeys string
	// Logger receives the gateway's and the library's logs; nil discards
	// them.
	Logger *slog.Logger
}

// gateway is a running gateway: the HTTP server and everything behind it.
type gateway struct {
	cfg      *config
	log      *slog.Logger
	url      string
	srv      *http.Server
	served   chan error
	stores   *stores
	built    []*built
	router   *router.Router
	client   *advox.Client
	accounts *accounts.Accounts
	metrics  *metrics
	logins   []login

	shutOnce sync.Once
	shutErr  error
}

// start builds the gateway from cfg and starts serving. On failure it
// closes whatever it had opened.
func start(ctx context.Context, cfg *config, o options) (_ *gateway, err error) {
	g := &gateway{cfg: cfg, log: o.Logger, served: make(chan error, 1)}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	defer func() {
		if err != nil {
			_ = g.closeAll()
		}
	}()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = ln.Close() // the error that failed the start is the one to report
		}
	}()
	g.url = "http://" + ln.Addr().String()
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = g.url
	}

	if g.stores, err = openStores(ctx, o.DBPath, o.Postgres, o.PostgresKeys); err != nil {
		return nil, err
	}
	if g.accounts, err = accounts.New(g.stores.accounts, &accounts.Options{Logger: g.log}); err != nil {
		return nil, err
	}
	if g.logins, err = seedAccounts(ctx, g.accounts, cfg.Accounts); err != nil {
		return nil, err
	}
	for i := range cfg.Transports {
		b, err := buildTransport(&cfg.Transports[i], publicURL, g.log)
		if err != nil {
			return nil, err
		}
		g.built = append(g.built, b)
	}
	procs, err := processorsFor(cfg, g.built)
	if err != nil {
		return nil, err
	}
	if g.router, err = buildRouter(cfg, g.built); err != nil {
		return nil, err
	}
	if g.metrics, err = newMetrics(); err != nil {
		return nil, err
	}
	opts := &advox.Options{
		Logger: g.log, Region: cfg.Region, Accounts: g.accounts, Processors: procs,
		PurgeEvery: time.Duration(cfg.PurgeEvery), MeterProvider: g.metrics.provider,
	}
	if err := setKeys(cfg, opts); err != nil {
		return nil, err
	}
	if g.client, err = advox.NewClient(g.router, g.stores.traffic, opts); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	a := &api{client: g.client, accounts: g.accounts, auth: newAuthenticator(g.accounts), cfg: cfg, log: g.log, now: time.Now}
	a.register(mux)
	registerHealth(mux, g.client, a)
	for _, b := range g.built {
		if b.webhook != nil {
			mux.Handle(b.cfg.webhookPath(), b.webhook)
		}
	}
	mux.Handle("GET "+cfg.MetricsPath, g.metrics.handler)
	g.srv = &http.Server{
		Handler: mux, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout(cfg), IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
	go func() { g.served <- g.srv.Serve(ln) }()
	return g, nil
}

// setKeys sets the configured key-encryption and blind-index keys.
func setKeys(cfg *config, opts *advox.Options) error {
	if cfg.KEK != "" {
		raw, _ := hex.DecodeString(string(cfg.KEK)) // validated with the config
		kek, err := keyring.NewStaticKEK(raw)
		clear(raw)
		if err != nil {
			return err
		}
		opts.KEK = kek
	}
	if cfg.IndexKey != "" {
		opts.IndexKey, _ = hex.DecodeString(string(cfg.IndexKey))
	}
	return nil
}

// shutdown stops the gateway gracefully: it stops accepting requests and
// waits (bounded by ctx) for those in progress, sends included; then it
// closes the Client, which waits for any send still running, closes the
// router, the transports and the store; then the simulators. Later calls
// return the first one's result.
func (g *gateway) shutdown(ctx context.Context) error {
	g.shutOnce.Do(func() {
		errSrv := g.srv.Shutdown(ctx)
		errClose := g.closeAll()
		if err := <-g.served; !errors.Is(err, http.ErrServerClosed) {
			errSrv = errors.Join(errSrv, err)
		}
		g.shutErr = errors.Join(errSrv, errClose)
	})
	return g.shutErr
}

// closeAll closes what start opened, each piece by its owner: the Client
// owns the router and the traffic store, the router the transports.
func (g *gateway) closeAll() error {
	var errs []error
	switch {
	case g.client != nil:
		errs = append(errs, g.client.Close())
	case g.router != nil:
		errs = append(errs, g.router.Close())
	default:
		for _, b := range g.built {
			errs = append(errs, b.tr.Close())
		}
	}
	if g.client == nil && g.stores != nil {
		errs = append(errs, g.stores.traffic.Close())
	}
	if g.stores != nil {
		errs = append(errs, g.stores.accounts.Close())
	}
	for _, b := range g.built {
		b.stopSim()
	}
	if g.metrics != nil {
		errs = append(errs, g.metrics.shutdown())
	}
	return errors.Join(errs...)
}
