//go:build !js

package edge_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// This file holds the machinery of the OpenAPI contract test
// (openapi_native_test.go): the document, the validator, and the checks
// that compare the document with the server's routes and with what the
// test exercised.

// openAPIPath is the document, relative to this package.
const openAPIPath = "../docs/openapi.yaml"

// spec is a parsed OpenAPI document and its validator.
type spec struct {
	model *v3.Document
	v     validator.Validator
	mu    sync.Mutex // the validator's caches are not documented as safe for concurrent use
}

// loadSpec parses an OpenAPI document and builds its validator (format
// assertions on: date-time, uri). It fails t if the document does not
// validate against the OpenAPI 3.1 schema.
func loadSpec(t testing.TB, src []byte) *spec {
	t.Helper()
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		t.Fatalf("parsing the OpenAPI document: %v", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("building the OpenAPI model: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("building the validator: %v", errs)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("the OpenAPI document is not valid OpenAPI: %s", describe(errs))
	}
	return &spec{model: &m.Model, v: v}
}

// readSpec loads docs/openapi.yaml, optionally rewritten by edit.
func readSpec(t testing.TB, edit func(string) string) *spec {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		b = []byte(edit(string(b)))
	}
	return loadSpec(t, b)
}

// digitRun matches what could be a card number in a validator's message,
// which may quote the value it checked.
var digitRun = regexp.MustCompile(`[0-9][0-9 -]{10,}[0-9]`)

// tokenID matches a token id, which a message must not show either.
var tokenID = regexp.MustCompile(`tok_[0-9A-Za-z]{22}`)

// redact cuts what could be a card number or a token out of s.
func redact(s string) string {
	return tokenID.ReplaceAllString(digitRun.ReplaceAllString(s, "[digits]"), "tok_[…]")
}

// describe formats validation errors for a test failure, with any run of
// digits long enough to be a card number, and any token id, cut out.
func describe[E error](errs []E) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return redact(b.String())
}

// validateRequest validates r (whose body is body) against the document.
func (s *spec) validateRequest(r *http.Request, body []byte) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	ok, errs := s.v.ValidateHttpRequestSync(r)
	return ok, describe(errs)
}

// validateResponse validates the answer resp (with body) to r.
func (s *spec) validateResponse(r *http.Request, reqBody []byte, resp *http.Response, body []byte) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ok, errs := s.v.ValidateHttpResponse(r, resp)
	return ok, describe(errs)
}

// validateError validates b against the document's Error schema.
func (s *spec) validateError(b []byte) string {
	sc := s.model.Components.Schemas.GetOrZero("Error")
	if sc == nil {
		return "\n\tthe document has no Error schema"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(sc.Schema(), b); !ok {
		return describe(errs)
	}
	return ""
}

// operation names one operation of the document: "GET /v1/keys".
type operation struct{ method, path string }

func (o operation) String() string { return o.method + " " + o.path }

// operations lists every operation of the document.
func (s *spec) operations() []operation {
	var out []operation
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			out = append(out, operation{strings.ToUpper(method), path})
		}
	}
	return out
}

// statuses returns the response keys ("200", "default") an operation lists.
func (s *spec) statuses(op operation) []string {
	item := s.model.Paths.PathItems.GetOrZero(op.path)
	if item == nil {
		return nil
	}
	o := item.GetOperations().GetOrZero(strings.ToLower(op.method))
	if o == nil || o.Responses == nil {
		return nil
	}
	var out []string
	for code := range o.Responses.Codes.KeysFromOldest() {
		out = append(out, code)
	}
	if o.Responses.Default != nil {
		out = append(out, "default")
	}
	return out
}

// match returns the document's path template that path (a request path)
// falls under: a literal path before a templated one, as OpenAPI says.
func (s *spec) match(path string) (string, bool) {
	var templated []string
	for tpl := range s.model.Paths.PathItems.KeysFromOldest() {
		if tpl == path {
			return tpl, true
		}
		if strings.Contains(tpl, "{") {
			templated = append(templated, tpl)
		}
	}
	for _, tpl := range templated {
		if templateMatches(tpl, path) {
			return tpl, true
		}
	}
	return "", false
}

// templateMatches reports whether path has tpl's segments, a {name}
// segment standing for any one non-empty segment.
func templateMatches(tpl, path string) bool {
	ts, ps := strings.Split(tpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") {
			if ps[i] == "" {
				return false
			}
		} else if ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// fallbackRoute is the ServeMux pattern that answers every request no
// other pattern takes (404 not_found); the document says so in its
// description, and the contract test checks that answer's body against
// the Error schema.
const fallbackRoute = "/"

// undocumentedRoutes compares the server's ServeMux patterns
// (edge.Handler.Routes) with the document and returns those it lacks. A
// GET pattern is documented by the document's GET operation (the HEAD it
// also answers need not be listed); a pattern with no method other than
// the fallback is reported, since the document cannot say which methods
// it answers.
func undocumentedRoutes(s *spec, routes []string) []string {
	documented := map[operation]bool{}
	for _, op := range s.operations() {
		documented[op] = true
	}
	var missing []string
	for _, r := range routes {
		if r == fallbackRoute {
			continue
		}
		method, path, ok := strings.Cut(r, " ")
		if !ok {
			missing = append(missing, r+" (a pattern without a method)")
			continue
		}
		// ServeMux's {name...} is one OpenAPI template segment at most.
		path = strings.ReplaceAll(path, "...}", "}")
		path = strings.TrimSuffix(path, "{$}")
		if !documented[operation{method, path}] {
			missing = append(missing, r)
		}
	}
	return missing
}

// unexercised returns the operations, and the statuses of each, that the
// document lists and the test never produced (seen). exempt names
// statuses no test from outside can cause, "*" for every operation.
func unexercised(s *spec, seen map[operation]map[string]bool, exempt map[string]map[string]string) []string {
	var out []string
	for _, op := range s.operations() {
		got := seen[op]
		if len(got) == 0 {
			out = append(out, op.String()+" (never exercised)")
			continue
		}
		for _, st := range s.statuses(op) {
			if got[st] {
				continue
			}
			if _, ok := exempt["*"][st]; ok {
				continue
			}
			if _, ok := exempt[op.String()][st]; ok {
				continue
			}
			out = append(out, op.String()+" "+st)
		}
	}
	slices.Sort(out)
	return out
}

// recorded is one exchange with the server, kept to replay against a
// changed document.
type recorded struct {
	op       operation
	req      *http.Request
	reqBody  []byte
	resp     *http.Response
	respBody []byte
}

// revalidate checks a recorded exchange against another document.
func (x recorded) revalidate(s *spec) (reqOK, respOK bool) {
	reqOK, _ = s.validateRequest(x.req, x.reqBody)
	respOK, _ = s.validateResponse(x.req, x.reqBody, x.resp, x.respBody)
	return reqOK, respOK
}

// statusKey is the response key an answer's status falls under in op:
// its own code if listed, else "default".
func statusKey(s *spec, op operation, status int) string {
	code := fmt.Sprint(status)
	if slices.Contains(s.statuses(op), code) {
		return code
	}
	return "default"
}
