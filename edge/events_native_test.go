//go:build !js

package edge_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
)

// TestNativeEvents runs the shared events case against the native
// handler on SQLite with the native delivery loop (server.RunEvents).
func TestNativeEvents(t *testing.T) {
	fx := edgetest.NewFixture(t)
	sink := fx.WithEvents(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h, db, err := server.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); server.RunEvents(ctx, h, nil) }()
	defer func() { cancel(); <-done }()

	edgetest.RunEvents(t, srv.URL, fx, sink, edgetest.EventsDelivery{})

	n, err := h.EventBacklog(context.Background())
	if err != nil || n != 0 {
		t.Errorf("EventBacklog = %d, %v after every event was delivered; want 0", n, err)
	}
	fx.ScanForNumbers(t, "server log", logs.Bytes())
}
