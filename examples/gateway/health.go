package main

import (
	"context"
	"net/http"
	"time"

	"github.com/azenna/advox"
)

// readyTimeout bounds a readiness check: a transport or store that takes
// longer to answer is not ready.
const readyTimeout = 2 * time.Second

// healthResponse is the body of /healthz and of a ready /readyz.
type healthResponse struct {
	Status string `json:"status"`
}

// registerHealth mounts the probes of an orchestrator, without login:
// /healthz answers 200 while the process serves HTTP; /readyz answers 200
// when the Client is open, its transport bound and answering and its
// store reachable (advox.Client.Ping), 503 otherwise. Neither says more
// than its status: what failed goes to the log, not to whoever asks.
func registerHealth(mux *http.ServeMux, client *advox.Client, a *api) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := client.Ping(ctx); err != nil {
			a.log.Warn("gateway: not ready", "error", err)
			writeError(w, &requestError{status: http.StatusServiceUnavailable, code: "unavailable", msg: "not ready"}, a.now())
			return
		}
		writeJSON(w, http.StatusOK, healthResponse{Status: "ready"})
	})
}
