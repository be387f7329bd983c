package edge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// openAPIErrorResponses maps the shared error responses of
// docs/openapi.yaml to the status each one is.
var openAPIErrorResponses = map[string]int{
	"BadRequest":          http.StatusBadRequest,
	"Unauthorized":        http.StatusUnauthorized,
	"Forbidden":           http.StatusForbidden,
	"NotFound":            http.StatusNotFound,
	"NotAcceptable":       http.StatusNotAcceptable,
	"Conflict":            http.StatusConflict,
	"PayloadTooLarge":     http.StatusRequestEntityTooLarge,
	"UnprocessableEntity": http.StatusUnprocessableEntity,
	"TooManyRequests":     http.StatusTooManyRequests,
	"InternalError":       http.StatusInternalServerError,
	"BadGateway":          http.StatusBadGateway,
}

// TestOpenAPIErrorCodes checks the error codes of docs/openapi.yaml
// against the code: the ErrorCode enum lists every sdk/errcode constant,
// and each shared error response lists exactly the codes statusOf
// answers with its status (for 500, only internal: the codes statusOf
// does not map are QR verdict reasons and the command line's, never an
// HTTP error). The live contract test (openapi_native_test.go) checks
// the answers themselves.
func TestOpenAPIErrorCodes(t *testing.T) {
	src, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	comp := m.Model.Components
	all := codeConstants(t)

	ec := comp.Schemas.GetOrZero("ErrorCode")
	if ec == nil {
		t.Fatal("docs/openapi.yaml has no ErrorCode schema")
	}
	if got := enumOf(ec.Schema()); !slices.Equal(sorted(got), sorted(all)) {
		t.Errorf("ErrorCode enum = %q,\nwant every errcode constant %q", sorted(got), sorted(all))
	}

	want := map[int][]string{}
	for _, c := range all {
		if s := statusOf(errcode.Code(c)); s != http.StatusInternalServerError || c == string(errcode.Internal) {
			want[s] = append(want[s], c)
		}
	}
	seen := map[int]bool{}
	for name, status := range openAPIErrorResponses {
		r := comp.Responses.GetOrZero(name)
		if r == nil {
			t.Errorf("docs/openapi.yaml has no response %s", name)
			continue
		}
		seen[status] = true
		mt := r.Content.GetOrZero("application/json")
		if mt == nil || mt.Schema == nil {
			t.Errorf("response %s has no application/json schema", name)
			continue
		}
		got := narrowedCodes(mt.Schema.Schema())
		if !slices.Equal(sorted(got), sorted(want[status])) {
			t.Errorf("response %s (%d) lists codes %q, want %q (statusOf)", name, status, sorted(got), sorted(want[status]))
		}
	}
	for status, codes := range want {
		if !seen[status] {
			t.Errorf("no shared error response for status %d (codes %q)", status, codes)
		}
	}
}

// narrowedCodes returns the codes an error response's schema allows: the
// enum of error.code in its allOf branch that narrows Error.
func narrowedCodes(s *base.Schema) []string {
	for _, p := range s.AllOf {
		if p.IsReference() { // Error itself, which allows every code
			continue
		}
		b := p.Schema()
		if b.Properties == nil {
			continue
		}
		e := b.Properties.GetOrZero("error")
		if e == nil || e.Schema().Properties == nil {
			continue
		}
		if c := e.Schema().Properties.GetOrZero("code"); c != nil {
			return enumOf(c.Schema())
		}
	}
	return nil
}

func enumOf(s *base.Schema) []string {
	var out []string
	for _, n := range s.Enum {
		out = append(out, n.Value)
	}
	return out
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// codeConstants returns the values of the Code constants of sdk/errcode.
func codeConstants(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../sdk/errcode/errcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, val := range v.Values {
				if lit, ok := val.(*ast.BasicLit); ok {
					c, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, c)
				}
			}
		}
	}
	if len(codes) == 0 {
		t.Fatal("found no errcode constants")
	}
	return codes
}
