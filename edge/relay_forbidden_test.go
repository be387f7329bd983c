//go:build !js

package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// countingTransport fails every request it is given, and counts them.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no network in this test")
}

// TestRelayHostForbidden: a relay to a URL off the merchant's allowlist is
// refused with 403 relay_host_forbidden, sends nothing, and is audited as
// a refused relay with that code and the request's method, host and path
// (never its query); a url that is not a URL at all stays bad_request.
func TestRelayHostForbidden(t *testing.T) {
	_, sk := NewAPIKeys()
	cfg, err := ParseConfig([]byte(`{"merchants":[{"id":"m_shop","secret_keys":["` + HashAPIKey(sk) + `"],
		"allowed_origins":["https://shop.example"], "relay_routes":[
		{"method":"POST","host":"api.psp.example","path":"/charge","format":"json","placeholders":{"/n":["number"]}},
		{"method":"POST","host":"127.0.0.1:8443","path":"/charge","format":"json","placeholders":{"/n":["number"]}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	keks, err := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr := &countingTransport{}
	h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: sqlunit.OnSQL(db), Client: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	const body = `{"n":"{{tok_0000000000000000000001:number}}"}`
	for _, tc := range []struct {
		name, url    string
		status       int
		code, target string
		body         string // the template, if not body
	}{
		{"host off the allowlist", "https://evil.example/charge?k=v", 403, "relay_host_forbidden", "POST evil.example/charge", ""},
		{"allowed host on another port", "https://api.psp.example:444/charge", 403, "relay_host_forbidden", "POST api.psp.example:444/charge", ""},
		{"plain http", "http://api.psp.example/charge", 403, "relay_host_forbidden", "POST api.psp.example/charge", ""},
		{"http to loopback without allow_loopback_http", "http://127.0.0.1:8443/charge", 403, "relay_host_forbidden", "POST 127.0.0.1:8443/charge", ""},
		{"credentials", "https://user:pw@api.psp.example/charge", 403, "relay_host_forbidden", "POST api.psp.example/charge", ""},
		{"another scheme", "ftp://api.psp.example/charge", 403, "relay_host_forbidden", "POST api.psp.example/charge", ""},
		{"path no route allows", "https://api.psp.example/v1/customers?description=x", 403, "relay_route_forbidden", "POST api.psp.example/v1/customers", ""},
		{"not an absolute URL", "/charge", 400, "bad_request", "", ""},
		// Frameworks (Rails, Laravel, Symfony) run a POST with _method as
		// the method it names: a route allowing POST /charge would run a
		// PUT or DELETE there.
		{"method override in the query", "https://api.psp.example/charge?_method=DELETE", 403, "relay_route_forbidden", "POST api.psp.example/charge", ""},
		{"method override in the query, upper case", "https://api.psp.example/charge?_METHOD=put", 403, "relay_route_forbidden", "POST api.psp.example/charge", ""},
		{"method override in the JSON body", "https://api.psp.example/charge", 403, "relay_route_forbidden", "POST api.psp.example/charge", `{"_method":"DELETE","n":"{{tok_0000000000000000000001:number}}"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := body
			if tc.body != "" {
				tmpl = tc.body
			}
			b, _ := json.Marshal(map[string]string{"url": tc.url, "body": tmpl})
			r := httptest.NewRequest("POST", "/v1/relay", bytes.NewReader(b))
			r.Header.Set("Authorization", "Bearer "+sk)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var got errorBody
			json.Unmarshal(w.Body.Bytes(), &got)
			if w.Code != tc.status || string(got.Error.Code) != tc.code {
				t.Fatalf("relay to %s = %d %s, want %d %s", tc.url, w.Code, got.Error.Code, tc.status, tc.code)
			}
			if tc.target == "" {
				return
			}
			var action, target, code string
			err := db.QueryRow(`SELECT action, target, code FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&action, &target, &code)
			if err != nil {
				t.Fatal(err)
			}
			if action != "relay" || target != tc.target || code != tc.code {
				t.Errorf("audit entry = (%s, %s, %s), want (relay, %s, %s)", action, target, code, tc.target, tc.code)
			}
		})
	}
	if n := tr.n.Load(); n != 0 {
		t.Errorf("%d requests left the edge, want none", n)
	}
}
