package edge_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
)

// TestBrowserContract checks what docs/browser.md asks of the edge: the
// lazily loaded assets, the merchant id in GET /v1/keys?key=pk_…, and
// tokenize from the edge's own origin (the hosted-fields frame) with the
// envelope's aud checked against the key's allowed origins.
func TestBrowserContract(t *testing.T) {
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	assets := t.TempDir()
	for _, f := range []string{"direct.js", "qrdecode.js", "sealpay.js"} {
		if err := os.WriteFile(filepath.Join(assets, f), []byte("/* "+f+" */"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg.AssetsDir = assets
	h, db, err := server.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	do := func(t *testing.T, method, path, origin, key, body string) (int, http.Header, []byte) {
		t.Helper()
		r, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if key != "" {
			r.Header.Set("Authorization", "Bearer "+key)
		}
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}

	t.Run("assets", func(t *testing.T) {
		for _, f := range []string{"direct.js", "qrdecode.js"} {
			status, hd, b := do(t, "GET", "/v1/"+f, "", "", "")
			if status != http.StatusOK || string(b) != "/* "+f+" */" {
				t.Errorf("GET /v1/%s = %d %q, want 200 and the file", f, status, b)
			}
			if got := hd.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("GET /v1/%s: Access-Control-Allow-Origin = %q, want *", f, got)
			}
			if got := hd.Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
				t.Errorf("GET /v1/%s: Content-Type = %q, want text/javascript", f, got)
			}
		}
	})

	t.Run("keys name the merchant", func(t *testing.T) {
		for _, tc := range []struct {
			name, query, want string
		}{
			{"shop key", "?key=" + fx.Shop.PK, fx.Shop.ID},
			{"other key", "?key=" + fx.Other.PK, fx.Other.ID},
			{"no key", "", ""},
			{"unknown key", "?key=pk_UNKNOWNUNKNOWNUNKNOWN", ""},
			{"secret key", "?key=" + fx.Shop.SK, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, _, b := do(t, "GET", "/v1/keys"+tc.query, "", "", "")
				if status != http.StatusOK {
					t.Fatalf("GET /v1/keys = %d, want 200", status)
				}
				var doc struct {
					Keys     []json.RawMessage `json:"keys"`
					Merchant string            `json:"merchant"`
				}
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatalf("GET /v1/keys: body is not JSON: %v", err)
				}
				if doc.Merchant != tc.want {
					t.Errorf("GET /v1/keys: merchant = %q, want %q", doc.Merchant, tc.want)
				}
				if _, err := envelope.ParsePublicKeySet(b); err != nil || len(doc.Keys) == 0 {
					t.Errorf("GET /v1/keys: ParsePublicKeySet = %v with %d keys, want a usable set", err, len(doc.Keys))
				}
			})
		}
	})

	t.Run("browser routes vary by origin", func(t *testing.T) {
		// The frame's same-origin GET /v1/keys?key=… has no Origin and gets
		// no CORS header; a cache must not reuse it for the page's request.
		for _, origin := range []string{"", fx.Shop.Origin, "https://evil.example"} {
			_, hd, _ := do(t, "GET", "/v1/keys?key="+fx.Shop.PK, origin, "", "")
			if got := hd.Values("Vary"); !slices.Contains(got, "Origin") {
				t.Errorf("GET /v1/keys from %q: Vary = %q, want Origin in it", origin, got)
			}
		}
	})

	t.Run("tokenize from the frame's origin", func(t *testing.T) {
		_, _, keys := do(t, "GET", "/v1/keys", "", "", "")
		pub, err := envelope.ParsePublicKeySet(keys)
		if err != nil {
			t.Fatal(err)
		}
		seal := func(aud string) string {
			c := card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVC: "123"}
			env, err := envelope.Seal(pub, c, envelope.SealOptions{MerchantID: fx.Shop.ID, Origin: aud})
			if err != nil {
				t.Fatal(err)
			}
			return `{"envelope":"` + env + `"}`
		}
		self := srv.URL // the edge's own origin, as the frame's fetch sends it
		for _, tc := range []struct {
			name, path, origin, aud string
			want                    int
			code                    string
		}{
			{"frame, aud a shop origin", "/v1/tokens", self, fx.Shop.Origin, http.StatusCreated, ""},
			{"frame, no aud", "/v1/tokens", self, "", http.StatusCreated, ""},
			{"frame, aud another merchant's origin", "/v1/tokens", self, fx.Other.Origin, http.StatusForbidden, "wrong_origin"},
			{"page of another origin", "/v1/tokens", "https://evil.example", fx.Shop.Origin, http.StatusForbidden, "forbidden_origin"},
			{"frame origin on forward", "/v1/forward/checkout", self, fx.Shop.Origin, http.StatusForbidden, "forbidden_origin"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, _, b := do(t, "POST", tc.path, tc.origin, fx.Shop.PK, seal(tc.aud))
				if status != tc.want {
					// The code, not the answer: a 201 holds a token.
					var e struct{ Error struct{ Code string } }
					json.Unmarshal(b, &e)
					t.Fatalf("POST %s from %s = %d %q, want %d", tc.path, tc.origin, status, e.Error.Code, tc.want)
				}
				if tc.code != "" {
					var e struct{ Error struct{ Code string } }
					json.Unmarshal(b, &e)
					if e.Error.Code != tc.code {
						t.Errorf("POST %s: code = %q, want %q", tc.path, e.Error.Code, tc.code)
					}
				}
			})
		}
	})
}
