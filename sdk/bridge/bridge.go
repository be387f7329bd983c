// Package bridge is the logic behind Sealpay's browser module: JSON in, JSON
// out, one function per JavaScript method. It is plain Go so that everything
// the wasm module does is tested on the host; the wasm/ package only moves
// bytes between JavaScript and [Handle].
//
// For most uses, call [Handle] (or [New] with pinned QR roots, then
// [Handler.Handle]) with [MethodSeal], [MethodCheckCard] or [MethodVerifyQR]
// and a JSON request; failures carry an errcode.Code.
package bridge

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
)

// Version is the module's version. The JS package is built with the same
// string and warns when the module it loads says otherwise.
const Version = "0.1.0"

// The methods [Handle] accepts.
const (
	// MethodSeal seals a card to the primary key of a public key set.
	MethodSeal = "seal"
	// MethodCheckCard validates and formats card input as it is typed.
	MethodCheckCard = "checkCard"
	// MethodVerifyQR verifies a payment QR payload against a trust bundle.
	MethodVerifyQR = "verifyQR"
)

// MaxRequestSize is the largest request [Handle] reads, in bytes. It matches
// the edge's body cap.
const MaxRequestSize = 64 << 10

var (
	// ErrBadRequest is returned by [Handle] for an unknown method or a
	// request that is not the method's JSON shape.
	ErrBadRequest = errcode.New(errcode.BadRequest, "bridge: bad request")
	// ErrTooLarge is returned by [Handle] for a request over [MaxRequestSize].
	ErrTooLarge = errcode.New(errcode.PayloadTooLarge, "bridge: request too large")
)

// Handle runs one method on a JSON request and returns its JSON response,
// with no QR root key pinned. Errors carry an errcode.Code (find it with
// errcode.Of) and never contain card data, keys or tokens.
func Handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return handler{now: time.Now}.handle(ctx, method, req)
}

// Options configure a [Handler].
type Options struct {
	// Roots are the registry root keys' public JWKs (qr.RootKey.PublicJWK)
	// pinned for [MethodVerifyQR].
	Roots [][]byte
}

// Handler is [Handle] with options.
type Handler struct{ h handler }

// New returns a Handler. It fails if a root key does not parse or is weak.
func New(opts Options) (*Handler, error) {
	h := handler{now: time.Now, trust: &trustCache{}}
	for _, jwk := range opts.Roots {
		k, err := qr.ParsePublicKey(jwk)
		if err != nil {
			return nil, err
		}
		h.roots = append(h.roots, k)
	}
	return &Handler{h: h}, nil
}

// Handle is like the package's [Handle], with the Handler's options.
func (h *Handler) Handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return h.h.handle(ctx, method, req)
}

// handler holds what a method may depend on; tests fix the clock.
type handler struct {
	now   func() time.Time
	roots []ed25519.PublicKey
	trust *trustCache // nil: load the trust bundle on every call
}

func (h handler) handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	if len(req) > MaxRequestSize {
		return nil, ErrTooLarge
	}
	if !utf8.Valid(req) {
		return nil, fmt.Errorf("bridge: request is not valid UTF-8: %w", ErrBadRequest)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bridge: %s: %w", method, errcode.New(errcode.Internal, err.Error()))
	}
	var resp any
	var err error
	switch method {
	case MethodSeal:
		resp, err = h.seal(req)
	case MethodCheckCard:
		resp, err = h.checkCard(req)
	case MethodVerifyQR:
		resp, err = h.verifyQR(req)
	default:
		return nil, fmt.Errorf("bridge: unknown method (%d bytes): %w", len(method), ErrBadRequest)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

// decode reads exactly one JSON object into v, refusing unknown members,
// duplicate members and trailing data. Its errors never quote the input.
func decode(req []byte, v any) error {
	if err := checkDuplicates(req); err != nil {
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

// checkDuplicates walks the JSON tokens of req and refuses duplicate object
// members and nesting deeper than maxDepth. encoding/json alone would keep
// the last duplicate, which lets two readers of one request disagree.
func checkDuplicates(req []byte) error {
	d := json.NewDecoder(bytes.NewReader(req))
	d.UseNumber()
	type frame struct {
		object bool
		key    bool // the next string token is a member name
		seen   map[string]bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bridge: request is not valid JSON: %w", ErrBadRequest)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string)
			if top.seen[name] {
				return fmt.Errorf("bridge: duplicate JSON member: %w", ErrBadRequest)
			}
			top.seen[name] = true
			top.key = false
			continue
		}
		if top != nil && top.object {
			top.key = true // this token is a value; a name or '}' comes next
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, key: true, seen: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > maxDepth {
			return fmt.Errorf("bridge: request nested deeper than %d: %w", maxDepth, ErrBadRequest)
		}
	}
}

// errorBody is the JSON shape of an error inside a response.
type errorBody struct {
	Code    errcode.Code `json:"code"`
	Message string       `json:"message"`
}

// errorOf returns err as an errorBody, or nil for nil.
func errorOf(err error) *errorBody {
	if err == nil {
		return nil
	}
	var c errcode.Coder
	msg := err.Error()
	if !errors.As(err, &c) {
		msg = "internal error"
	}
	return &errorBody{Code: errcode.Of(err), Message: msg}
}
