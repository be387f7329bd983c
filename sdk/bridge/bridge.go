// Package bridge is what Sealpay's two browser modules share: the rules
// every JSON request meets (size, UTF-8, one strict JSON object), the
// method names, and the version. The methods themselves live in two
// packages, so that each module links only what it needs:
// [github.com/sealpay/sealpay/sdk/bridge/cardbridge] (seal, checkCard: the
// card module the hosted fields and direct mode load) and
// [github.com/sealpay/sealpay/sdk/bridge/qrbridge] (verifyQR: the QR module,
// loaded on first use). This package imports neither sdk/card nor sdk/qr.
//
// For most uses, call cardbridge.Handle or a qrbridge.Handler; both are a
// [Methods] table run by [Methods.Handle] (or [Methods.Call] in the
// modules), whose errors carry an errcode.Code. Methods read their request
// with [ParseRequest] (jsontext, no reflection: what the card module uses)
// or [Decode] (into a struct, with encoding/json).
package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Version is the modules' version. The JS package is built with the same
// string and warns when a module it loads says otherwise.
const Version = "0.1.0"

// The method names, as the modules expose them to JavaScript.
const (
	// MethodSeal seals a card to the primary key of a public key set (card module).
	MethodSeal = "seal"
	// MethodCheckCard validates and formats card input as it is typed (card module).
	MethodCheckCard = "checkCard"
	// MethodVerifyQR verifies a payment QR payload against a trust bundle (QR module).
	MethodVerifyQR = "verifyQR"
)

// MaxRequestSize is the largest request [Methods.Call] reads, in bytes.
// It matches the edge's body cap.
const MaxRequestSize = 64 << 10

var (
	// ErrBadRequest is returned for an unknown method or a request that is
	// not the method's JSON shape.
	ErrBadRequest = errcode.New(errcode.BadRequest, "bridge: bad request")
	// ErrTooLarge is returned for a request over [MaxRequestSize].
	ErrTooLarge = errcode.New(errcode.PayloadTooLarge, "bridge: request too large")
)

// A Method answers one request, already checked for size and UTF-8, with
// its JSON response.
type Method func(req []byte) ([]byte, error)

// Methods maps method names to their implementations.
type Methods map[string]Method

// Handle is [Methods.Call] that first fails if ctx is done.
func (m Methods) Handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bridge: %s: %w", method, errcode.New(errcode.Internal, err.Error()))
	}
	return m.Call(method, req)
}

// Call runs one method on a JSON request and returns its JSON response.
// Errors carry an errcode.Code (find it with errcode.Of) and never contain
// card data, keys or tokens.
//
// The browser modules use Call, not [Methods.Handle]: JavaScript cannot
// cancel a call, and a live context.Context keeps the time package's
// parsing and formatting in the module (36 KB gzip). Call uses no fmt, for
// the same reason.
func (m Methods) Call(method string, req []byte) ([]byte, error) {
	if len(req) > MaxRequestSize {
		return nil, ErrTooLarge
	}
	if !utf8.Valid(req) {
		return nil, BadRequest("bridge: request is not valid UTF-8")
	}
	f, ok := m[method]
	if !ok {
		return nil, BadRequest("bridge: unknown method (" + strconv.Itoa(len(method)) + " bytes)")
	}
	return f(req)
}

// A Member is one member of a request object: its name, unescaped, and
// its value as JSON text.
type Member struct {
	Name  string
	Value jsontext.Value
}

// ParseRequest reads a request the way [Decode] does, without reflection,
// and returns the members of its object in order: exactly one JSON object
// in valid UTF-8, no duplicate members (compared after unescaping) at any
// depth, nesting at most 16, and nothing after it. Other failures are
// [ErrBadRequest]; so should be, for the caller, a member it does not
// know. Member names are matched exactly (encoding/json would also take
// "Number" for "number").
func ParseRequest(req []byte) ([]Member, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	if jsontext.Value(req).Kind() != '{' {
		return nil, BadRequest("bridge: request is not the expected JSON shape")
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(req))
	if _, err := d.ReadToken(); err != nil {
		return nil, errNotJSON
	}
	members := []Member{}
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil {
			return nil, errNotJSON
		}
		text, err := jsontext.AppendUnquote(nil, name)
		if err != nil {
			return nil, errNotJSON
		}
		m := Member{Name: string(text)}
		if m.Value, err = d.ReadValue(); err != nil {
			return nil, errNotJSON
		}
		m.Value = m.Value.Clone() // d may reuse its buffer
		members = append(members, m)
	}
	return members, nil
}

var errNotJSON = BadRequest("bridge: request is not valid JSON")

// checkRequest refuses, with [ErrBadRequest], a request that is not
// exactly one JSON value in valid UTF-8, has duplicate object members at
// any depth (names compared after unescaping) or nests deeper than
// maxDepth. jsontext's Decoder refuses duplicates, invalid UTF-8 and
// escaped lone surrogates ("\ud800", which stand for no text) by default
// ([RFC 7493], I-JSON); the depth and the end of the value are checked
// here. encoding/json alone would keep the last duplicate, which lets two
// readers of one request disagree.
//
// [RFC 7493]: https://www.rfc-editor.org/rfc/rfc7493.html
func checkRequest(req []byte) error {
	if !utf8.Valid(req) {
		return errNotJSON
	}
	d := jsontext.NewDecoder(bytes.NewBuffer(req))
	for {
		_, err := d.ReadToken()
		switch {
		case errors.Is(err, jsontext.ErrDuplicateName):
			return BadRequest("bridge: duplicate JSON member")
		case err != nil: // io.EOF too: no value
			return errNotJSON
		case d.StackDepth() > maxDepth:
			return BadRequest("bridge: request nested deeper than " + strconv.Itoa(maxDepth))
		case d.StackDepth() == 0: // the value is complete
			if _, err := d.ReadToken(); err != io.EOF {
				return errNotJSON
			}
			return nil
		}
	}
}

// BadRequest returns an error that wraps [ErrBadRequest] and reads msg,
// ": " and ErrBadRequest's message, as fmt.Errorf(msg+": %w",
// ErrBadRequest) would: the card module's methods refuse requests with it,
// without linking fmt. msg must not hold request data.
func BadRequest(msg string) error {
	return &badRequest{msg: msg + ": " + ErrBadRequest.Error()}
}

type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }
func (e *badRequest) Unwrap() error { return ErrBadRequest }

// Decode reads exactly one JSON object into v, refusing unknown members,
// duplicate members, nesting deeper than 16 and trailing data, all with
// [ErrBadRequest]. Its errors never quote the input.
func Decode(req []byte, v any) error {
	if err := checkRequest(req); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(req))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("bridge: request is not the expected JSON shape: %w", ErrBadRequest)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("bridge: trailing data after the request: %w", ErrBadRequest)
	}
	return nil
}

// maxDepth bounds the nesting of a request; no method needs more than a few.
const maxDepth = 16
