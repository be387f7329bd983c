package edgetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// FloodClient is the client address of the unauthenticated flood
// ([RunUnauthenticatedFlood]); no other case uses it.
const FloodClient = "203.0.113.200"

// FloodPrefix is the IPv6 /64 of the second flood: each of its requests
// comes from another address in it, as any host given a /64 can send.
const FloodPrefix = "2001:db8:f100:1::/64"

// FloodRequests is how many bad-key requests the flood sends (from each
// of the two clients).
const FloodRequests = 500

// floodAddr is the client address of a flood's request i: FloodClient,
// or with v6 the i-th address in FloodPrefix.
func floodAddr(v6 bool, i int) string {
	if !v6 {
		return FloodClient
	}
	return fmt.Sprintf("2001:db8:f100:1:%x:%x::1", i>>16+1, i&0xffff)
}

// RunUnauthenticatedFlood sends [FloodRequests] requests with an unknown
// key from one client. The client's request limit (120 a minute by
// default) counts them before the key is checked, so after the limit they
// are refused with 429 rate_limited instead of 401. [CheckFloodAudit]
// then checks that they left far fewer audit entries than requests.
//
// With v6 the requests come from [FloodPrefix], each from an address of
// its own: the limit and the refusal counters count an IPv6 client by its
// /64, so that changes neither the answers nor the audit entries.
func RunUnauthenticatedFlood(t *testing.T, baseURL string, fx *Fixture, v6 bool) {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 30 * time.Second}, fx: fx}
	unauthorized, limited := 0, 0
	var statuses []int
	start := time.Now()
	for i := range FloodRequests {
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: "pk_" + strings.Repeat("X", 26), origin: fx.Shop.Origin,
			clientID: floodAddr(v6, i), body: []byte(`{"envelope":"sp1.x.y.z"}`)})
		switch {
		case a.Status == http.StatusUnauthorized && a.code() == "unauthorized":
			unauthorized++
		case a.Status == http.StatusTooManyRequests && a.code() == "rate_limited":
			limited++
			if a.Header.Get("Retry-After") == "" {
				t.Errorf("request %d: 429 without Retry-After", i+1)
			}
		default:
			t.Fatalf("bad-key request %d = %d %s, want 401 unauthorized or 429 rate_limited", i+1, a.Status, a.code())
		}
		statuses = append(statuses, a.Status)
	}
	t.Logf("%d bad-key requests in %v: %d × 401, %d × 429", FloodRequests, time.Since(start).Round(time.Millisecond), unauthorized, limited)
	for i, s := range statuses[:100] {
		if s != http.StatusUnauthorized {
			t.Errorf("bad-key request %d (under the limit) = %d, want 401", i+1, s)
		}
	}
	for i, s := range statuses[FloodRequests-100:] {
		if s != http.StatusTooManyRequests {
			t.Errorf("bad-key request %d (over the limit) = %d, want 429", FloodRequests-100+i+1, s)
		}
	}
	// The shop's real key from another client is not refused: the flood
	// counted on its client, not on the key it guessed at.
	env := "sp1.x.y.z"
	if a := c.do(t, req{method: "POST", path: "/v1/tokens", key: fx.Shop.PK, origin: fx.Shop.Origin, body: jsonBody(map[string]any{"envelope": env})}); a.Status == http.StatusTooManyRequests {
		t.Errorf("the shop's key from another client after the flood = 429, want it served")
	}
}

// CheckFloodAudit checks, in the edge's database after the run, that
// each flood of [RunUnauthenticatedFlood] left at most one audit entry
// per code and minute (401s, then 429s: two, four if it crossed a
// minute), that those verify with the fixture's audit key and name the
// client, and that the refusal counters account for every request.
func CheckFloodAudit(t *testing.T, db *sql.DB, fx *Fixture) {
	t.Helper()
	for _, f := range []struct{ name, entries, counter string }{
		{FloodClient, FloodClient, FloodClient},
		// Entries name the request's own address; the counter its /64.
		{FloodPrefix, "2001:db8:f100:1:%", FloodPrefix},
	} {
		var entries int
		if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE client LIKE ?`, f.entries).Scan(&entries); err != nil {
			t.Fatalf("counting the flood's audit entries: %v", err)
		}
		if entries == 0 || entries > 4 {
			t.Errorf("flood from %s: %d bad-key requests left %d audit entries, want 1 to 4 (one per code and minute)", f.name, FloodRequests, entries)
		}
		var counted int
		if err := db.QueryRow(`SELECT coalesce(sum(n), 0) FROM audit_refusals WHERE client = ?`, f.counter).Scan(&counted); err != nil {
			t.Fatalf("reading the refusal counters: %v", err)
		}
		if counted != FloodRequests {
			t.Errorf("flood from %s: refusal counters sum to %d, want %d", f.name, counted, FloodRequests)
		}
	}
	var keyID string
	db.QueryRow(`SELECT key_id FROM audit_log WHERE client = ? ORDER BY seq LIMIT 1`, FloodClient).Scan(&keyID)
	if want := "pk:" + edge.HashAPIKey("pk_" + strings.Repeat("X", 26))[:len("sha256:")+12]; keyID != want {
		t.Errorf("the flood's audit entry names key %q, want %q", keyID, want)
	}
	if _, err := audit.Verify(context.Background(), sqlunit.OnSQL(db), fx.AuditKeys(t), audit.VerifyOptions{}); err != nil {
		t.Errorf("audit.Verify = %v", err)
	}
}

// AuditKeys returns the audit keys of the fixture's audit_key_file.
func (fx *Fixture) AuditKeys(t testing.TB) *audit.Keys {
	t.Helper()
	ks, err := server.ReadAuditKeys(&edge.Config{AuditKeyFile: filepath.Join(fx.Dir, "audit.secret")})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}
