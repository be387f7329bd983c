package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealpay/sealpay/sdk/envelope"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/chacha20poly1305"
)

// goLoad sends one POST /v1/tokens per envelope over c keep-alive
// connections and measures each request from write to the last byte of
// the answer. Every answer must be 201.
func goLoad(ctx context.Context, base string, fx *fixture, envs []string, c int) (row, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([]time.Duration, len(envs))
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			body := make([]byte, 0, 1024)
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(envs) {
					return
				}
				body = append(append(append(body[:0], `{"envelope":"`...), envs[i]...), `"}`...)
				req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/tokens", bytes.NewReader(body))
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					failed.Add(1)
					continue
				}
				req.Header.Set("Authorization", "Bearer "+fx.pk)
				req.Header.Set("Origin", fx.origin)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(clientHeader, clientAddr(i))
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusCreated {
						err = errors.New("status " + strconv.Itoa(resp.StatusCode))
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return row{}, err
	}
	if n := failed.Load(); n > 0 {
		return row{}, fmt.Errorf("%d of %d tokenize requests failed, first: %v", n, len(envs), firstErr.Load())
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return row{
		requests: len(envs),
		rps:      float64(len(envs)) / elapsed.Seconds(),
		p50:      q(0.50), p90: q(0.90), p99: q(0.99), p999: q(0.999),
	}, nil
}

// cryptoBound measures how many cards per second this machine opens from
// envelopes and seals at rest — XChaCha20-Poly1305 of the number and a
// keyed BLAKE2b-256 fingerprint, as sdk/token does — on all CPUs for d:
// the rate a tokenize could reach if the database, HTTP and JSON were
// free.
func cryptoBound(fx *fixture, envs []string, d time.Duration) (float64, error) {
	key := make([]byte, 32)
	rand.Read(key)
	var done atomic.Int64
	errs := make([]error, runtime.GOMAXPROCS(0))
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			aead, _ := chacha20poly1305.NewX(key)
			nonce := make([]byte, aead.NonceSize())
			ad := []byte("tok_0000000000000000000000|" + fx.merchant)
			for i := w; time.Now().Before(deadline); i++ {
				op, err := envelope.Open(fx.keys, envs[i%len(envs)], envelope.OpenOptions{MerchantID: fx.merchant, Origin: fx.origin})
				if err != nil {
					errs[w] = err
					return
				}
				rand.Read(nonce)
				aead.Seal(nil, nonce, []byte(op.Card.Number), ad)
				h, _ := blake2b.New256(key)
				h.Write([]byte(op.Card.Number))
				h.Sum(nil)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}
