package envelope

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of every JSON document this package reads.
// The deepest legitimate one is a key set: object, array, object.
const maxJSONDepth = 4

// checkJSON reports an error unless b is exactly one JSON value that is valid
// UTF-8, nests at most maxJSONDepth deep, and has no duplicate member names
// in any object. Names are compared after unescaping, so "kid" and "k\u0069d"
// are duplicates.
//
// encoding/json alone would accept all of these: it replaces invalid UTF-8
// with U+FFFD and lets the last duplicate win, which lets two parsers of the
// same bytes disagree.
func checkJSON(b []byte) error {
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
					return errors.New("duplicate member name")
				}
				top.names[name] = struct{}{}
				top.wantKey = false
				continue
			}
			// The only other token allowed here is the closing '}', which
			// the switch below handles.
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) == maxJSONDepth {
					return errors.New("JSON nested too deeply")
				}
				f := &frame{object: d == '{', wantKey: d == '{'}
				if f.object {
					f.names = make(map[string]struct{})
				}
				stack = append(stack, f)
				continue
			default: // '}' or ']': the decoder checked they match.
				stack = stack[:len(stack)-1]
			}
		}
		// A value is complete.
		if n := len(stack); n == 0 {
			done = true
		} else if stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
}

// parseObject checks b with checkJSON and returns the members of the JSON
// object it holds, by exact (case-sensitive) name.
func parseObject(b []byte) (map[string]json.RawMessage, error) {
	if err := checkJSON(b); err != nil {
		return nil, err
	}
	return object(b)
}

// object returns the members of a JSON object already checked by checkJSON.
func object(raw []byte) (map[string]json.RawMessage, error) {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("malformed JSON object")
	}
	return m, nil
}

// array returns the elements of a JSON array already checked by checkJSON.
func array(raw []byte) ([]json.RawMessage, error) {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return nil, errors.New("not a JSON array")
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, errors.New("malformed JSON array")
	}
	return a, nil
}

// jsonString returns the value of a JSON string. It refuses every other
// type, null included (json.Unmarshal would leave a string unchanged).
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// maxSafeInteger is 2^53 - 1, the largest integer every JSON implementation
// (JavaScript's included) reads exactly.
const maxSafeInteger = 1<<53 - 1

// jsonInt returns the value of a JSON number written as a plain non-negative
// integer: digits only, no sign, fraction or exponent, at most 2^53 - 1.
func jsonInt(raw json.RawMessage) (int64, bool) {
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
	if err != nil || n > maxSafeInteger {
		return 0, false
	}
	return n, true
}

// b64 is base64url without padding (RFC 4648, Section 5). Strict refuses
// non-zero trailing bits.
var b64 = base64.RawURLEncoding.Strict()

// decodeB64 decodes canonical base64url without padding: s must be exactly
// what encoding the result gives back. The standard decoder alone skips
// '\r' and '\n', which would let many strings stand for one value.
func decodeB64(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
