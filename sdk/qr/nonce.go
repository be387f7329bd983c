package qr

import (
	"errors"
	"sync"
	"time"
)

// NonceStore remembers the nonces of signed QR codes that [Verify] accepted,
// so that each is accepted once. The edge keeps them in its SQL database;
// [MemoryNonceStore] keeps them in memory.
type NonceStore interface {
	// Seen records nonce until exp and reports whether it was already
	// recorded. It must be atomic: of two concurrent calls with one nonce,
	// exactly one reports false. An error makes Verify reject the code.
	Seen(nonce string, exp time.Time) (replayed bool, err error)
}

// MemoryNonceStore is a [NonceStore] in memory, for one process. It forgets
// a nonce once its expiry has passed (by the clock it was made with), since
// Verify rejects the expired code anyway.
type MemoryNonceStore struct {
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]time.Time
	writes int
}

// maxMemoryNonces bounds a MemoryNonceStore; past it, Seen fails closed.
const maxMemoryNonces = 1 << 20

// errNonceStoreFull is returned by MemoryNonceStore.Seen when it holds
// maxMemoryNonces unexpired nonces.
var errNonceStoreFull = errors.New("qr: nonce store full")

// NewMemoryNonceStore returns an empty store that reads the time from now
// (time.Now when nil).
func NewMemoryNonceStore(now func() time.Time) *MemoryNonceStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryNonceStore{now: now, seen: map[string]time.Time{}}
}

// Seen implements [NonceStore].
func (s *MemoryNonceStore) Seen(nonce string, exp time.Time) (bool, error) {
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
