package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// seedFile reads a testdata JSON file for fuzz seeds; no seeds is fatal.
func seedFile(f *testing.F, name string, v any) {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		f.Fatal(err)
	}
}

func FuzzTokenID(f *testing.F) {
	var tf struct {
		Tokens map[string]any `json:"tokens"`
		Cases  []struct {
			Template string `json:"template"`
		} `json:"cases"`
	}
	seedFile(f, "relay_templates.json", &tf)
	n := 0
	for tok := range tf.Tokens {
		f.Add(tok)
		n++
	}
	for _, m := range regexp.MustCompile(`tok_[0-9A-Za-z]*`).FindAllString(func() string {
		var s strings.Builder
		for _, c := range tf.Cases {
			s.WriteString(c.Template + " ")
		}
		return s.String()
	}(), -1) {
		f.Add(m)
		n++
	}
	if n == 0 {
		f.Fatal("no seeds")
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Parse, marshal, compare.
		// The input is a token id: messages give lengths and offsets.
		if b, ok := decodeTokenID(s); ok {
			if got := encodeTokenID(b); got != s {
				t.Fatalf("encode(decode(%d bytes)) differs at byte %d", len(s), firstDiffString(got, s))
			}
		}
		// And the other way, from any 16 bytes.
		var b [16]byte
		copy(b[:], s)
		id := encodeTokenID(b)
		if got, ok := decodeTokenID(id); !ok || got != b {
			t.Fatalf("decode(encode(16 bytes)): ok %v, differs at byte %d", ok, firstDiffString(string(got[:]), string(b[:])))
		}
	})
}

// jsonShape is a JSON document's token stream with every string and number
// replaced by its kind: two documents with equal shapes have the same
// structure, whatever the values.
func jsonShape(b []byte) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var shape []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return shape, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case string:
			shape = append(shape, "string")
		case json.Number:
			shape = append(shape, "number")
		default:
			shape = append(shape, reflect.TypeOf(tok).String()+":"+strings.TrimSpace(strings.Trim(jsonString(tok), `"`)))
		}
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

// FuzzFillPlaceholders checks the parser round trip (the placeholders found
// spell the template back exactly) and that no value can change a filled
// request's structure: filled with hostile values it has the same JSON
// shape, or the same form keys, as filled with plain ones.
func FuzzFillPlaceholders(f *testing.F) {
	var tf struct {
		Cases []struct {
			Template string `json:"template"`
		} `json:"cases"`
	}
	seedFile(f, "relay_templates.json", &tf)
	for _, c := range tf.Cases {
		f.Add([]byte(c.Template), `Ana "Quote" \ </script>`)
	}
	if len(tf.Cases) == 0 {
		f.Fatal("no seeds")
	}
	// Wallet fields: the longest field name, and values a wallet gives.
	wt := "tok_" + strings.Repeat("a", tokenDigits)
	f.Add([]byte(`{"c":"{{`+wt+`:cryptogram}}","e":"{{`+wt+`:eci}}"}`), `AgAA+/=="`)
	f.Add([]byte(`c={{`+wt+`:cryptogram}}&e={{`+wt+`:eci}}`), `a+b/c=&d`)
	f.Add([]byte(`{"c":{{`+wt+`:cryptogramx}}}`), `x`)
	f.Fuzz(func(t *testing.T, template []byte, hostile string) {
		phs, err := scanPlaceholders(template, looksJSON(template))
		if err != nil {
			if !errors.Is(err, ErrBadTemplate) {
				t.Fatalf("scan error %v is not ErrBadTemplate", err)
			}
			return
		}
		var spelled []byte
		last := 0
		for _, p := range phs {
			spelled = append(spelled, template[last:p.start]...)
			spelled = append(spelled, "{{"+p.token+":"+string(p.field)+"}}"...)
			last = p.end
		}
		spelled = append(spelled, template[last:]...)
		if !bytes.Equal(spelled, template) {
			// Templates name tokens: lengths and the offset, not the text.
			t.Fatalf("placeholders spell %d bytes, template is %d, first difference at byte %d", len(spelled), len(template), firstDiffString(string(spelled), string(template)))
		}

		value := func(evil bool) func(string, string) (string, error) {
			return func(_, field string) (string, error) {
				switch Field(field) {
				case FieldExpMonth:
					return "12", nil
				case FieldExpYear:
					return "2030", nil
				}
				if evil {
					return hostile, nil
				}
				return "x", nil
			}
		}
		plain, err := FillPlaceholders(template, value(false))
		if err != nil {
			if !errors.Is(err, ErrBadTemplate) {
				t.Fatalf("FillPlaceholders error %v is not ErrBadTemplate", err)
			}
			return
		}
		evil, err := FillPlaceholders(template, value(true))
		if err != nil {
			t.Fatalf("a template that fills with plain values fails with hostile ones: %v", err)
		}
		if looksJSON(template) {
			a, errA := jsonShape(plain)
			b, errB := jsonShape(evil)
			if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
				// The shapes name no value.
				t.Fatalf("hostile value changed the JSON structure (%v, %v):\n%v\n%v", errA, errB, a, b)
			}
			return
		}
		// Form: a value can never add a field or a separator.
		for _, sep := range []string{"&", "=", ";", "\n"} {
			if strings.Count(string(plain), sep) != strings.Count(string(evil), sep) {
				t.Fatalf("hostile value added a %q to the form: %d, want %d", sep, strings.Count(string(evil), sep), strings.Count(string(plain), sep))
			}
		}
		if _, err := url.ParseQuery(string(plain)); err == nil {
			if _, err := url.ParseQuery(string(evil)); err != nil {
				t.Fatalf("hostile value made the form unparseable: %v", err)
			}
		}
	})
}

// FuzzRedact checks that masking only ever turns bytes into '*' (digits,
// or the escapes and multi-byte characters that spell digits), keeps the
// length, removes every revealed number, and masks every stand-alone
// Luhn-valid run of 13 to 19 digits.
func FuzzRedact(f *testing.F) {
	var rf struct {
		Cases []struct {
			Body    string   `json:"body"`
			Numbers []string `json:"numbers"`
		} `json:"cases"`
	}
	seedFile(f, "redact.json", &rf)
	for _, c := range rf.Cases {
		f.Add([]byte(c.Body), strings.Join(c.Numbers, ""))
	}
	if len(rf.Cases) == 0 {
		f.Fatal("no seeds")
	}
	standalone := regexp.MustCompile(`(^|[^0-9 \-\xa0])([0-9]{13,19})($|[^0-9 \-\xa0])`)
	f.Fuzz(func(t *testing.T, body []byte, number string) {
		out := Redact(body, []string{number})
		if len(out) != len(body) {
			t.Fatalf("Redact changed the length from %d to %d", len(body), len(out))
		}
		for i := range out {
			if out[i] != body[i] && out[i] != '*' {
				t.Fatalf("Redact changed byte %d from %q to %q", i, body[i], out[i])
			}
		}
		digits := strings.Map(func(r rune) rune {
			if '0' <= r && r <= '9' {
				return r
			}
			return -1
		}, number)
		if len(digits) >= 12 && bytes.Contains(body, []byte(digits)) && bytes.Contains(out, []byte(digits)) {
			t.Fatalf("revealed number (%d digits) still in the output", len(digits))
		}
		for _, m := range standalone.FindAllSubmatchIndex(body, -1) {
			run := body[m[4]:m[5]]
			// A digit of another script, or an escape that may decode to
			// a digit or eat one, next to the run makes it part of a
			// longer one in Redact's reading.
			before, _ := utf8.DecodeLastRune(body[:m[4]])
			after, _ := utf8.DecodeRune(body[m[5]:])
			near := body[max(0, m[4]-12):min(len(body), m[5]+1)]
			if unicode.IsDigit(before) || unicode.IsDigit(after) || bytes.ContainsAny(near, `%\`) {
				continue
			}
			if luhn(run) && bytes.Equal(out[m[4]:m[5]], run) {
				t.Fatalf("Luhn-valid run of %d digits not masked", len(run))
			}
		}
	})
}

// firstDiffString returns the index of the first byte where a and b
// differ, or the shorter length.
func firstDiffString(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// FuzzPlacements checks [Placements] against filling: for a JSON template
// it accepts, the template fills to JSON in which each placeholder's
// pointer names a value that holds what was filled in for it (a distinct
// stand-in per placeholder); for a form template, the named field's value
// holds it. Errors are ErrBadTemplate or ErrPlacement.
func FuzzPlacements(f *testing.F) {
	var tf struct {
		Cases []struct {
			Template string `json:"template"`
		} `json:"cases"`
	}
	seedFile(f, "relay_templates.json", &tf)
	for _, c := range tf.Cases {
		f.Add([]byte(c.Template))
	}
	if len(tf.Cases) == 0 {
		f.Fatal("no seeds")
	}
	const tok = "tok_4eC39HqLyjWDarjtT1zdp7"
	for _, s := range []string{
		`{"card":{"number":"{{` + tok + `:number}}","cvc":"{{` + tok + `:cvc}}"},"m":{{` + tok + `:exp_month}}}`,
		`{"a":["{{` + tok + `:name}}",{"b~/c":"x{{` + tok + `:number}}y"}]}`,
		`{"{{` + tok + `:number}}":1}`,
		`{"d":"\u007b{0}}","n":"{{` + tok + `:number}}"}`,
		`card[number]={{` + tok + `:number}}&x=1`,
		`card%5Bcvc%5D={{` + tok + `:cvc}};a=b`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, template []byte) {
		ps, err := Placements(template)
		if err != nil {
			if !errors.Is(err, ErrBadTemplate) && !errors.Is(err, ErrPlacement) {
				t.Fatalf("Placements error %v is neither ErrBadTemplate nor ErrPlacement", err)
			}
			return
		}
		n := 0
		filled, err := FillPlaceholders(template, func(_, field string) (string, error) {
			n++
			if Field(field) == FieldExpMonth || Field(field) == FieldExpYear {
				return strconv.Itoa(1000 + n), nil
			}
			return "v" + strconv.Itoa(n) + "v", nil
		})
		if err != nil {
			return // filling has its own rules (numbers only for expiry fields)
		}
		if len(ps) != n {
			t.Fatalf("Placements found %d placeholders, filling %d", len(ps), n)
		}
		want := func(i int, f Field) string {
			if f == FieldExpMonth || f == FieldExpYear {
				return strconv.Itoa(1001 + i)
			}
			return "v" + strconv.Itoa(i+1) + "v"
		}
		if TemplateFormat(template) == FormatForm {
			q, err := url.ParseQuery(string(filled))
			if err != nil {
				return
			}
			for i, p := range ps {
				found := false
				for _, v := range q[p.At] {
					found = found || strings.Contains(v, want(i, p.Field))
				}
				if !found {
					t.Fatalf("placeholder %d: form field named by Placements does not hold its value", i+1)
				}
			}
			return
		}
		var doc any
		if err := json.Unmarshal(filled, &doc); err != nil {
			t.Fatalf("filled template is not JSON: %v", err)
		}
		for i, p := range ps {
			v, ok := pointerValue(doc, p.At)
			if !ok {
				t.Fatalf("placeholder %d: pointer names no value of the filled template", i+1)
			}
			switch v := v.(type) {
			case string:
				if !strings.Contains(v, want(i, p.Field)) {
					t.Fatalf("placeholder %d: the string at its pointer does not hold its value", i+1)
				}
			case float64:
				if strconv.Itoa(int(v)) != want(i, p.Field) {
					t.Fatalf("placeholder %d: the number at its pointer is not its value", i+1)
				}
			default:
				t.Fatalf("placeholder %d: its pointer names a %T", i+1, v)
			}
		}
	})
}

// pointerValue resolves a JSON Pointer in a document decoded by
// encoding/json, independently of the code under test.
func pointerValue(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	v := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[tok]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}
