package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/internal/jsontest"
)

// These tests hold json.go, the package's strict JSON reading and string
// writing on jsontext, to encoding/json: the same values for every document
// both accept, and the same refusals as the encoding/json checker the
// package used before (referenceCheckJSON), but for escaped lone
// surrogates, which jsontext refuses and encoding/json reads as U+FFFD.

type docCase struct {
	Case   string `json:"case"`
	Doc    string `json:"doc"`
	Expect string `json:"expect"`
}

func loadDocuments(t testing.TB) []docCase {
	t.Helper()
	b, err := os.ReadFile("testdata/json-documents.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []docCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/json-documents.json")
	}
	return f.Cases
}

// checkJSONKind names the kind of checkJSON's error as the documents'
// expect does.
func checkJSONKind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errDuplicateMember):
		return "duplicate"
	case errors.Is(err, errTooDeep):
		return "too_deep"
	}
	return "syntax"
}

func TestCheckJSONDocuments(t *testing.T) {
	for _, tc := range loadDocuments(t) {
		t.Run(tc.Case, func(t *testing.T) {
			err := checkJSON([]byte(tc.Doc))
			if got := checkJSONKind(err); got != tc.Expect {
				t.Fatalf("checkJSON = %v (%s), want %s", err, got, tc.Expect)
			}
			if err == nil {
				compareWithEncodingJSON(t, []byte(tc.Doc))
			}
		})
	}
}

// compareWithEncodingJSON checks that jsontext reads doc, which checkJSON
// accepted, as encoding/json does, and that object and array see the
// members and elements encoding/json sees.
func compareWithEncodingJSON(t *testing.T, doc []byte) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var want any
	if err := d.Decode(&want); err != nil {
		t.Fatalf("encoding/json refuses a document checkJSON accepts: %v", err)
	}
	got := toAny(t, doc)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("jsontext read %#v, encoding/json %#v", got, want)
	}
	switch w := want.(type) {
	case map[string]any:
		m, err := object(doc)
		if err != nil || len(m) != len(w) {
			t.Fatalf("object = %d members, %v; want %d", len(m), err, len(w))
		}
		for name, v := range m {
			if !reflect.DeepEqual(toAny(t, v), w[name]) {
				t.Fatalf("object: member %q = %s, encoding/json %#v", name, v, w[name])
			}
		}
	case []any:
		a, err := array(doc)
		if err != nil || len(a) != len(w) {
			t.Fatalf("array = %d elements, %v; want %d", len(a), err, len(w))
		}
		for i, v := range a {
			if !reflect.DeepEqual(toAny(t, v), w[i]) {
				t.Fatalf("array: element %d = %s, encoding/json %#v", i, v, w[i])
			}
		}
	case string:
		if s, ok := jsonString(bytes.TrimSpace(doc)); !ok || s != w {
			t.Fatalf("jsonString = %q, %v; encoding/json %q", s, ok, w)
		}
	}
}

// toAny decodes one JSON value with jsontext's tokens into what
// encoding/json decodes into an any with UseNumber.
func toAny(t *testing.T, doc []byte) any {
	t.Helper()
	d := jsontext.NewDecoder(bytes.NewReader(doc), jsontext.AllowDuplicateNames(true))
	v, err := tokensToAny(d)
	if err != nil {
		t.Fatalf("jsontext: %v", err)
	}
	return v
}

func tokensToAny(d *jsontext.Decoder) (any, error) {
	tok, err := d.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return tok.Bool(), nil
	case '0':
		return json.Number(tok.String()), nil
	case '"':
		return tok.String(), nil
	case '{':
		m := map[string]any{}
		for d.PeekKind() != '}' {
			name, err := d.ReadToken()
			if err != nil {
				return nil, err
			}
			key := name.String()
			if m[key], err = tokensToAny(d); err != nil {
				return nil, err
			}
		}
		_, err := d.ReadToken()
		return m, err
	case '[':
		a := []any{}
		for d.PeekKind() != ']' {
			v, err := tokensToAny(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.ReadToken()
		return a, err
	}
	return nil, errors.New("unexpected token")
}

func TestCheckJSONInvalidUTF8(t *testing.T) {
	for _, doc := range []string{
		"\"\xff\"",             // a byte that never starts UTF-8
		"{\"a\xc3\":1}",        // a truncated sequence in a name
		"\"\xed\xa0\x80\"",     // an encoded surrogate
		"\"\xc0\xaf\"",         // an overlong encoding of '/'
		"[\"ok\"]\xf4\x90",     // after the value
		"\"\xf4\x90\x80\x80\"", // above U+10FFFF
		"{\"a\":1,\"a\xff\":1}",
	} {
		if err := checkJSON([]byte(doc)); checkJSONKind(err) != "syntax" {
			t.Errorf("checkJSON(%q) = %v, want a syntax error", doc, err)
		}
	}
}

func TestCheckJSONDepth(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{`1`, "ok"},
		{`{}`, "ok"},
		{deep(maxJSONDepth), "ok"},
		{deep(maxJSONDepth + 1), "too_deep"},
		{`[[[[]]]]`, "ok"},
		{`[[[[[]]]]]`, "too_deep"},
		{`[[1],[2],[[3]]]`, "ok"},
		{strings.Repeat(`[`, 100000), "too_deep"}, // refused before the end
		{`{"a":1,"a":[[[[[]]]]]}`, "duplicate"},   // the first fault decides
		{`[[[[[]]]]] x`, "too_deep"},
	} {
		if err := checkJSON([]byte(tc.doc)); checkJSONKind(err) != tc.want {
			t.Errorf("checkJSON(%.40q) = %v, want %s", tc.doc, err, tc.want)
		}
	}
}

func TestObjectArrayString(t *testing.T) {
	doc := []byte(` {"s":"a\nb", "n":-1.5e3, "t":true, "z":null, "o":{"k":[1, "x"]}, "\u0065":"e"} `)
	if err := checkJSON(doc); err != nil {
		t.Fatal(err)
	}
	m, err := object(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"s": `"a\nb"`, "n": "-1.5e3", "t": "true", "z": "null", "o": `{"k":[1, "x"]}`, "e": `"e"`}
	if len(m) != len(want) {
		t.Errorf("object = %d members, want %d", len(m), len(want))
	}
	for name, raw := range want {
		if got := string(m[name]); got != raw {
			t.Errorf("member %q = %s, want %s", name, got, raw)
		}
	}
	if s, ok := jsonString(m["s"]); !ok || s != "a\nb" {
		t.Errorf("jsonString(s) = %q, %v", s, ok)
	}
	for _, name := range []string{"n", "t", "z", "o"} {
		if _, ok := jsonString(m[name]); ok {
			t.Errorf("jsonString(%s) accepted a %s", m[name], name)
		}
	}
	k, err := array(mustObject(t, m["o"])["k"])
	if err != nil || len(k) != 2 || string(k[1]) != `"x"` {
		t.Errorf("array(o.k) = %q, %v", k, err)
	}
	if _, err := object(m["n"]); err == nil {
		t.Error("object accepted a number")
	}
	if _, err := array(m["o"]); err == nil {
		t.Error("array accepted an object")
	}
	if a, err := array(jsontext.Value(`[]`)); err != nil || a == nil || len(a) != 0 {
		t.Errorf("array([]) = %v, %v; want an empty array", a, err)
	}
}

func mustObject(t *testing.T, v jsontext.Value) map[string]jsontext.Value {
	t.Helper()
	m, err := object(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// referenceCheckJSON is checkJSON as it was before jsontext, on
// encoding/json's tokenizer: one value, valid UTF-8, depth, duplicates.
func referenceCheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	type frame struct {
		object  bool
		wantKey bool
		names   map[string]struct{}
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	done := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !done {
				return errors.New("no JSON value")
			}
			return nil
		}
		if err != nil {
			return errors.New("malformed JSON")
		}
		if done {
			return errors.New("data after the JSON value")
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			top := stack[n-1]
			if name, ok := tok.(string); ok {
				if _, dup := top.names[name]; dup {
					return errDuplicateMember
				}
				top.names[name] = struct{}{}
				top.wantKey = false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) == maxJSONDepth {
					return errTooDeep
				}
				f := &frame{object: d == '{', wantKey: d == '{'}
				if f.object {
					f.names = make(map[string]struct{})
				}
				stack = append(stack, f)
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		}
		if n := len(stack); n == 0 {
			done = true
		} else if stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
}

// FuzzCheckJSON checks checkJSON against referenceCheckJSON on any input:
// it accepts exactly what the reference accepts, less the documents with
// an escaped lone surrogate; what it accepts reads as encoding/json reads
// it, and written back with jsontext's Encoder it is accepted again and
// reads the same.
func FuzzCheckJSON(f *testing.F) {
	for _, tc := range loadDocuments(f) {
		f.Add([]byte(tc.Doc))
	}
	f.Add([]byte("\"\xff\""))
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := checkJSON(doc)
		refErr := referenceCheckJSON(doc)
		want := refErr == nil && !jsontest.HasLoneSurrogate(doc)
		if (err == nil) != want {
			t.Fatalf("checkJSON = %v, reference %v (escaped lone surrogate: %v)", err, refErr, jsontest.HasLoneSurrogate(doc))
		}
		if err != nil {
			return
		}
		compareWithEncodingJSON(t, doc)
		var out bytes.Buffer
		e := jsontext.NewEncoder(&out)
		d := jsontext.NewDecoder(bytes.NewReader(doc))
		for {
			tok, err := d.ReadToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("jsontext cannot read what checkJSON accepts: %v", err)
			}
			if err := e.WriteToken(tok); err != nil {
				t.Fatalf("jsontext cannot write what it read: %v", err)
			}
		}
		again := bytes.TrimSuffix(out.Bytes(), []byte("\n"))
		if err := checkJSON(again); err != nil {
			t.Fatalf("checkJSON of the document written back = %v", err)
		}
		if !reflect.DeepEqual(toAny(t, again), toAny(t, doc)) {
			t.Fatal("the document written back reads as another value")
		}
	})
}

// shortest rewrites JSON written by encoding/json to what jsontext writes:
// it undoes json.Marshal's escapes of '<', '>', '&', U+2028, U+2029 and
// of U+FFFD (which it writes for invalid UTF-8), the only characters it
// escapes that RFC 8785's shortest form writes as themselves.
func shortest(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+6 <= len(b) && b[i+1] == 'u' {
			if r, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32); err == nil && strings.ContainsRune("<>&\u2028\u2029\ufffd", rune(r)) {
				out = utf8.AppendRune(out, rune(r))
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1]) // any other escape, kept
		i++
	}
	return out
}

func TestShortest(t *testing.T) {
	in := `"\u003c\\u003c\u0026\u2028\u0001\ufffd\"\u00e9"`
	if got, want := string(shortest([]byte(in))), "\"<\\\\u003c&\u2028\\u0001\ufffd\\\"\\u00e9\""; got != want {
		t.Errorf("shortest(%s) = %s, want %s", in, got, want)
	}
}

// TestAppendStringEveryRune compares appendString with json.Marshal (less
// the escapes jsontext leaves out) for every rune, every single byte and
// every pair of bytes, and checks that what it writes reads back as what
// json.Marshal's output reads back as.
func TestAppendStringEveryRune(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, shortest(want)) {
			t.Fatalf("appendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		check(string(r))
		if r < 0x800 {
			check("a" + string(r) + "é")
		}
	}
	for b := 0; b < 256; b++ {
		for c := 0; c < 256; c++ {
			check(string([]byte{byte(b), byte(c)}))
		}
		check(string([]byte{byte(b)}) + "\u2029x\xe2\x80")
	}
	check("")
	check(`<script>alert("x&y")</script>` + "\u2028\t\x00\x1f\x7f")
	if got := string(appendString([]byte(`{"a":`), "b")); got != `{"a":"b"` {
		t.Errorf("appendString kept %q, want the prefix", got)
	}
}

// FuzzAppendString checks appendString against json.Marshal, and that
// checkJSON accepts it and reads back what encoding/json reads back.
func FuzzAppendString(f *testing.F) {
	for _, tc := range loadDocuments(f) {
		f.Add(tc.Doc)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := appendString(nil, s)
		if !bytes.Equal(got, shortest(want)) {
			t.Fatalf("appendString = %q, json.Marshal %q", got, want)
		}
		if err := checkJSON(got); err != nil {
			t.Fatalf("checkJSON(appendString) = %v", err)
		}
		var back string
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		if text, ok := jsonString(got); !ok || text != back {
			t.Fatalf("jsonString read back %q, encoding/json %q", text, back)
		}
	})
}

func BenchmarkCheckJSON(b *testing.B) {
	doc := []byte(`{"keys":[{"kty":"OKP","crv":"X25519","use":"enc","kid":"7ZxRr0Wj6zDMLKFTLe8zgqTcZcnkO3e4Mm5OEK1Wqhs","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}],"merchant":"m_demo"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if err := checkJSON(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendString(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendString(buf[:0], "José Ñúñez <shop> 4242 4242")
	}
}
