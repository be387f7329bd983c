package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// testDepth is the depth the documents in testdata/documents.json are
// parsed with.
const testDepth = 4

type docCase struct {
	Case   string `json:"case"`
	Doc    string `json:"doc"`
	Expect string `json:"expect"`
}

func loadDocuments(t testing.TB) []docCase {
	t.Helper()
	b, err := os.ReadFile("testdata/documents.json")
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
		t.Fatal("no cases in testdata/documents.json")
	}
	return f.Cases
}

var expectErr = map[string]error{"ok": nil, "syntax": ErrSyntax, "duplicate": ErrDuplicate, "too_deep": ErrTooDeep}

func TestParseDocuments(t *testing.T) {
	for _, tc := range loadDocuments(t) {
		t.Run(tc.Case, func(t *testing.T) {
			want, ok := expectErr[tc.Expect]
			if !ok {
				t.Fatalf("unknown expect %q", tc.Expect)
			}
			v, err := Parse([]byte(tc.Doc), testDepth)
			if !errors.Is(err, want) || (want == nil) != (err == nil) {
				t.Fatalf("Parse = %v, want %v", err, want)
			}
			if err != nil {
				return
			}
			compareWithEncodingJSON(t, []byte(tc.Doc), v)
		})
	}
}

// compareWithEncodingJSON checks that v is what encoding/json decodes from
// doc, which encoding/json must accept.
func compareWithEncodingJSON(t *testing.T, doc []byte, v Value) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var want any
	if err := d.Decode(&want); err != nil {
		t.Fatalf("encoding/json refuses a document Parse accepts: %v", err)
	}
	if got := toAny(v); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse decoded %#v, encoding/json %#v", got, want)
	}
	if got, want := string(v.Raw()), strings.Trim(string(doc), " \t\r\n"); got != want {
		t.Errorf("Raw() = %q, want the document without white space %q", got, want)
	}
}

// toAny converts v to what encoding/json decodes into an any with
// UseNumber.
func toAny(v Value) any {
	switch v.Kind() {
	case Null:
		return nil
	case Bool:
		return v.Text() == "true"
	case Number:
		return json.Number(v.Text())
	case String:
		return v.Text()
	case Object:
		m := map[string]any{}
		for _, mem := range v.Members() {
			m[mem.Name] = toAny(mem.Value)
		}
		return m
	case Array:
		a := []any{}
		for _, e := range v.Elems() {
			a = append(a, toAny(e))
		}
		return a
	}
	panic("zero Value")
}

func TestParseInvalidUTF8(t *testing.T) {
	for _, doc := range []string{
		"\"\xff\"",             // a byte that never starts UTF-8
		"{\"a\xc3\":1}",        // a truncated sequence in a name
		"\"\xed\xa0\x80\"",     // an encoded surrogate
		"\"\xc0\xaf\"",         // an overlong encoding of '/'
		"[\"ok\"]\xf4\x90",     // after the value
		"\"\xf4\x90\x80\x80\"", // above U+10FFFF
	} {
		if _, err := Parse([]byte(doc), testDepth); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", doc, err)
		}
	}
}

func TestParseDepth(t *testing.T) {
	for _, tc := range []struct {
		doc   string
		depth int
		want  error
	}{
		{`1`, 0, nil},
		{`[]`, 0, ErrTooDeep},
		{`{}`, 1, nil},
		{`[[]]`, 1, ErrTooDeep},
		{strings.Repeat(`{"a":`, 16) + "1" + strings.Repeat("}", 16), 16, nil},
		{strings.Repeat(`{"a":`, 17) + "1" + strings.Repeat("}", 17), 16, ErrTooDeep},
		{strings.Repeat(`[`, 100000), 16, ErrTooDeep}, // no stack growth before refusing
		{`[[1],[2],[[3]]]`, 3, nil},
	} {
		if _, err := Parse([]byte(tc.doc), tc.depth); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("Parse(%.40q, %d) = %v, want %v", tc.doc, tc.depth, err, tc.want)
		}
	}
}

func TestValueAccessors(t *testing.T) {
	v, err := Parse([]byte(` {"s":"a\nb", "n":-1.5e3, "t":true, "f":false, "z":null, "o":{"k":[1, "x"]}} `), testDepth)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		kind      Kind
		text, raw string
	}{
		{"s", String, "a\nb", `"a\nb"`},
		{"n", Number, "-1.5e3", "-1.5e3"},
		{"t", Bool, "true", "true"},
		{"f", Bool, "false", "false"},
		{"z", Null, "", "null"},
		{"o", Object, "", `{"k":[1, "x"]}`},
	} {
		m, ok := v.Get(tc.name)
		if !ok {
			t.Errorf("Get(%q) found nothing", tc.name)
			continue
		}
		if m.Kind() != tc.kind || m.Text() != tc.text || string(m.Raw()) != tc.raw {
			t.Errorf("Get(%q) = kind %d, text %q, raw %q; want %d, %q, %q", tc.name, m.Kind(), m.Text(), m.Raw(), tc.kind, tc.text, tc.raw)
		}
	}
	if _, ok := v.Get("S"); ok {
		t.Error(`Get("S") found "s": names are case-sensitive`)
	}
	o, _ := v.Get("o")
	k, _ := o.Get("k")
	if got := len(k.Elems()); got != 2 || k.Kind() != Array || string(k.Elems()[1].Raw()) != `"x"` {
		t.Errorf("o.k = %d elems, kind %d; want 2, Array", got, k.Kind())
	}
	if names := len(v.Members()); names != 6 || v.Members()[0].Name != "s" || v.Members()[5].Name != "o" {
		t.Errorf("Members() = %d in the wrong order, want 6 in document order", names)
	}
	if (Value{}).Kind() != 0 || v.Elems() != nil || k.Members() != nil {
		t.Error("zero Value or the wrong container's accessor is not empty")
	}
}

// TestAppendStringEveryRune compares AppendString with json.Marshal for
// every rune, every single byte and every pair of bytes.
func TestAppendStringEveryRune(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
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
}

func TestAppendStringAppends(t *testing.T) {
	if got := string(AppendString([]byte(`{"a":`), "b")); got != `{"a":"b"` {
		t.Errorf("AppendString kept %q, want the prefix", got)
	}
}

// FuzzParse checks Parse and ParseWithDuplicates against encoding/json on
// any input: ParseWithDuplicates accepts exactly what encoding/json accepts
// (in valid UTF-8, nested at most 64 deep) and decodes it to the same
// value; Parse accepts the same less the documents with a repeated member
// name; and what they return writes back to a document that parses to the
// same value again.
func FuzzParse(f *testing.F) {
	for _, tc := range loadDocuments(f) {
		f.Add([]byte(tc.Doc))
	}
	f.Add([]byte("\"\xff\""))
	f.Fuzz(func(t *testing.T, doc []byte) {
		all, err := ParseWithDuplicates(doc, 64)
		if errors.Is(err, ErrTooDeep) {
			return
		}
		if errors.Is(err, ErrDuplicate) {
			t.Fatal("ParseWithDuplicates returned ErrDuplicate")
		}
		valid := utf8.Valid(doc) && json.Valid(doc)
		if (err == nil) != valid {
			t.Fatalf("ParseWithDuplicates = %v, but encoding/json (and utf8.Valid) accept it: %v", err, valid)
		}
		v, strictErr := Parse(doc, 64)
		if err != nil {
			if strictErr == nil {
				t.Fatal("Parse accepts a document ParseWithDuplicates refuses")
			}
			return
		}
		compareWithEncodingJSON(t, doc, all)
		compareInts(t, all)
		switch {
		case hasDuplicates(all) != errors.Is(strictErr, ErrDuplicate):
			t.Fatalf("Parse = %v, repeated names: %v", strictErr, hasDuplicates(all))
		case strictErr == nil && !reflect.DeepEqual(toAny(v), toAny(all)):
			t.Fatal("Parse and ParseWithDuplicates disagree")
		}
		again, err := ParseWithDuplicates(appendValue(nil, all), 64)
		if err != nil {
			t.Fatalf("parsing the re-encoded value: %v", err)
		}
		if !reflect.DeepEqual(toAny(again), toAny(all)) {
			t.Fatal("re-encoded value parses to another value")
		}
	})
}

// hasDuplicates reports whether any object in v repeats a member name.
func hasDuplicates(v Value) bool {
	seen := map[string]bool{}
	for _, m := range v.Members() {
		if seen[m.Name] || hasDuplicates(m.Value) {
			return true
		}
		seen[m.Name] = true
	}
	for _, e := range v.Elems() {
		if hasDuplicates(e) {
			return true
		}
	}
	return false
}

// appendValue writes v back as compact JSON.
func appendValue(b []byte, v Value) []byte {
	switch v.Kind() {
	case String:
		return AppendString(b, v.Text())
	case Object:
		b = append(b, '{')
		for i, m := range v.Members() {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, m.Name)
			b = append(b, ':')
			b = appendValue(b, m.Value)
		}
		return append(b, '}')
	case Array:
		b = append(b, '[')
		for i, e := range v.Elems() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	default:
		return append(b, v.Raw()...)
	}
}

// FuzzAppendString checks AppendString against json.Marshal, and that
// Parse reads back what encoding/json reads back.
func FuzzAppendString(f *testing.F) {
	for _, tc := range loadDocuments(f) {
		f.Add(tc.Doc)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := AppendString(nil, s)
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendString = %q, json.Marshal %q", got, want)
		}
		v, err := Parse(got, 0)
		if err != nil {
			t.Fatalf("Parse(AppendString) = %v", err)
		}
		var back string
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		if v.Text() != back {
			t.Fatalf("Parse read back %q, encoding/json %q", v.Text(), back)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(`{"keys":{"keys":[{"kty":"OKP","crv":"X25519","use":"enc","kid":"7ZxRr0Wj6zDMLKFTLe8zgqTcZcnkO3e4Mm5OEK1Wqhs","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}]},"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"merchant_id":"m_demo","origin":"https://shop.example","ttl":600}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse(doc, 16); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendString(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendString(buf[:0], "José Ñúñez <shop> 4242 4242")
	}
}

func TestParseWithDuplicates(t *testing.T) {
	doc := []byte(`{"a":1,"b":{"c":2,"c":3},"a":4}`)
	if _, err := Parse(doc, 2); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("Parse = %v, want ErrDuplicate", err)
	}
	v, err := ParseWithDuplicates(doc, 2)
	if err != nil {
		t.Fatalf("ParseWithDuplicates = %v", err)
	}
	var names []string
	for _, m := range v.Members() {
		names = append(names, m.Name+"="+string(m.Value.Raw()))
	}
	if got, want := strings.Join(names, " "), `a=1 b={"c":2,"c":3} a=4`; got != want {
		t.Errorf("members = %s, want %s", got, want)
	}
	if a, _ := v.Get("a"); a.Text() != "1" {
		t.Errorf(`Get("a") = %s, want the first, 1`, a.Text())
	}
	if _, err := ParseWithDuplicates([]byte(`{"a":1,"a":2`), 2); !errors.Is(err, ErrSyntax) {
		t.Errorf("ParseWithDuplicates of a truncated object = %v, want ErrSyntax", err)
	}
}

// compareInts checks Value.Int against strconv.ParseInt for every number
// in v.
func compareInts(t *testing.T, v Value) {
	t.Helper()
	for _, m := range v.Members() {
		compareInts(t, m.Value)
	}
	for _, e := range v.Elems() {
		compareInts(t, e)
	}
	for _, bits := range []int{8, 32, 64} {
		got, ok := v.Int(bits)
		want, err := strconv.ParseInt(v.Text(), 10, bits)
		if v.Kind() != Number {
			if ok {
				t.Fatalf("Int(%d) of kind %d = %d, true; want false", bits, v.Kind(), got)
			}
			continue
		}
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("%s.Int(%d) = %d, %v; strconv.ParseInt says %d, %v", v.Text(), bits, got, ok, want, err)
		}
	}
}

func TestValueInt(t *testing.T) {
	doc := `[0,-0,1,-1,127,128,-128,-129,2147483647,2147483648,-2147483648,-2147483649,
		9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,
		99999999999999999999999,1.0,1e1,-1E-1,0.5,"1",true,null,{},[]]`
	v, err := Parse([]byte(doc), 2)
	if err != nil {
		t.Fatal(err)
	}
	compareInts(t, v)
	for _, tc := range []struct {
		text string
		bits int
		want int64
		ok   bool
	}{
		{"127", 8, 127, true}, {"128", 8, 0, false}, {"-128", 8, -128, true},
		{"-9223372036854775808", 64, -1 << 63, true}, {"9223372036854775807", 64, 1<<63 - 1, true},
		{"2030", 32, 2030, true}, {"-0", 32, 0, true}, {"1e1", 32, 0, false},
	} {
		v, err := Parse([]byte(tc.text), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := v.Int(tc.bits); got != tc.want || ok != tc.ok {
			t.Errorf("%s.Int(%d) = %d, %v; want %d, %v", tc.text, tc.bits, got, ok, tc.want, tc.ok)
		}
	}
}
