package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// TestQRTrustExpiry: the edge serves and uses a bundle past its expiry,
// says so in its log once, and its verdicts reject signed codes with
// qr_expired/trust_bundle (docs/qr-v1.md §4.3–4.4).
func TestQRTrustExpiry(t *testing.T) {
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := qr.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	pix := qr.Object{ID: "26", Value: "0014br.gov.bcb.pix0116shop@example.com"}
	cert, err := root.Certify(qr.Certificate{MerchantID: "m_shop", Name: "SHOP EXAMPLE", Accounts: []qr.Object{pix},
		PublicKey: mk.Public(), NotBefore: issued, NotAfter: issued.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: issued, ExpiresAt: issued.Add(10 * 24 * time.Hour), Certificates: []qr.Certificate{*cert}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := qr.Build([]qr.Object{{ID: "00", Value: "01"}, pix, {ID: "52", Value: "0000"}, {ID: "53", Value: "986"},
		{ID: "58", Value: "BR"}, {ID: "59", Value: "SHOP EXAMPLE"}, {ID: "60", Value: "SAO PAULO"}})
	if err != nil {
		t.Fatal(err)
	}
	expiry := issued.Add(10 * 24 * time.Hour)
	tests := []struct {
		name    string
		now     time.Time
		log     string // what the load logs, "" for nothing
		status  string
		detail  string
		logged2 bool // a second line once a verdict finds the bundle stale
	}{
		{"fresh", issued.Add(time.Hour), "", "verified", "", false},
		{"expires within a week", expiry.Add(-6 * 24 * time.Hour), "level=WARN msg=\"edge: the trust bundle expires soon", "verified", "", false},
		{"expired", expiry.Add(time.Hour), "level=ERROR msg=\"edge: the trust bundle has expired:", "rejected", "trust_bundle", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := tc.now
			h, logs := newQRHandler(t, bundle, root.PublicJWK(), func() time.Time { return clock })
			for i := range 2 {
				// A new code each time: the edge accepts each nonce once.
				signed, err := qr.Sign(base, mk, cert, qr.SignOptions{Amount: "10.00", Now: tc.now.Add(-time.Minute)})
				if err != nil {
					t.Fatal(err)
				}
				v := postVerify(t, h, signed)
				if v.Status != tc.status || (tc.detail != "" && (len(v.Reasons) == 0 || v.Reasons[0].Detail != tc.detail)) {
					t.Fatalf("verdict %d: %s %+v, want %s %s", i, v.Status, v.Reasons, tc.status, tc.detail)
				}
				// The served bundle is the configured bytes, stale or not.
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/qr/trust", nil))
				if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), bundle) {
					t.Fatalf("GET /v1/qr/trust = %d, %d bytes, want 200 and the bundle", rec.Code, rec.Body.Len())
				}
			}
			got := logs.String()
			if tc.log == "" && strings.Contains(got, "trust bundle") || tc.log != "" && strings.Count(got, "trust bundle") != 1 ||
				!strings.Contains(got, tc.log) {
				t.Errorf("log = %q, want one line with %q", got, tc.log)
			}
		})
	}

	// A bundle that expires while the edge runs is logged at the first
	// verdict that finds it stale, once.
	clock := issued.Add(time.Hour)
	h, logs := newQRHandler(t, bundle, root.PublicJWK(), func() time.Time { return clock })
	signed, err := qr.Sign(base, mk, cert, qr.SignOptions{Amount: "10.00", Now: expiry, TTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if v := postVerify(t, h, base); v.Status != "unsigned" {
		t.Fatalf("unsigned code: %s", v.Status)
	}
	clock = expiry.Add(time.Hour)
	for range 3 {
		if v := postVerify(t, h, signed); v.Status != "rejected" || v.Reasons[0].Detail != "trust_bundle" {
			t.Fatalf("after expiry: %s %+v, want rejected qr_expired/trust_bundle", v.Status, v.Reasons)
		}
	}
	if n := strings.Count(logs.String(), "has expired while in use"); n != 1 {
		t.Errorf("log has %d lines about the expired bundle, want 1: %s", n, logs.String())
	}
}

func newQRHandler(t *testing.T, bundle, rootJWK []byte, now func() time.Time) (*Handler, *bytes.Buffer) {
	t.Helper()
	pk, sk := NewAPIKeys()
	cfg, err := ParseConfig([]byte(strings.NewReplacer("sha256:%PK%", HashAPIKey(pk), "sha256:%SK%", HashAPIKey(sk)).Replace(testConfig)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.QRRoots = []json.RawMessage{rootJWK}
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	keks, err := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var logs bytes.Buffer
	h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: sqlunit.OnSQL(db), TrustBundle: bundle, Now: now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

type testVerdict struct {
	Status  string
	Reasons []struct{ Code, Detail string }
}

func postVerify(t *testing.T, h *Handler, payload string) testVerdict {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"payload": payload})
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/v1/qr/verify", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /v1/qr/verify = %d %s", rec.Code, rec.Body)
	}
	var v testVerdict
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
