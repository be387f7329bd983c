// Package cardbridge is the card module's half of Sealpay's browser bridge:
// [bridge.MethodSeal] and [bridge.MethodCheckCard], JSON in, JSON out. It is
// plain Go so that everything the card module does is tested on the host;
// the wasm/ package only moves bytes between JavaScript and [Handle]. It
// links sdk/card and the sealing half of sdk/envelope (sdk/internal/sealer,
// which seals without crypto/hpke), and nothing of sdk/qr.
//
// For most uses, call [Handle] with a method name and a JSON request;
// failures carry an errcode.Code.
//
// Requests are read with [bridge.ParseRequest] and responses written by
// hand (json.go), and errors are made without fmt: the card module then
// links neither encoding/json, reflect nor fmt. The tests hold the
// responses to what encoding/json writes for the same types.
package cardbridge

import (
	"context"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// Handle runs [bridge.MethodSeal] or [bridge.MethodCheckCard] on a JSON
// request and returns its JSON response. Errors carry an errcode.Code (find
// it with errcode.Of) and never contain card data, keys or tokens.
func Handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return Methods().Handle(ctx, method, req)
}

// Methods returns the card module's methods, for [bridge.Methods.Call].
func Methods() bridge.Methods { return handler{now: time.Now}.methods() }

// handler holds what a method may depend on; tests fix the clock.
type handler struct {
	now func() time.Time
}

func (h handler) methods() bridge.Methods {
	return bridge.Methods{
		bridge.MethodSeal: func(req []byte) ([]byte, error) {
			r, err := h.seal(req)
			if err != nil {
				return nil, err
			}
			return r.appendJSON(nil), nil
		},
		bridge.MethodCheckCard: func(req []byte) ([]byte, error) {
			r, err := h.checkCard(req)
			if err != nil {
				return nil, err
			}
			return r.appendJSON(nil), nil
		},
	}
}

func (h handler) handle(ctx context.Context, method string, req []byte) ([]byte, error) {
	return h.methods().Handle(ctx, method, req)
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
	code := errcode.Of(err)
	msg := err.Error()
	if code == errcode.Internal {
		// An error without a code is unexpected; do not pass its text on.
		msg = "internal error"
	}
	return &errorBody{Code: code, Message: msg}
}
