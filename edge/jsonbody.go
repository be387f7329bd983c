package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// MaxBodySize is the cap on every request body the edge reads: 64 KiB.
// Larger bodies are refused with payload_too_large before any parsing.
const MaxBodySize = 64 << 10

// maxDepth is the deepest nesting of arrays and objects a JSON body may have.
const maxDepth = 32

var (
	// ErrBadRequest is returned for malformed JSON bodies (duplicate members,
	// invalid UTF-8, nesting deeper than 32, trailing data) and missing fields.
	ErrBadRequest = errcode.New(errcode.BadRequest, "edge: bad request")

	// ErrPayloadTooLarge is returned when a body is larger than [MaxBodySize].
	ErrPayloadTooLarge = errcode.New(errcode.PayloadTooLarge, "edge: request body larger than 64 KiB")
)

// readBody reads at most limit bytes of r's body. A nil body (workers gives
// GET requests none) reads as empty.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, ErrPayloadTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("edge: reading request body: %w", ErrBadRequest)
	}
	if int64(len(b)) > limit {
		return nil, ErrPayloadTooLarge
	}
	return b, nil
}

// checkJSON reports whether b is exactly one strict JSON value: valid UTF-8,
// no duplicate object members, at most 32 levels deep, nothing after it.
// encoding/json alone accepts duplicates (the last one wins) and replaces
// invalid UTF-8 silently; two parsers that disagree on a body are a classic
// smuggling vector, so the edge refuses such bodies outright.
func checkJSON(b []byte) error {
	return walkJSON(b, nil)
}

// frame is one open array or object during a walk.
type frame struct {
	object  bool
	wantKey bool
	keys    map[string]struct{}
}

// walkJSON checks b as [checkJSON] does and, if emit is not nil, re-encodes
// it compactly into emit with every string value (not member names) passed
// through str. Member order and numbers are kept as they are.
func walkJSON(b []byte, out *walkOutput) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("edge: body is not valid UTF-8: %w", ErrBadRequest)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*frame
	started := false
	for {
		if started && len(stack) == 0 {
			break
		}
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && !started {
				return fmt.Errorf("edge: empty body: %w", ErrBadRequest)
			}
			return fmt.Errorf("edge: malformed JSON: %w", ErrBadRequest)
		}
		started = true
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.wantKey
		if isKey {
			key, ok := tok.(string)
			if !ok {
				// The closing brace of an object.
				if d, ok := tok.(json.Delim); !ok || d != '}' {
					return fmt.Errorf("edge: malformed JSON: %w", ErrBadRequest)
				}
			} else {
				if _, dup := top.keys[key]; dup {
					return fmt.Errorf("edge: duplicate member in JSON object: %w", ErrBadRequest)
				}
				top.keys[key] = struct{}{}
				top.wantKey = false
				out.key(key)
				continue
			}
		}
		if top != nil && top.object {
			top.wantKey = true
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) >= maxDepth {
					return fmt.Errorf("edge: JSON nested deeper than %d levels: %w", maxDepth, ErrBadRequest)
				}
				f := &frame{object: v == '{', wantKey: v == '{'}
				if f.object {
					f.keys = make(map[string]struct{})
				}
				stack = append(stack, f)
				out.open(byte(v))
			case '}', ']':
				stack = stack[:len(stack)-1]
				out.close(byte(v))
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
			}
		case string:
			if err := out.str(v); err != nil {
				return err
			}
		default:
			out.scalar(v)
		}
		if len(stack) == 0 {
			break
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("edge: trailing data after JSON value: %w", ErrBadRequest)
	}
	return nil
}

// walkOutput re-encodes a JSON value during [walkJSON]. A nil *walkOutput
// only checks.
type walkOutput struct {
	buf      bytes.Buffer
	comma    []bool // per open container: a value was already written
	afterKey bool
	str_     func(string) (string, error)
}

func (o *walkOutput) sep() {
	if o.afterKey {
		o.afterKey = false
		return
	}
	if n := len(o.comma); n > 0 {
		if o.comma[n-1] {
			o.buf.WriteByte(',')
		}
		o.comma[n-1] = true
	}
}

func (o *walkOutput) key(k string) {
	if o == nil {
		return
	}
	o.sep()
	writeJSONString(&o.buf, k)
	o.buf.WriteByte(':')
	o.afterKey = true
}

func (o *walkOutput) open(d byte) {
	if o == nil {
		return
	}
	o.sep()
	o.buf.WriteByte(d)
	o.comma = append(o.comma, false)
}

func (o *walkOutput) close(d byte) {
	if o == nil {
		return
	}
	o.buf.WriteByte(d)
	o.comma = o.comma[:len(o.comma)-1]
}

func (o *walkOutput) str(s string) error {
	if o == nil {
		return nil
	}
	o.sep()
	if o.str_ != nil {
		var err error
		if s, err = o.str_(s); err != nil {
			return err
		}
	}
	writeJSONString(&o.buf, s)
	return nil
}

func (o *walkOutput) scalar(v any) {
	if o == nil {
		return
	}
	o.sep()
	switch v := v.(type) {
	case nil:
		o.buf.WriteString("null")
	case bool:
		if v {
			o.buf.WriteString("true")
		} else {
			o.buf.WriteString("false")
		}
	case json.Number:
		o.buf.WriteString(string(v))
	}
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // cannot fail for a string
	buf.Write(b)
}

// rewriteStrings returns b, checked as [checkJSON] does and re-encoded
// compactly with every string value replaced by f's answer.
func rewriteStrings(b []byte, f func(string) (string, error)) ([]byte, error) {
	out := &walkOutput{str_: f}
	if err := walkJSON(b, out); err != nil {
		return nil, err
	}
	return out.buf.Bytes(), nil
}

// decodeJSON checks b strictly and decodes it into v, refusing unknown
// fields.
func decodeJSON(b []byte, v any) error {
	if err := checkJSON(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("edge: JSON body does not match the expected shape: %w", ErrBadRequest)
	}
	return nil
}
