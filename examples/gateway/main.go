package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// shutdownTimeout bounds the graceful shutdown: requests still running
// after it are cut off (the Client still waits for sends in flight). It is
// raised for a send_timeout that would outlast it (see shutdownGrace).
const shutdownTimeout = 30 * time.Second

// shutdownAnswerMargin is the time left, after the longest send, for its
// answer to reach the customer.
const shutdownAnswerMargin = 5 * time.Second

// shutdownGrace is how long a shutdown waits for requests in progress: at
// least shutdownTimeout, and long enough for a send request that began
// just before to run to its send_timeout and answer. Cut off earlier, the
// customer learns nothing of messages that went out, and sends them again.
func shutdownGrace(cfg *config) time.Duration {
	return max(shutdownTimeout, time.Duration(cfg.SendTimeout)+shutdownAnswerMargin)
}

// flags are the command line.
type flags struct {
	addr, config, db, postgres, postgresKeys string
	verbose                                  bool
}

func main() {
	var f flags
	flag.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listening address")
	flag.StringVar(&f.config, "config", "", "configuration file (default: the embedded one, with simulators)")
	flag.StringVar(&f.db, "db", "", "SQLite file for traffic and accounts (default: a file in a new temporary directory)")
	flag.StringVar(&f.postgres, "postgres", "", "PostgreSQL DSN, used instead of SQLite")
	flag.StringVar(&f.postgresKeys, "postgres-keys", "", "PostgreSQL DSN of the database for the data keys, kept apart from the traffic's backups")
	flag.BoolVar(&f.verbose, "v", false, "log at debug level")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f, os.Stdout, os.Stderr); err != nil {
		log.Fatal(err)
	}
}

// run starts the gateway, prints how to use it to out, logs to logw, and
// shuts it down gracefully when ctx ends.
func run(ctx context.Context, f flags, out, logw io.Writer) error {
	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: level}))
	if f.db == "" && f.postgres == "" {
		dir, err := os.MkdirTemp("", "advox-gateway-")
		if err != nil {
			return err
		}
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				logger.Warn("gateway: temporary directory not removed", "dir", dir, "error", err)
			}
		}()
		f.db = filepath.Join(dir, "gateway.db")
	}
	g, err := start(ctx, cfg, options{Addr: f.addr, DBPath: f.db, Postgres: f.postgres, PostgresKeys: f.postgresKeys, Logger: logger})
	if err != nil {
		return err
	}
	g.banner(out)

	var serveErr error
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "shutting down: draining requests and sends in flight")
	case serveErr = <-g.served:
		g.served <- serveErr // shutdown reads it again
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace(cfg))
	defer cancel()
	if err := g.shutdown(sctx); err != nil && serveErr == nil {
		return err
	}
	return serveErr
}

// banner prints where the gateway runs, what it sends through, the
// generated logins and a ready curl line.
func (g *gateway) banner(w io.Writer) {
	fmt.Fprintf(w, "advox gateway listening on %s\n", g.url)
	fmt.Fprintf(w, "  data:       %s\n", g.stores.desc)
	for _, b := range g.built {
		to := "operator at " + b.cfg.Addr + b.cfg.BaseURL
		if b.sim != "" {
			to = b.sim
		}
		fmt.Fprintf(w, "  transport:  %s -> %s", b.tr.Name(), to)
		if b.webhook != nil {
			fmt.Fprintf(w, "; delivery reports at %s", b.cfg.webhookPath())
		}
		fmt.Fprintln(w)
	}
	for _, r := range g.cfg.Routes {
		fmt.Fprintf(w, "  route:      %s (%s) -> %s", r.Name, routeMatch(r), strings.Join(r.Transports, ", "))
		if len(r.Weights) > 0 {
			weights := make([]string, len(r.Weights))
			for i, wt := range r.Weights {
				weights[i] = strconv.Itoa(wt)
			}
			fmt.Fprintf(w, " (weights %s)", strings.Join(weights, ", "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  metrics:    %s%s\n", g.url, g.cfg.MetricsPath)
	if g.cfg.KEK == "" {
		fmt.Fprintln(w, "  note:       no kek configured: traffic is sealed under a per-process key, unreadable after a restart")
	}
	for i, l := range g.logins {
		fmt.Fprintf(w, "  login:      account %s, user %s, password %s (generated, shown once)\n", l.Account, l.User, l.Password)
		if i == 0 {
			fmt.Fprintf(w, "try:\n  curl -u %s:%s -H 'Content-Type: application/json' -d '{\"from\":\"Advox\",\"to\":\"+46701740605\",\"text\":\"Hello from advox\"}' %s/v1/messages\n",
				l.User, l.Password, g.url)
		}
	}
}

// routeMatch describes what a route matches on, for the banner: number
// prefixes (calling codes first), sender kinds and accounts; "*" when it
// matches every message.
func routeMatch(r routeConfig) string {
	var numbers, parts []string
	for _, cc := range r.CallingCodes {
		numbers = append(numbers, "+"+strconv.Itoa(cc))
	}
	numbers = append(numbers, r.Prefixes...)
	if len(numbers) > 0 {
		parts = append(parts, strings.Join(numbers, ","))
	}
	if len(r.Senders) > 0 {
		parts = append(parts, "sender "+strings.Join(r.Senders, ","))
	}
	if len(r.Accounts) > 0 {
		parts = append(parts, "account "+strings.Join(r.Accounts, ","))
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, "; ")
}
