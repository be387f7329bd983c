package sealer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Every JSON document this package reads, the seal side's JWK Set and the
// open side's headers and key set files alike, is checked by CheckJSON
// and read with jsontext (the syntactic layer of encoding/json/v2), which
// needs no reflection: the browser's card module runs the seal side.

// MaxJSONDepth bounds the nesting of every JSON document this package reads.
// The deepest legitimate one is a key set: object, array, object.
const MaxJSONDepth = 4

// The faults CheckJSON tells apart; every other one is errMalformedJSON.
var (
	// ErrDuplicateMember is returned by [CheckJSON] for an object with two
	// members of the same name.
	ErrDuplicateMember = errors.New("duplicate member name")
	// ErrTooDeep is returned by [CheckJSON] for a document nested deeper
	// than a key set.
	ErrTooDeep       = errors.New("JSON nested too deeply")
	errMalformedJSON = errors.New("malformed JSON")
)

// CheckJSON reports an error unless b is exactly one JSON value that is valid
// UTF-8, nests at most MaxJSONDepth deep, and has no duplicate member names
// in any object. Names are compared after unescaping, so "kid" and "k\u0069d"
// are duplicates. A string with an escaped lone surrogate ("\ud800") is
// malformed too: it stands for no Unicode text, and readers disagree about
// it (encoding/json reads U+FFFD, JavaScript keeps the lone code unit).
//
// jsontext's Decoder refuses invalid UTF-8, duplicate names and lone
// surrogates by default ([RFC 7493], I-JSON); the depth and the end of the
// document are checked here. encoding/json alone would accept all of these:
// it replaces invalid UTF-8 with U+FFFD and lets the last duplicate win,
// which lets two parsers of the same bytes disagree.
//
// [RFC 7493]: https://www.rfc-editor.org/rfc/rfc7493.html
func CheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(b))
	for first := true; ; first = false {
		_, err := d.ReadToken()
		switch {
		case err == io.EOF && first:
			return errors.New("no JSON value")
		case errors.Is(err, jsontext.ErrDuplicateName):
			return ErrDuplicateMember
		case err != nil:
			return errMalformedJSON
		case d.StackDepth() > MaxJSONDepth:
			return ErrTooDeep
		case d.StackDepth() == 0: // the value is complete
			if _, err := d.ReadToken(); err != io.EOF {
				return errors.New("data after the JSON value")
			}
			return nil
		}
	}
}

// ParseObject checks b with CheckJSON and returns the members of the JSON
// object it holds, by exact (case-sensitive) name.
func ParseObject(b []byte) (map[string]jsontext.Value, error) {
	if err := CheckJSON(b); err != nil {
		return nil, err
	}
	return Object(b)
}

// Object returns the members of a JSON object already checked by
// CheckJSON, each value as its JSON text.
func Object(raw jsontext.Value) (map[string]jsontext.Value, error) {
	if raw.Kind() != '{' {
		return nil, errors.New("not a JSON object")
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(raw))
	if _, err := d.ReadToken(); err != nil {
		return nil, errors.New("malformed JSON object")
	}
	m := make(map[string]jsontext.Value)
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil {
			return nil, errors.New("malformed JSON object")
		}
		key, _ := JSONString(name)
		v, err := d.ReadValue()
		if err != nil {
			return nil, errors.New("malformed JSON object")
		}
		m[key] = v.Clone()
	}
	return m, nil
}

// Array returns the elements of a JSON array already checked by CheckJSON.
func Array(raw jsontext.Value) ([]jsontext.Value, error) {
	if raw.Kind() != '[' {
		return nil, errors.New("not a JSON array")
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(raw))
	if _, err := d.ReadToken(); err != nil {
		return nil, errors.New("malformed JSON array")
	}
	a := []jsontext.Value{}
	for d.PeekKind() != ']' {
		v, err := d.ReadValue()
		if err != nil {
			return nil, errors.New("malformed JSON array")
		}
		a = append(a, v.Clone())
	}
	return a, nil
}

// JSONString returns the value of a JSON string. It refuses every other
// type, null included.
func JSONString(raw jsontext.Value) (string, bool) {
	if raw.Kind() != '"' {
		return "", false
	}
	s, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return "", false
	}
	return string(s), true
}

// MaxSafeInteger is 2^53 - 1, the largest integer every JSON implementation
// (JavaScript's included) reads exactly.
const MaxSafeInteger = 1<<53 - 1

// JSONInt returns the value of a JSON number written as a plain non-negative
// integer: digits only, no sign, fraction or exponent, at most 2^53 - 1.
func JSONInt(raw jsontext.Value) (int64, bool) {
	if len(raw) == 0 || len(raw) > 16 {
		return 0, false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	if len(raw) > 1 && raw[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n > MaxSafeInteger {
		return 0, false
	}
	return n, true
}

// B64 is base64url without padding (RFC 4648, Section 5). Strict refuses
// non-zero trailing bits.
var B64 = base64.RawURLEncoding.Strict()

// DecodeB64 decodes canonical base64url without padding: s must be exactly
// what encoding the result gives back. The standard decoder alone skips
// '\r' and '\n', which would let many strings stand for one value.
func DecodeB64(s string) ([]byte, bool) {
	b, err := B64.DecodeString(s)
	if err != nil || B64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
