package errcode_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// TestCodeListsAgree checks that the three lists of codes a user can meet
// name the same codes: the constants of this package, the table of
// docs/error-codes.md and the ErrorCode type of the JS package
// (js/src/types.ts). A code added to one of them and not the others fails
// here.
func TestCodeListsAgree(t *testing.T) {
	goCodes := constants(t, "errcode.go")
	lists := []struct {
		name string
		file string
		re   *regexp.Regexp
	}{
		{"docs/error-codes.md", "../../docs/error-codes.md", regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")},
		{"js/src/types.ts ErrorCode", "../../js/src/types.ts", regexp.MustCompile(`(?m)^  \| "([a-z_]+)";?$`)},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			text, err := os.ReadFile(l.file)
			if err != nil {
				t.Fatal(err)
			}
			src := string(text)
			if l.name == "js/src/types.ts ErrorCode" {
				src = typeBody(t, src, "export type ErrorCode =")
			}
			var got []string
			for _, m := range l.re.FindAllStringSubmatch(src, -1) {
				got = append(got, m[1])
			}
			if len(got) == 0 {
				t.Fatal("found no codes")
			}
			for _, c := range goCodes {
				if !slices.Contains(got, c) {
					t.Errorf("%s lacks %s", l.name, c)
				}
			}
			for _, c := range got {
				if !slices.Contains(goCodes, c) {
					t.Errorf("%s has %s, which errcode does not define", l.name, c)
				}
			}
			if len(got) != len(goCodes) {
				t.Errorf("%s lists %d codes, errcode defines %d", l.name, len(got), len(goCodes))
			}
		})
	}
}

// constants returns the values of the Code constants declared in file.
func constants(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
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
			for _, e := range v.Values {
				lit, ok := e.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("a Code constant is not a string literal")
				}
				c, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, c)
			}
		}
	}
	if len(codes) < 30 {
		t.Fatalf("found %d Code constants in %s, want the whole list", len(codes), file)
	}
	return codes
}

// typeBody returns the text of a TypeScript type declaration from its
// opening line to the ";" that ends it.
func typeBody(t *testing.T, src, start string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(start) + `[^;]*;`).FindString(src)
	if m == "" {
		t.Fatalf("%q not found", start)
	}
	return m
}
