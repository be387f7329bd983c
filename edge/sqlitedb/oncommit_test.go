package sqlitedb

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// TestOnCommit: every unit, failed ones included, is counted in exactly
// one group's [GroupStats], one call per COMMIT, after which its
// caller is answered; the calls come from the one writer, in turn.
func TestOnCommit(t *testing.T) {
	const n = 200
	var mu sync.Mutex
	var groups, units int
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "vault.db"), Options{OnCommit: func(s GroupStats) {
		if !mu.TryLock() {
			t.Error("OnCommit called while another call runs")
			return
		}
		defer mu.Unlock()
		if s.Units < 1 || s.Units > maxGroup || s.Commit <= 0 {
			t.Errorf("GroupStats = %+v, want 1 to %d units and a positive COMMIT time", s, maxGroup)
		}
		groups++
		units += s.Units
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			jti := fmt.Sprint("j", i)
			if i%10 == 0 {
				jti = "dup" // all but the first of these fail
			}
			d.Exec(context.Background(), sqlunit.Unit{Stmts: []sqlunit.Stmt{insertJTI(jti)}})
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if units != n {
		t.Errorf("OnCommit counted %d units in %d groups, want %d units", units, groups, n)
	}
	if groups < 1 || groups > n {
		t.Errorf("OnCommit was called %d times, want 1 to %d", groups, n)
	}
	t.Logf("%d units in %d groups", units, groups)
}
