package qr

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoryNonceStore(t *testing.T) {
	now := fxNow
	s := NewMemoryNonceStore(func() time.Time { return now })
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
	s := NewMemoryNonceStore(nil)
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
