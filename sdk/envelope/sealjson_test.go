package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/internal/jsontest"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// The seal path writes JSON with jsontext (appendCard, header marshal) and
// reads the public key set with it (ParsePublicKeySet), so that the
// browser's card module links neither encoding/json nor fmt. These tests
// hold those to what encoding/json gives: json.Marshal's bytes less the
// escapes jsontext leaves out (shortest, json_test.go), and the verdicts of
// the encoding/json version of ParsePublicKeySet.

// jsonEscapes is every character encoding/json escapes in a string, and
// its neighbours.
const jsonEscapes = "\x00\x01\b\t\n\v\f\r\x1f \"\\/<>&'\x7f\u0080\u00a0\u2027\u2028\u2029\u202a\ufeff\U0001f600\xff\xc3"

func TestAppendCardMatchesJSON(t *testing.T) {
	var names []string
	for r := rune(0); r < 0x3000; r++ {
		names = append(names, "A"+string(r)+"b")
	}
	for i := 0; i < 256; i++ {
		names = append(names, string([]byte{'x', byte(i)}))
	}
	names = append(names, "", " ", jsonEscapes, "José Ñúñez", "山田 太郎", "<script>&amp;</script>")
	for _, name := range names {
		for _, c := range []card.Card{
			{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: name},
			{Number: name, ExpMonth: -1, ExpYear: 1 << 40, CVC: name},
			{Number: "", ExpMonth: 0, ExpYear: 0},
		} {
			want, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			want = shortest(want)
			if got := appendCard(nil, c); !bytes.Equal(got, want) {
				t.Fatalf("appendCard and json.Marshal differ at byte %d (name of %d bytes)", commonPrefix(got, want), len(name))
			}
		}
	}
}

// FuzzAppendCard checks appendCard against json.Marshal (less the escapes
// jsontext leaves out) for any card.
func FuzzAppendCard(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		var c card.Card
		if err := json.Unmarshal([]byte(v.Card), &c); err != nil {
			f.Fatal(err)
		}
		f.Add(c.Number, c.ExpMonth, c.ExpYear, c.CVC, c.Name)
	}
	f.Add(jsonEscapes, -1, 99, jsonEscapes, jsonEscapes)
	f.Fuzz(func(t *testing.T, number string, month, year int, cvc, name string) {
		c := card.Card{Number: number, ExpMonth: month, ExpYear: year, CVC: cvc, Name: name}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		want = shortest(want)
		got := appendCard(nil, c)
		if !bytes.Equal(got, want) {
			t.Fatalf("appendCard and json.Marshal differ at byte %d", commonPrefix(got, want)) // no card data in messages
		}
	})
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// jsonHeader is the header as encoding/json would write it from a struct.
type jsonHeader struct {
	Kid string `json:"kid"`
	Mid string `json:"mid"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
	Aud string `json:"aud,omitempty"`
}

// marshalJSONHeader encodes h with encoding/json. escapeHTML chooses
// between json.Marshal (true) and an Encoder with SetEscapeHTML(false).
func marshalJSONHeader(t testing.TB, h header, escapeHTML bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(escapeHTML)
	if err := e.Encode(jsonHeader{h.Kid, h.Mid, h.Iat, h.Exp, h.JTI, h.Aud}); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestHeaderMarshalMatchesJSON proves that the header writer gives the
// bytes encoding/json gives: for every character each member may hold,
// and at the edges of the integers. docs/envelope-v1.md says headers are
// written with strings verbatim; that is encoding/json without HTML
// escaping, and json.Marshal itself whenever "aud" holds none of '<', '>'
// and '&' (every real origin).
func TestHeaderMarshalMatchesJSON(t *testing.T) {
	const kid, mid, jti = "7ZxRr0Wj6zDMLKFTLe8zgqTcZcnkO3e4Mm5OEK1Wqhs", "m_demo", "AAECAwQFBgcICQoLDA0ODw"
	var headers []header
	for c := 0; c < 256; c++ {
		s := "a" + string(rune(c)) + "z"
		if c >= 0x80 {
			s = "a" + string([]byte{byte(c)}) + "z"
		}
		headers = append(headers,
			header{Kid: s, Mid: mid, Iat: 1, Exp: 2, JTI: jti},
			header{Kid: kid, Mid: s, Iat: 1, Exp: 2, JTI: jti},
			header{Kid: kid, Mid: mid, Iat: 1, Exp: 2, JTI: s},
			header{Kid: kid, Mid: mid, Iat: 1, Exp: 2, JTI: jti, Aud: "https://" + s},
		)
	}
	headers = append(headers,
		header{Kid: kid, Mid: mid, Iat: 0, Exp: 1, JTI: jti},
		header{Kid: kid, Mid: mid, Iat: maxSafeInteger - 3600, Exp: maxSafeInteger, JTI: jti, Aud: "https://shop.example:8443"},
		header{Kid: kid, Mid: mid, Iat: 1767225600, Exp: 1767226500, JTI: jti, Aud: strings.Repeat("~", maxAudLength)},
	)
	checked := 0
	for _, h := range headers {
		if !validKeyID(h.Kid) || !validMerchantID(h.Mid) || (h.Aud != "" && !validOrigin(h.Aud)) {
			continue // Seal never writes it
		}
		if !validB64Chars(h.JTI) {
			continue
		}
		checked++
		got := h.Marshal()
		if want := marshalJSONHeader(t, h, false); !bytes.Equal(got, want) {
			t.Fatalf("marshal = %s, encoding/json without HTML escaping %s", got, want)
		}
		if !strings.ContainsAny(h.Aud, "<>&") {
			if want := marshalJSONHeader(t, h, true); !bytes.Equal(got, want) {
				t.Fatalf("marshal = %s, json.Marshal %s", got, want)
			}
		}
		back, err := parseHeader(got)
		if err != nil && validJTI(h.JTI) && h.Exp > h.Iat {
			t.Fatalf("parseHeader(marshal(%+v)) = %v", h, err)
		}
		if err == nil && back != h {
			t.Fatalf("parseHeader(marshal(h)) = %+v, want %+v", back, h)
		}
	}
	// kid and jti: the 64 base64url characters; mid: those and '.' ':';
	// aud: the 92 printable ASCII characters but '"' and '\'; 3 more.
	if checked != 64+66+64+92+3 {
		t.Fatalf("checked %d headers, want every allowed character of every member", checked)
	}
}

// validB64Chars reports whether s is base64url characters only (a jti
// that need not decode to 16 bytes: marshal does not care).
func validB64Chars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isB64URLChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// FuzzHeaderMarshal checks the header writer against encoding/json for any
// header Seal could write.
func FuzzHeaderMarshal(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		f.Add(vf.Recipient.Kid, v.MID, v.IAT, v.EXP, v.JTI, v.Aud)
	}
	f.Add("k", "m.1:2", int64(0), int64(3600), "AAAAAAAAAAAAAAAAAAAAAA", "https://<a>&b")
	f.Fuzz(func(t *testing.T, kid, mid string, iat, exp int64, jti, aud string) {
		h := header{Kid: kid, Mid: mid, Iat: iat, Exp: exp, JTI: jti, Aud: aud}
		if !validKeyID(kid) || !validMerchantID(mid) || (aud != "" && !validOrigin(aud)) || !validJTI(jti) ||
			iat < 0 || exp <= iat || exp-iat > maxLifetime || exp > maxSafeInteger {
			return
		}
		got := h.Marshal()
		if want := marshalJSONHeader(t, h, false); !bytes.Equal(got, want) {
			t.Fatalf("marshal = %s, encoding/json without HTML escaping %s", got, want)
		}
		if !strings.ContainsAny(aud, "<>&") {
			if want := marshalJSONHeader(t, h, true); !bytes.Equal(got, want) {
				t.Fatalf("marshal = %s, json.Marshal %s", got, want)
			}
		}
		if back, err := parseHeader(got); err != nil || back != h {
			t.Fatalf("parseHeader(marshal(h)) = %+v, %v; want %+v", back, err, h)
		}
	})
}

// parsePublicKeySetReference is ParsePublicKeySet as it was with
// encoding/json (referenceCheckJSON, then json.Unmarshal into
// json.RawMessage), to compare the two.
func parsePublicKeySetReference(jwks []byte) (kids []string, err error) {
	if len(jwks) > maxPublicKeySetSize {
		return nil, ErrInvalidKeySet
	}
	if err := referenceCheckJSON(jwks); err != nil {
		return nil, ErrInvalidKeySet
	}
	var top map[string]json.RawMessage
	var raws []json.RawMessage
	if !bytes.HasPrefix(bytes.TrimLeft(jwks, " \t\r\n"), []byte("{")) || json.Unmarshal(jwks, &top) != nil ||
		!bytes.HasPrefix(top["keys"], []byte("[")) || json.Unmarshal(top["keys"], &raws) != nil ||
		len(raws) == 0 || len(raws) > maxKeys {
		return nil, ErrInvalidKeySet
	}
	seen := map[string]bool{}
	for i, raw := range raws {
		var m map[string]json.RawMessage
		if !bytes.HasPrefix(raw, []byte("{")) || json.Unmarshal(raw, &m) != nil {
			return nil, keySetError(i, "not a JSON object")
		}
		if _, ok := m["d"]; ok {
			return nil, keySetError(i, "d")
		}
		kid, x, err := parsePublicJWK(func(name string) (string, bool, bool) {
			raw, ok := m[name]
			if !ok {
				return "", false, false
			}
			var s string
			isString := bytes.HasPrefix(raw, []byte(`"`)) && json.Unmarshal(raw, &s) == nil
			return s, true, isString
		})
		if err != nil {
			return nil, keySetError(i, err.Error())
		}
		if seen[kid] {
			return nil, keySetError(i, "duplicate kid")
		}
		seen[kid] = true
		if err := sealer.CheckPublicKey(x); err != nil {
			return nil, keySetError(i, err.Error())
		}
		kids = append(kids, kid)
	}
	return kids, nil
}

// compareWithReference checks ParsePublicKeySet against the encoding/json
// version: the same verdict and keys, but for documents with an escaped
// lone surrogate, which ParsePublicKeySet refuses.
func compareWithReference(t *testing.T, doc []byte) {
	t.Helper()
	p, err := ParsePublicKeySet(doc)
	if err != nil && !errors.Is(err, ErrInvalidKeySet) {
		t.Fatalf("ParsePublicKeySet = %v, want ErrInvalidKeySet", err)
	}
	if jsontest.HasLoneSurrogate(doc) {
		if err == nil {
			t.Fatal("ParsePublicKeySet accepts an escaped lone surrogate")
		}
		return
	}
	kids, refErr := parsePublicKeySetReference(doc)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("ParsePublicKeySet = %v, reference %v (valid UTF-8: %v)", err, refErr, utf8.Valid(doc))
	}
	if err == nil && strings.Join(p.KeyIDs(), " ") != strings.Join(kids, " ") {
		t.Fatalf("key IDs %v, reference %v", p.KeyIDs(), kids)
	}
}

func TestParsePublicKeySetMatchesReference(t *testing.T) {
	two := []byte(loadVectors(t).Recipient.JWKS)
	names, err := filepath.Glob("testdata/jwks/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no files testdata/jwks/*.json (%v)", err)
	}
	var docs [][]byte
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	docs = append(docs, two,
		[]byte(`{"keys":[]}`), []byte(`{"keys":{}}`), []byte(`[]`), []byte(`{"keys":[1]}`), []byte(`{}`),
		[]byte(`{"keys":[{"kty":"OKP","crv":"X25519","kid":1,"x":"a"}]}`),
		[]byte(`{"keys":[],"keys":[]}`), []byte("{\"keys\":[\"\xff\"]}"), []byte(`{"a":{"b":{"c":{"d":1}}},"keys":[]}`),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"use":"sig"`), 1),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"use":null`), 1),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"d":null`), 1),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"use":"enc","x5c":[{"n":[]}]`), 1),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"use":"\u0065nc"`), 1),
		bytes.Replace(two, []byte(`"crv"`), []byte(`"CRV"`), 1),
		bytes.Replace(two, []byte(`"use":"enc"`), []byte(`"use":"enc","note":"\ud800"`), 1),
		bytes.Replace(two, []byte(`"keys"`), []byte(`"k\u0065ys"`), 1),
		[]byte(" \n"+string(two)+"\t"), append(append([]byte{}, two...), " {}"...),
	)
	for i, doc := range docs {
		t.Run(strconv.Itoa(i), func(t *testing.T) { compareWithReference(t, doc) })
	}
}

// FuzzParsePublicKeySetReference checks that ParsePublicKeySet accepts and
// refuses what the encoding/json version did, with the same keys (but for
// escaped lone surrogates).
func FuzzParsePublicKeySetReference(f *testing.F) {
	for _, b := range seedFiles(f, "testdata/jwks/*.json") {
		f.Add(b)
	}
	f.Add([]byte(loadVectors(f).Recipient.JWKS))
	f.Fuzz(func(t *testing.T, b []byte) { compareWithReference(t, b) })
}
