package qr

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryNonceStore(t *testing.T) {
	now := fxNow
	s := newMemoryNonceStore(func() time.Time { return now })
	steps := []struct {
		nonce    string
		exp      time.Time
		advance  time.Duration
		replayed bool
	}{
		{"a", fxNow.Add(time.Minute), 0, false},
		{"a", fxNow.Add(time.Minute), 0, true},
		{"b", fxNow.Add(time.Minute), 0, false},
		{"a", fxNow.Add(time.Minute), 59 * time.Second, true},
		// Past its expiry the nonce is forgotten (Verify rejects the code
		// as expired anyway).
		{"a", fxNow.Add(time.Hour), 2 * time.Second, false},
		{"a", fxNow.Add(time.Hour), 0, true},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		got, err := s.Seen(st.nonce, st.exp)
		if err != nil || got != st.replayed {
			t.Errorf("step %d: Seen(%s) = %v, %v, want %v", i, st.nonce, got, err, st.replayed)
		}
	}
}

func TestMemoryNonceStoreConcurrent(t *testing.T) {
	s := newMemoryNonceStore(nil)
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, _ := s.Seen("n", time.Now().Add(time.Minute)); !r {
				fresh.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := fresh.Load(); got != 1 {
		t.Errorf("%d of 16 concurrent Seen calls reported a fresh nonce, want 1", got)
	}
}

// memoryNonceStore is a [NonceStore] in memory, for one process: the
// tests' store, and a model for a real one. It forgets
// a nonce once its expiry has passed (by the clock it was made with), since
// Verify rejects the expired code anyway.
type memoryNonceStore struct {
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]time.Time
	writes int
}

// maxMemoryNonces bounds a memoryNonceStore; past it, Seen fails closed.
const maxMemoryNonces = 1 << 20

// errNonceStoreFull is returned by memoryNonceStore.Seen when it holds
// maxMemoryNonces unexpired nonces.
var errNonceStoreFull = errors.New("qr: nonce store full")

// newMemoryNonceStore returns an empty store that reads the time from now
// (time.Now when nil).
func newMemoryNonceStore(now func() time.Time) *memoryNonceStore {
	if now == nil {
		now = time.Now
	}
	return &memoryNonceStore{now: now, seen: map[string]time.Time{}}
}

// Recorded implements [NonceStore].
func (s *memoryNonceStore) Recorded(nonce string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.seen[nonce]
	return ok && !s.now().After(exp), nil
}

// Seen implements [NonceStore].
func (s *memoryNonceStore) Seen(nonce string, exp time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if old, ok := s.seen[nonce]; ok && !now.After(old) {
		return true, nil
	}
	s.writes++
	if s.writes%1024 == 0 || len(s.seen) >= maxMemoryNonces {
		for n, e := range s.seen {
			if now.After(e) {
				delete(s.seen, n)
			}
		}
	}
	if len(s.seen) >= maxMemoryNonces {
		return false, errNonceStoreFull
	}
	s.seen[nonce] = exp
	return false, nil
}
