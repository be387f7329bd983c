// Package devserver runs the examples' servers on their own: graceful
// HTTP servers on loopback addresses and the edge snippet's integrity hash.
// `sealpay demo` does all of this in one process; this package is for
// running an example against an edge you started yourself.
package devserver

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server is one named server to run.
type Server struct {
	Name    string
	Addr    string // host:port
	Handler http.Handler
}

// Run serves every server until SIGINT or SIGTERM, then shuts them down
// gracefully. ready is called once all are listening.
func Run(servers []Server, ready func()) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var lns []net.Listener
	for _, s := range servers {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("%s: %s is already in use; pick another address with the flags", s.Name, s.Addr)
			}
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		lns = append(lns, ln)
	}
	errc := make(chan error, len(servers))
	var hs []*http.Server
	for i, s := range servers {
		h := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
		hs = append(hs, h)
		go func() {
			if err := h.Serve(lns[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", s.Name, err)
			}
		}()
	}
	if ready != nil {
		ready()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() { defer wg.Done(); h.Shutdown(sctx) }()
	}
	wg.Wait()
	return err
}

// SnippetIntegrity fetches the edge's /v1/sealpay.js and returns its
// Subresource Integrity value. It pins what the edge serves when the
// example starts; in production, take the value from the release's
// sri.json instead, so that a tampered edge cannot change it.
func SnippetIntegrity(edge string) (string, error) {
	resp, err := http.Get(strings.TrimRight(edge, "/") + "/v1/sealpay.js")
	if err != nil {
		return "", fmt.Errorf("fetching the snippet from the edge: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fetching the snippet from the edge: HTTP %d (does the edge have assets_dir?)", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:]), nil
}

// Getenv returns the environment variable name, or an error naming it.
func Getenv(name, what string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("set %s to %s", name, what)
	}
	return v, nil
}
