package edge

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// TestPathPattern: patterns parse to themselves, and match paths segment
// by segment, in one spelling only.
func TestPathPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		ok      bool
		match   []string
		nomatch []string
	}{
		{"/v1/charges", true, []string{"/v1/charges"}, []string{"/v1/charges/", "/v1/charges/x", "/v1/Charges", "/v1/%63harges", "/v1//charges", "v1/charges", ""}},
		{"/v1/customers/{id}/sources", true, []string{"/v1/customers/cus_1/sources", "/v1/customers/a.b~c-d/sources"},
			[]string{"/v1/customers//sources", "/v1/customers/../sources", "/v1/customers/./sources", "/v1/customers/a%2Fb/sources", "/v1/customers/a:b/sources", "/v1/customers/x/y/sources"}},
		{"/v1/charges/", true, []string{"/v1/charges/"}, []string{"/v1/charges"}},
		{"/", true, []string{"/"}, []string{"/x", ""}},
		{"/v1/{a}/{b}", true, []string{"/v1/x/y"}, []string{"/v1/x"}},
		{"/v1/pay:confirm", true, []string{"/v1/pay:confirm"}, nil},
		{"v1/charges", false, nil, nil},
		{"", false, nil, nil},
		{"/v1//charges", false, nil, nil},
		{"/v1/../charges", false, nil, nil},
		{"/v1/./charges", false, nil, nil},
		{"/v1/%63harges", false, nil, nil},
		{"/v1/{ID}", false, nil, nil},
		{"/v1/{a}/{a}", false, nil, nil},
		{"/v1/{a", false, nil, nil},
		{"/v1/x{a}", false, nil, nil},
		{"/v1/charges?x=1", false, nil, nil},
		{"/v1/ch arges", false, nil, nil},
		{"/v1/charges//", false, nil, nil},
		{"/" + strings.Repeat("a", maxPathPattern), false, nil, nil},
	} {
		p, err := parsePathPattern(tc.pattern)
		if (err == nil) != tc.ok {
			t.Errorf("parsePathPattern(%q) error = %v, want ok %t", tc.pattern, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		if p.String() != tc.pattern {
			t.Errorf("parsePathPattern(%q).String() = %q", tc.pattern, p.String())
		}
		for _, path := range tc.match {
			if !p.Match(path) {
				t.Errorf("%q.Match(%q) = false, want true", tc.pattern, path)
			}
		}
		for _, path := range tc.nomatch {
			if p.Match(path) {
				t.Errorf("%q.Match(%q) = true, want false", tc.pattern, path)
			}
		}
	}
}

// FuzzPathPattern: a pattern that parses spells itself back, matches the
// path made of its literals with "x" for each parameter, and matches no
// path with percent-encoding, an empty, "." or ".." segment.
func FuzzPathPattern(f *testing.F) {
	for _, s := range []string{"/v1/charges", "/v1/customers/{id}/sources", "/", "/v1/charges/", "/a/{b}/{c_1}", "/v1/pay:confirm"} {
		f.Add(s, s)
	}
	f.Add("/v1/{id}", "/v1/..")
	f.Add("/v1/{id}", "/v1/%2e%2e")
	f.Fuzz(func(t *testing.T, pattern, path string) {
		p, err := parsePathPattern(pattern)
		if err != nil {
			return
		}
		if p.String() != pattern {
			t.Fatalf("parsePathPattern(%q).String() = %q", pattern, p.String())
		}
		var concrete strings.Builder
		for _, s := range p.segs {
			concrete.WriteByte('/')
			if s.param != "" {
				concrete.WriteString("x")
			} else {
				concrete.WriteString(s.lit)
			}
		}
		if !p.Match(concrete.String()) {
			t.Fatalf("%q does not match %q", pattern, concrete.String())
		}
		if p.Match(path) {
			segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
			for i, s := range segs {
				last := i == len(segs)-1
				if strings.Contains(s, "%") || s == "." || s == ".." || s == "" && !(last && (pattern == "/" || strings.HasSuffix(pattern, "/"))) {
					t.Fatalf("%q matches %q, which has segment %q", pattern, path, s)
				}
			}
		}
	})
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestDecodeRelayAnswer: an answer is redacted as text: gzip is decoded
// (labelled or not), a gzip label on plain text (the Worker's fetch has
// decoded it) is taken as plain, and other codings are refused.
func TestDecodeRelayAnswer(t *testing.T) {
	plain := []byte(`{"id":"ch_1"}`)
	big := gz(bytes.Repeat([]byte("a"), maxUpstreamBody+1))
	for _, tc := range []struct {
		name, coding string
		body         []byte
		want         []byte // nil: upstream_error
	}{
		{"identity", "", plain, plain},
		{"identity named", "identity", plain, plain},
		{"gzip", "gzip", gz(plain), plain},
		{"x-gzip", "X-Gzip", gz(plain), plain},
		{"gzip unlabelled", "", gz(plain), plain},
		{"gzip label, already decoded", "gzip", plain, plain},
		{"gzip twice", "gzip", gz(gz(plain)), nil},
		{"gzip truncated", "gzip", gz(plain)[:12], nil},
		{"gzip bomb over 1 MiB", "gzip", big, nil},
		{"brotli", "br", []byte{1, 2, 3}, nil},
		{"deflate", "deflate", plain, nil},
		{"a list of codings", "gzip, br", gz(plain), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRelayAnswer(tc.coding, tc.body)
			if tc.want == nil {
				if errcode.Of(err) != errcode.UpstreamError {
					t.Errorf("decodeRelayAnswer error = %v, want upstream_error", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Errorf("decodeRelayAnswer = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestFilterAnswer: a route's response allowlist keeps the listed members
// in the answer's shape and nothing else.
func TestFilterAnswer(t *testing.T) {
	body := `{"id":"ch_1","status":"ok","card":{"last4":"4242","number":"x"},"list":[{"id":"a","secret":1},{"id":"b"}],"n":1.50}`
	for _, tc := range []struct {
		name  string
		body  string
		allow []string
		want  string
	}{
		{"members", body, []string{"/id", "/status"}, `{"id":"ch_1","status":"ok"}`},
		{"nested", body, []string{"/card/last4"}, `{"card":{"last4":"4242"}}`},
		{"subtree", body, []string{"/card"}, `{"card":{"last4":"4242","number":"x"}}`},
		{"array element", body, []string{"/list/1/id"}, `{"list":[null,{"id":"b"}]}`},
		{"number spelling kept", body, []string{"/n"}, `{"n":1.50}`},
		{"missing", body, []string{"/nope", "/list/9", "/list/01", "/id/x"}, `{}`},
		{"not JSON", `<html>4242</html>`, []string{"/id"}, ``},
		{"two values", `{"id":1} {"id":2}`, []string{"/id"}, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps []jsontext.Pointer
			for _, p := range tc.allow {
				ps = append(ps, jsontext.Pointer(p))
			}
			if got := string(filterAnswer([]byte(tc.body), ps)); got != tc.want {
				t.Errorf("filterAnswer = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRelayHostsRefused: a configuration with the old host allowlist is
// refused with a message that says what to write instead.
func TestRelayHostsRefused(t *testing.T) {
	_, sk := NewAPIKeys()
	_, err := ParseConfig([]byte(`{"merchants":[{"id":"m","secret_keys":["` + HashAPIKey(sk) + `"],"relay_hosts":["api.psp.example"]}]}`))
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "relay_routes") {
		t.Errorf("ParseConfig with relay_hosts = %v, want ErrConfig naming relay_routes", err)
	}
}
