package edge

import (
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"testing"
)

// TestClientAddr checks which address a request is counted under, for the
// ways a client forges a forwarding header.
func TestClientAddr(t *testing.T) {
	proxies, err := parseTrustedProxies([]string{"10.0.0.0/8", "2001:db8::/32", "192.0.2.10"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		header    string // "" for no client_ip_header
		peer      string
		values    []string
		trustPeer bool
		want      string
	}{
		{"no header configured", "", "203.0.113.5:4000", []string{"198.51.100.1"}, false, "203.0.113.5"},
		{"untrusted peer sets the header", "X-Forwarded-For", "203.0.113.5:4000", []string{"198.51.100.1"}, false, "203.0.113.5"},
		{"trusted peer, one value", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.1"}, false, "198.51.100.1"},
		{"spoof, real", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.99, 198.51.100.1"}, false, "198.51.100.1"},
		{"spoof, real, proxy", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.99, 198.51.100.1, 10.9.9.9"}, false, "198.51.100.1"},
		{"single trusted address", "X-Forwarded-For", "192.0.2.10:4000", []string{"198.51.100.1, 192.0.2.10"}, false, "198.51.100.1"},
		{"next to the single address", "X-Forwarded-For", "192.0.2.10:4000", []string{"192.0.2.11"}, false, "192.0.2.11"},
		{"non-IP strings", "X-Forwarded-For", "10.1.2.3:4000", []string{"unknown, 198.51.100.1, _hidden, "}, false, "198.51.100.1"},
		{"only non-IP strings", "X-Forwarded-For", "10.1.2.3:4000", []string{"unknown-1"}, false, "10.1.2.3"},
		{"only proxies", "X-Forwarded-For", "10.1.2.3:4000", []string{"10.0.0.1, 10.0.0.2"}, false, "10.1.2.3"},
		{"no space after the comma", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.99,198.51.100.1"}, false, "198.51.100.1"},
		{"two header lines", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.99", "198.51.100.1"}, false, "198.51.100.1"},
		{"address with port", "X-Forwarded-For", "10.1.2.3:4000", []string{"198.51.100.1:5555"}, false, "198.51.100.1"},
		{"IPv6", "X-Forwarded-For", "[2001:db8::1]:4000", []string{"2001:db9::7, [2001:db8::2]:80"}, false, "2001:db9::7"},
		{"IPv4-mapped IPv6", "X-Forwarded-For", "[::ffff:10.1.2.3]:4000", []string{"::ffff:198.51.100.1"}, false, "198.51.100.1"},
		{"zone is not an address", "X-Forwarded-For", "10.1.2.3:4000", []string{"fe80::1%eth0"}, false, "10.1.2.3"},
		{"no header sent", "X-Forwarded-For", "10.1.2.3:4000", nil, false, "10.1.2.3"},
		{"platform peer (Worker)", "CF-Connecting-IP", "", []string{"198.51.100.1"}, true, "198.51.100.1"},
		{"platform peer, non-IP", "CF-Connecting-IP", "198.51.100.2", []string{"bogus"}, true, "198.51.100.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Handler{cfg: &Config{ClientIPHeader: tc.header}, proxies: proxies, trustPeer: tc.trustPeer}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.values {
				r.Header.Add(tc.header, v)
			}
			if got := h.clientAddr(r); got != tc.want {
				t.Errorf("clientAddr = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for an error
	}{
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"192.0.2.1", "192.0.2.1/32"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"::1", "::1/128"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"10.0.0.0/33", ""},
		{"fe80::1%eth0", ""},
		{"proxy.example", ""},
		{"", ""},
	} {
		got, err := parseTrustedProxies([]string{tc.in})
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("parseTrustedProxies(%q) = %v, want an error", tc.in, got)
		case tc.want != "" && (err != nil || got[0].String() != tc.want):
			t.Errorf("parseTrustedProxies(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseHop checks that an address parseHop accepts prints as an
// address that parses back to itself.
func FuzzParseHop(f *testing.F) {
	for _, s := range []string{"198.51.100.1", " 2001:db8::1 ", "[2001:db8::1]:80", "1.2.3.4:5", "::ffff:1.2.3.4", "fe80::1%eth0", "unknown", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseHop(s)
		if !ok {
			return
		}
		b, ok := parseHop(a.String())
		if !ok || b != a || a.Is4In6() || a.Zone() != "" {
			t.Errorf("parseHop(%q) = %v, which parses back as %v, %v", s, a, b, ok)
		}
	})
}

// TestNewNeedsTrustedProxies checks that a native handler refuses
// client_ip_header without trusted_proxies, which would believe no one,
// and that the Worker's (TrustPeer) does not need them.
func TestNewNeedsTrustedProxies(t *testing.T) {
	h, _, _ := newTestHandler(t, nil)
	cfg := *h.cfg
	cfg.ClientIPHeader = "X-Forwarded-For"
	keks, err := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(make([]byte, 32))))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Config: &cfg, Keys: h.keys_, KEKs: keks, AuditKeys: h.akeys, Store: h.store}
	if _, err := New(opts); !errors.Is(err, ErrConfig) {
		t.Errorf("New with client_ip_header and no trusted_proxies = %v, want ErrConfig", err)
	}
	opts.TrustPeer = true
	if _, err := New(opts); err != nil {
		t.Errorf("New with client_ip_header and TrustPeer = %v, want nil", err)
	}
}
