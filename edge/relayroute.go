package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/token"
)

// RelayRoute is one endpoint of a payment provider that POST /v1/relay may
// send card data to, as the operator allows it for one merchant: the
// method, host and path of the request, the body's format, and for each
// placeholder the place in the body it may stand and the fields that may
// go there. See docs/edge-api.md, "Relay routes".
type RelayRoute struct {
	// Method is POST, PUT or PATCH.
	Method string `json:"method"`
	// Host is the provider's host ("api.psp.example" or "host:port"),
	// matched exactly and in lower case.
	Host string `json:"host"`
	// Path is a path pattern: literal segments and {name} segments, each
	// matching one segment of letters, digits and "-._~"
	// ("/v1/customers/{id}/sources"). See docs/edge-api.md for the syntax.
	Path string `json:"path"`
	// Format is the body's format, "json" or "form"
	// (application/x-www-form-urlencoded); the edge sends that
	// Content-Type.
	Format string `json:"format"`
	// Placeholders maps a place in the body to the fields that may be
	// filled in there: a JSON Pointer (RFC 6901, "/card/number") for a
	// JSON body, a field name ("card[number]") for a form body. A
	// placeholder anywhere else is refused with relay_route_forbidden.
	Placeholders map[string][]token.Field `json:"placeholders"`
	// Response, if set, keeps only parts of the provider's answer.
	Response *RelayResponse `json:"response,omitempty"`

	pattern  pathPattern
	format   token.Format
	allowed  map[string]map[token.Field]bool
	response []jsontext.Pointer
}

// RelayResponse limits what of a provider's answer goes back to the
// merchant.
type RelayResponse struct {
	// Allow lists the JSON Pointers of the members of the provider's JSON
	// answer that are passed back ("/id", "/status", "/outcome/reason");
	// everything else is removed, and an answer that is not JSON passes
	// back as an empty body. Card numbers and CVCs in what remains are
	// still masked.
	Allow []string `json:"allow"`
}

// relayMethods are the methods a relay route may name.
var relayMethods = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true}

// compile checks r and fills in its parsed forms.
func (r *RelayRoute) compile() error {
	if !relayMethods[r.Method] {
		return fmt.Errorf("method %q must be POST, PUT or PATCH", r.Method)
	}
	if !validRelayHost(r.Host) {
		return fmt.Errorf("host %q must be a lower-case host or host:port", r.Host)
	}
	p, err := parsePathPattern(r.Path)
	if err != nil {
		return err
	}
	r.pattern = p
	switch r.Format {
	case string(token.FormatJSON), string(token.FormatForm):
		r.format = token.Format(r.Format)
	default:
		return fmt.Errorf("format %q must be %q or %q", r.Format, token.FormatJSON, token.FormatForm)
	}
	r.allowed = map[string]map[token.Field]bool{}
	for at, fields := range r.Placeholders {
		if r.format == token.FormatJSON && (at == "" || !jsontext.Pointer(at).IsValid()) {
			return fmt.Errorf("placeholder place %q is not a JSON Pointer such as \"/card/number\"", at)
		}
		if r.format == token.FormatForm && at == "" {
			return fmt.Errorf("placeholder place must be a form field name such as \"card[number]\"")
		}
		if len(fields) == 0 {
			return fmt.Errorf("placeholder place %q names no fields", at)
		}
		set := map[token.Field]bool{}
		for _, f := range fields {
			if !token.ValidField(f) {
				return fmt.Errorf("placeholder place %q: unknown field %q", at, f)
			}
			set[f] = true
		}
		r.allowed[at] = set
	}
	if r.Response != nil {
		if len(r.Response.Allow) == 0 {
			return fmt.Errorf("response.allow is empty (leave response out to pass the whole answer back)")
		}
		r.response = nil
		for _, p := range r.Response.Allow {
			if p == "" || !jsontext.Pointer(p).IsValid() {
				return fmt.Errorf("response.allow member %q is not a JSON Pointer such as \"/id\"", p)
			}
			r.response = append(r.response, jsontext.Pointer(p))
		}
	}
	return nil
}

// validRelayHost reports whether h is a lower-case host or host:port with
// nothing else in it.
func validRelayHost(h string) bool {
	return h != "" && !strings.ContainsAny(h, "/@?#{} \t") && strings.ToLower(h) == h
}

// allows reports whether field may be filled in at the place at.
func (r *RelayRoute) allows(at string, f token.Field) bool {
	return r.allowed[at][f]
}

// matchRelayRoute returns the merchant's route for a request, or nil.
func (m *Merchant) matchRelayRoute(method, host, path string) *RelayRoute {
	for _, r := range m.RelayRoutes {
		if r.Method == method && r.Host == host && r.pattern.Match(path) {
			return r
		}
	}
	return nil
}

// pathPattern is a parsed relay route path: "/" followed by segments
// separated by "/", each literal text or a {name} that matches one
// segment.
type pathPattern struct {
	segs []pathSeg
}

type pathSeg struct {
	lit   string
	param string // non-empty for {param}
}

// maxPathPattern bounds a route's path pattern.
const maxPathPattern = 512

// parsePathPattern parses a relay route's path pattern. A pattern is "/"
// alone, or "/"-separated segments that are not empty, "." or "..":
// literal segments of letters, digits and "-._~!$&'()*+,;=:@" (no
// percent-encoding, so that a path matches in one spelling only), or
// {name} (name a lower-case letter or '_' then letters, digits, '_'),
// which matches one segment of letters, digits and "-._~" other than "."
// and "..". A trailing "/" is a segment boundary like any other: it must
// be in the pattern to be matched.
func parsePathPattern(s string) (pathPattern, error) {
	bad := func(why string) (pathPattern, error) {
		return pathPattern{}, fmt.Errorf("path pattern: %s", why)
	}
	if len(s) > maxPathPattern {
		return bad(fmt.Sprintf("longer than %d bytes", maxPathPattern))
	}
	if !strings.HasPrefix(s, "/") {
		return bad(`must start with "/"`)
	}
	if s == "/" {
		return pathPattern{segs: []pathSeg{{lit: ""}}}, nil
	}
	var p pathPattern
	names := map[string]bool{}
	segs := strings.Split(s[1:], "/")
	for i, seg := range segs {
		switch {
		case seg == "" && i == len(segs)-1 && i > 0 && segs[i-1] != "":
			p.segs = append(p.segs, pathSeg{lit: ""}) // the trailing "/"
		case seg == "", seg == ".", seg == "..":
			return bad(`has an empty, "." or ".." segment`)
		case strings.HasPrefix(seg, "{"):
			name, ok := strings.CutPrefix(seg, "{")
			name, ok2 := strings.CutSuffix(name, "}")
			if !ok || !ok2 || !validParamName(name) {
				return bad(`a parameter segment is "{name}", name of [a-z_][a-z0-9_]*`)
			}
			if names[name] {
				return bad("names a parameter twice")
			}
			names[name] = true
			p.segs = append(p.segs, pathSeg{param: name})
		default:
			for i := 0; i < len(seg); i++ {
				if !isLiteralPathByte(seg[i]) {
					return bad("a literal segment holds a character other than letters, digits and -._~!$&'()*+,;=:@")
				}
			}
			p.segs = append(p.segs, pathSeg{lit: seg})
		}
	}
	return p, nil
}

func validParamName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isLiteralPathByte(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("!$&'()*+,;=:@", c) >= 0
}

// String returns the pattern as [parsePathPattern] reads it.
func (p pathPattern) String() string {
	var b strings.Builder
	for _, s := range p.segs {
		b.WriteByte('/')
		if s.param != "" {
			b.WriteString("{" + s.param + "}")
		} else {
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// Match reports whether an escaped request path (url.URL.EscapedPath,
// without the query) matches p: segment by segment, literals exactly,
// parameters against one segment of letters, digits and "-._~" other
// than "." and "..". A path with percent-encoding matches no pattern.
func (p pathPattern) Match(path string) bool {
	if len(p.segs) == 0 || !strings.HasPrefix(path, "/") {
		return false
	}
	segs := strings.Split(path[1:], "/")
	if len(segs) != len(p.segs) {
		return false
	}
	for i, s := range p.segs {
		if s.param == "" {
			if segs[i] != s.lit {
				return false
			}
			continue
		}
		v := segs[i]
		if v == "" || v == "." || v == ".." {
			return false
		}
		for j := 0; j < len(v); j++ {
			if !isUnreserved(v[j]) {
				return false
			}
		}
	}
	return true
}

// filterAnswer keeps only the members at allow of a JSON answer, in a
// document of the same shape (an array keeps the positions of the
// elements it keeps, with null before them). An answer that is not one
// JSON value gives nothing.
func filterAnswer(body []byte, allow []jsontext.Pointer) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return nil
	}
	var out any
	for _, p := range allow {
		if !hasPointer(doc, p) {
			continue
		}
		var toks []string
		for tok := range p.Tokens() {
			toks = append(toks, tok)
		}
		out = keepAt(doc, out, toks)
	}
	if out == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

// arrayIndex returns the index tok names in an array of n elements.
func arrayIndex(tok string, n int) (int, bool) {
	i, err := strconv.Atoi(tok)
	return i, err == nil && i >= 0 && i < n && strconv.Itoa(i) == tok
}

// hasPointer reports whether p points to a value in doc.
func hasPointer(doc any, p jsontext.Pointer) bool {
	v := doc
	for tok := range p.Tokens() {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[tok]
			if !ok {
				return false
			}
			v = x
		case []any:
			i, ok := arrayIndex(tok, len(c))
			if !ok {
				return false
			}
			v = c[i]
		default:
			return false
		}
	}
	return true
}

// keepAt copies the value at toks (which exists) from doc into out,
// creating out's containers in doc's shape, and returns out.
func keepAt(doc, out any, toks []string) any {
	if len(toks) == 0 {
		return doc
	}
	switch d := doc.(type) {
	case map[string]any:
		o, _ := out.(map[string]any)
		if o == nil {
			o = map[string]any{}
		}
		o[toks[0]] = keepAt(d[toks[0]], o[toks[0]], toks[1:])
		return o
	case []any:
		i, _ := arrayIndex(toks[0], len(d))
		o, _ := out.([]any)
		for len(o) <= i {
			o = append(o, nil)
		}
		o[i] = keepAt(d[i], o[i], toks[1:])
		return o
	}
	return out
}
