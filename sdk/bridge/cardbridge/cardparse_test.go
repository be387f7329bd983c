package cardbridge

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/internal/jsontest"
)

// The seal method hands the request's card to card.Parse, which reads it
// with jsontext since the card module stopped linking encoding/json.
// referenceParse is card.Parse as it was, on encoding/json's tokenizer,
// written from its documentation; the tests below hold the two to the
// same verdicts, but for one deliberate change: a string with an escaped
// lone surrogate ("\ud800"), which encoding/json reads as U+FFFD and
// jsontext refuses as invalid UTF-8, makes the document malformed.

var referenceFields = []string{"number", "exp_month", "exp_year", "cvc", "name"}

func referenceParse(b []byte) (card.Card, errcode.Code) {
	malformed := errcode.Of(card.ErrMalformed)
	if len(b) > card.MaxDocumentSize || !utf8.Valid(b) {
		return card.Card{}, malformed
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return card.Card{}, malformed
	}
	var c card.Card
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return card.Card{}, malformed
		}
		key, _ := tok.(string)
		known := false
		for _, f := range referenceFields {
			known = known || f == key
		}
		if !known || seen[key] {
			return card.Card{}, malformed
		}
		seen[key] = true
		val, err := dec.Token()
		if err != nil {
			return card.Card{}, malformed
		}
		if code := referenceSet(&c, key, val); code != "" {
			return card.Card{}, code
		}
	}
	if _, err := dec.Token(); err != nil {
		return card.Card{}, malformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return card.Card{}, malformed
	}
	switch {
	case !seen["number"]:
		return card.Card{}, errcode.Of(card.ErrInvalidNumber)
	case !seen["exp_month"], !seen["exp_year"]:
		return card.Card{}, errcode.Of(card.ErrInvalidExpiry)
	}
	return c, ""
}

func referenceSet(c *card.Card, key string, val json.Token) errcode.Code {
	switch key {
	case "number":
		s, ok := val.(string)
		if !ok {
			return errcode.Of(card.ErrInvalidNumber)
		}
		d, err := card.Normalize(s)
		if err != nil {
			return errcode.Of(err)
		}
		c.Number = d
	case "exp_month", "exp_year":
		num, ok := val.(json.Number)
		if !ok {
			return errcode.Of(card.ErrInvalidExpiry)
		}
		n, err := strconv.ParseInt(string(num), 10, 32)
		if err != nil {
			return errcode.Of(card.ErrInvalidExpiry)
		}
		if key == "exp_month" {
			c.ExpMonth = int(n)
		} else {
			if n >= 0 && n <= 99 {
				n += 2000
			}
			c.ExpYear = int(n)
		}
	case "cvc":
		s, ok := val.(string)
		if !ok && val != nil {
			return errcode.Of(card.ErrInvalidCVC)
		}
		if s != "" && (strings.Trim(s, "0123456789") != "" || len(s) < 3 || len(s) > 4) {
			return errcode.Of(card.ErrInvalidCVC)
		}
		c.CVC = s
	case "name":
		s, ok := val.(string)
		if !ok && val != nil {
			return errcode.Of(card.ErrMalformed)
		}
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > 64 || strings.IndexFunc(s, func(r rune) bool {
			return unicode.IsControl(r) || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
		}) >= 0 {
			return errcode.Of(card.ErrMalformed)
		}
		c.Name = s
	}
	return ""
}

// compareCardParse checks card.Parse against referenceParse: the same card
// or the same code for every valid JSON document, and bad_request for the
// rest (where the reference could name a member before the fault) and for
// documents with an escaped lone surrogate.
func compareCardParse(t *testing.T, doc []byte) {
	t.Helper()
	got, err := card.Parse(doc)
	want, wantCode := referenceParse(doc)
	if jsontest.HasLoneSurrogate(doc) {
		if errcode.Of(err) != errcode.BadRequest {
			t.Fatalf("card.Parse of a document with an escaped lone surrogate = %q, want bad_request", errcode.Of(err))
		}
		return
	}
	if err != nil && !utf8.Valid(doc) || err != nil && !json.Valid(doc) {
		if errcode.Of(err) != errcode.BadRequest {
			t.Fatalf("card.Parse of a document that is not valid JSON = %s, want bad_request", errcode.Of(err))
		}
		return
	}
	if err == nil && !json.Valid(doc) {
		t.Fatal("card.Parse accepts a document that is not valid JSON")
	}
	if code := errcode.Of(err); code != wantCode || got != want {
		t.Fatalf("card.Parse = code %q (last4 %s), the encoding/json version %q (last4 %s)", code, card.Last4(got.Number), wantCode, card.Last4(want.Number))
	}
}

// cardDocs are card documents from the request corpus and their edges.
func cardDocs() []string {
	return []string{
		`{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":30,"cvc":"123","name":" A. Shopper "}`,
		`{"number":"4242-4242-4242-4242","exp_month":12,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":null,"name":null}`,
		`{"number":4242424242424242,"exp_month":12,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":"12","exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":12.0,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":1e1,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2147483648}`,
		`{"number":"4242424242424242","exp_month":-0,"exp_year":-1}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"12a"}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":123}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":["1"]}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":{"a":1,"a":2}}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":"\u202eevil"}`,
		`{"number":"4242424242424242","number":"4242424242424242","exp_month":12,"exp_year":2030}`,
		`{"pin":"1","number":"4242424242424242","number":"x"}`,
		`{"number":"4242\u200b4242","exp_month":12,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":"A \ud800 B"}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":"\ud83d\ude00"}`,
		`{"number":"4242424242424242","exp_month":12}`,
		`{"exp_month":12,"exp_year":2030}`,
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030} {}`,
		`{"number":5,`, `[]`, `null`, ``, `{}`, "{\"name\":\"\xff\"}",
		`{"number":"4242424242424242","exp_month":12,"exp_year":2030,"name":"` + strings.Repeat("é", 65) + `"}`,
	}
}

func TestCardParseMatchesReference(t *testing.T) {
	for _, doc := range cardDocs() {
		compareCardParse(t, []byte(doc))
	}
}

// FuzzCardParse compares card.Parse with the encoding/json version.
func FuzzCardParse(f *testing.F) {
	for _, doc := range cardDocs() {
		f.Add([]byte(doc))
	}
	for _, tc := range loadCheckCases(f) {
		f.Add([]byte(tc.Req))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { compareCardParse(t, doc) })
}
