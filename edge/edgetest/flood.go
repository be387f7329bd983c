package edgetest

import (
	"context"
	"database/sql"
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

// FloodRequests is how many bad-key requests the flood sends.
const FloodRequests = 500

// RunUnauthenticatedFlood sends [FloodRequests] requests with an unknown
// key from one client. The client's request limit (120 a minute by
// default) counts them before the key is checked, so after the limit they
// are refused with 429 rate_limited instead of 401. [CheckFloodAudit]
// then checks that they left far fewer audit entries than requests.
func RunUnauthenticatedFlood(t *testing.T, baseURL string, fx *Fixture) {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 30 * time.Second}, fx: fx}
	unauthorized, limited := 0, 0
	var statuses []int
	start := time.Now()
	for i := range FloodRequests {
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: "pk_" + strings.Repeat("X", 26), origin: fx.Shop.Origin,
			clientID: FloodClient, body: []byte(`{"envelope":"sp1.x.y.z"}`)})
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

// CheckFloodAudit checks, in the edge's database after the run, that the
// flood of [RunUnauthenticatedFlood] left at most one audit entry per
// code and minute (401s, then 429s: two, four if it crossed a minute),
// that those verify with the fixture's audit key and name the client,
// and that the refusal counters account for every request.
func CheckFloodAudit(t *testing.T, db *sql.DB, fx *Fixture) {
	t.Helper()
	var entries int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE client = ?`, FloodClient).Scan(&entries); err != nil {
		t.Fatalf("counting the flood's audit entries: %v", err)
	}
	if entries == 0 || entries > 4 {
		t.Errorf("%d bad-key requests left %d audit entries, want 1 to 4 (one per code and minute)", FloodRequests, entries)
	}
	var counted int
	if err := db.QueryRow(`SELECT coalesce(sum(n), 0) FROM audit_refusals WHERE client = ?`, FloodClient).Scan(&counted); err != nil {
		t.Fatalf("reading the refusal counters: %v", err)
	}
	if counted != FloodRequests {
		t.Errorf("refusal counters of the flood's client sum to %d, want %d", counted, FloodRequests)
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
