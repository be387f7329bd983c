package cardbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// jsonEscapes is every character encoding/json escapes in a string, and
// its neighbours.
const jsonEscapes = "\x00\x01\b\t\n\v\f\r\x1f \"\\/<>&'\x7f\u0080\u00a0\u2028\u2029\ufeff\U0001f600\xff"

// checkResponses are responses to compare with json.Marshal: the answers
// to testdata/checkcard.json and the edges of every member.
func checkResponses(t *testing.T) []*CheckCardResponse {
	var out []*CheckCardResponse
	h := testHandler()
	for _, tc := range loadCheckCases(t) {
		r, err := h.checkCard(tc.Req)
		if err != nil {
			t.Fatalf("%s: %v", tc.Case, err)
		}
		out = append(out, r)
	}
	brand := "visa"
	for _, s := range []string{"", jsonEscapes, "José <Ñúñez> & Søn", "山田 太郎"} {
		f := FieldCheck{Value: s, Complete: true, Error: &errorBody{Code: errcode.Code(s), Message: s}, MaxLength: -1, Month: 12, Year: 1 << 40, Label: s}
		out = append(out,
			&CheckCardResponse{Brand: &s, Number: f, Name: FieldCheck{Value: s, PotentiallyValid: true}},
			&CheckCardResponse{Brand: &brand, Complete: true, Empty: true, Expiry: f, CVC: FieldCheck{Error: &errorBody{}}},
		)
	}
	return out
}

// sameAsMarshal checks a response written by appendJSON against
// json.Marshal's bytes for the same value: both decode to the same value
// with encoding/json; the bytes are equal unless a string holds a
// character json.Marshal escapes and jsontext writes as itself ('<', '>',
// '&', U+2028, U+2029) or invalid UTF-8 (U+FFFD, escaped or not); and the
// response is valid by jsontext's rules (RFC 7493: valid UTF-8, no
// duplicate names). The responses hold typed card numbers: failures say
// where they differ, not what they say.
func sameAsMarshal(t *testing.T, got, want []byte, strs ...string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encoding/json cannot read appendJSON's %d bytes: error at byte %d", len(got), syntaxOffset(err))
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("appendJSON (%d bytes) and json.Marshal (%d bytes) decode to different values; they differ at byte %d", len(got), len(want), diffAt(got, want))
	}
	escaped := false
	for _, s := range strs {
		escaped = escaped || !utf8.ValidString(s) || strings.ContainsAny(s, "<>&\u2028\u2029")
	}
	if !escaped && !bytes.Equal(got, want) {
		t.Fatalf("appendJSON (%d bytes) and json.Marshal (%d bytes) differ at byte %d", len(got), len(want), diffAt(got, want))
	}
	if !jsontext.Value(got).IsValid() {
		t.Fatal("appendJSON wrote JSON that jsontext refuses")
	}
}

func syntaxOffset(err error) int64 {
	if se, ok := err.(*json.SyntaxError); ok {
		return se.Offset
	}
	return -1
}

func TestResponsesMatchJSON(t *testing.T) {
	for _, r := range checkResponses(t) {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sameAsMarshal(t, r.appendJSON(nil), want, r.strings()...)
	}
	for _, s := range []string{"", "sp1.eyJraWQiOiJrIn0.AAAA.BBBB", jsonEscapes} {
		r := &SealResponse{Envelope: s}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sameAsMarshal(t, r.appendJSON(nil), want, s)
	}
}

// TestResponsesNotHTMLEscaped pins what jsontext writes where json.Marshal
// escaped: the characters themselves.
func TestResponsesNotHTMLEscaped(t *testing.T) {
	r := &SealResponse{Envelope: "<a&b>\u2028\u2029\x00\"\\"}
	if got, want := string(r.appendJSON(nil)), `{"envelope":"<a&b>`+"\u2028\u2029"+`\u0000\"\\"}`; got != want {
		t.Errorf("appendJSON = %q, want %q", got, want)
	}
}

// strings returns every string a response holds.
func (r *CheckCardResponse) strings() []string {
	var out []string
	if r.Brand != nil {
		out = append(out, *r.Brand)
	}
	for _, f := range []FieldCheck{r.Number, r.Expiry, r.CVC, r.Name} {
		out = append(out, f.Value, f.Label)
		if f.Error != nil {
			out = append(out, string(f.Error.Code), f.Error.Message)
		}
	}
	return out
}

// FuzzCheckCardResponse compares appendJSON with json.Marshal for any
// response.
func FuzzCheckCardResponse(f *testing.F) {
	for _, tc := range loadCheckCases(f) {
		var r CheckCardRequest
		if err := json.Unmarshal(tc.Req, &r); err != nil {
			f.Fatal(err)
		}
		f.Add(r.Number, r.Expiry, r.CVC, r.Name, 19, true, false)
	}
	f.Add(jsonEscapes, jsonEscapes, "", "", -1, false, true)
	f.Fuzz(func(t *testing.T, value, code, message, label string, n int, complete, withError bool) {
		fc := FieldCheck{Value: value, Complete: complete, PotentiallyValid: !complete, MaxLength: n, Month: n % 13, Year: n / 3, Label: label}
		if withError {
			fc.Error = &errorBody{Code: errcode.Code(code), Message: message}
		}
		var brand *string
		if complete {
			brand = &label
		}
		r := &CheckCardResponse{Brand: brand, Complete: complete, Empty: withError, Number: fc, Expiry: fc, CVC: FieldCheck{Value: code}, Name: fc}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		sameAsMarshal(t, r.appendJSON(nil), want, r.strings()...)
	})
}

// requestCorpus is requests of both methods, good and bad.
func requestCorpus(t testing.TB) [][]byte {
	var out [][]byte
	for _, tc := range loadCheckCases(t) {
		out = append(out, tc.Req)
	}
	_, pub := newKeys(t)
	out = append(out, sealRequest(t, pub, testCard, nil))
	for _, s := range []string{
		`{}`, `null`, `[]`, `"x"`, `1`, ``, `{"number":null,"expiry":null,"cvc":null,"name":null}`,
		`{"number":4242}`, `{"number":true}`, `{"number":["4242"]}`, `{"pan":"4242"}`, `{"Number":"4242"}`,
		`{"number":"4242","number":"5555"}`, `{"number":"4242"} {}`, `{"number":"4242"`, "{\"name\":\"\xff\"}",
		`{"name":"\ud800 \u00e9"}`, `{"keys":null,"card":null,"merchant_id":null,"origin":null,"ttl":null}`,
		`{"keys":{"keys":[]},"card":{},"ttl":600}`, `{"keys":1,"card":"x","ttl":-0}`, `{"keys":[],"card":[],"ttl":1.0}`,
		`{"keys":{},"card":{},"ttl":1e2}`, `{"keys":{},"card":{},"ttl":"600"}`, `{"keys":{},"card":{},"ttl":99999999999999999999}`,
		`{"keys":{},"card":{},"ttl":-9223372036854775808}`, `{"keys":{},"card":{},"merchant_id":5}`, `{"keys":{},"card":{},"TTL":5}`,
		`{"keys":{"keys":[],"keys":[]}}`, strings.Repeat(`{"keys":`, 17) + "1" + strings.Repeat("}", 17),
		`{"keys":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":1}}}}}}}}}}}}}}},"card":{}}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// onlyCaseOrNull reports whether encoding/json could accept req where
// decode refuses it for the two documented reasons: a member name that
// differs from a known one only in case (encoding/json matches names
// case-insensitively), or a request that is null instead of an object
// (encoding/json leaves the struct as it is).
func onlyCaseOrNull(req []byte, known ...string) bool {
	if string(bytes.TrimSpace(req)) == "null" {
		return true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(req, &m) != nil {
		return false
	}
	for name := range m {
		for _, k := range known {
			if name != k && strings.EqualFold(name, k) {
				return true
			}
		}
	}
	return false
}

// compareDecoders checks the card module's request decoders against
// bridge.Decode, the encoding/json decoder they replace. Methods see only
// valid UTF-8 (bridge.Methods.Call refuses the rest, and so do the
// decoders); bridge.Decode would replace invalid bytes.
func compareDecoders(t *testing.T, req []byte) {
	t.Helper()
	if !utf8.Valid(req) {
		if _, err := decodeCheckCardRequest(req); !errors.Is(err, bridge.ErrBadRequest) {
			t.Fatalf("decode of invalid UTF-8 = %v, want ErrBadRequest", err)
		}
		return
	}
	var wantSeal SealRequest
	wantErr := bridge.Decode(req, &wantSeal)
	gotSeal, err := decodeSealRequest(req)
	checkDecoded(t, "seal", req, gotSeal, wantSeal, err, wantErr, "keys", "card", "merchant_id", "origin", "ttl")

	var wantCheck CheckCardRequest
	wantErr = bridge.Decode(req, &wantCheck)
	gotCheck, err := decodeCheckCardRequest(req)
	checkDecoded(t, "checkCard", req, gotCheck, wantCheck, err, wantErr, "number", "expiry", "cvc", "name")
}

func checkDecoded[T any](t *testing.T, method string, req []byte, got, want T, err, wantErr error, known ...string) {
	t.Helper()
	if err != nil && !errors.Is(err, bridge.ErrBadRequest) {
		t.Fatalf("%s: decode error %v is not ErrBadRequest", method, err)
	}
	switch {
	case err == nil && wantErr != nil:
		t.Fatalf("%s: decode accepts a request bridge.Decode refuses (%v)", method, wantErr)
	case err != nil && wantErr == nil && !onlyCaseOrNull(req, known...):
		t.Fatalf("%s: decode = %v for a request bridge.Decode accepts", method, err)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("%s: decode and bridge.Decode read different requests", method) // no request data in messages
	}
}

func TestDecodeMatchesBridgeDecode(t *testing.T) {
	for i, req := range requestCorpus(t) {
		t.Run(string(rune('a'+i%26))+strings.Repeat("'", i/26), func(t *testing.T) { compareDecoders(t, req) })
	}
}

// FuzzDecode compares the request decoders with bridge.Decode.
func FuzzDecode(f *testing.F) {
	for _, req := range requestCorpus(f) {
		f.Add(req)
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		if len(req) > bridge.MaxRequestSize {
			return
		}
		compareDecoders(t, req)
	})
}

// TestCaseVariantsRefused pins where the card module is stricter than
// encoding/json was: member names must match exactly, and a request is
// an object, not null. (Escaped lone surrogates, which bridge.Decode now
// refuses too, are in TestHandleBadRequests.)
func TestCaseVariantsRefused(t *testing.T) {
	for _, req := range []string{`{"Number":"4242"}`, `{"NAME":""}`, `null`} {
		if _, err := Handle(context.Background(), bridge.MethodCheckCard, []byte(req)); errcode.Of(err) != errcode.BadRequest {
			t.Errorf("checkCard(%s) = %v, want bad_request", req, err)
		}
	}
}

// diffAt returns the offset of the first byte where a and b differ.
func diffAt(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
