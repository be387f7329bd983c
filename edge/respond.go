package edge

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// statusOf maps an error code to its HTTP status, as docs/error-codes.md
// lists them.
func statusOf(c errcode.Code) int {
	switch c {
	case errcode.InvalidEnvelope, errcode.UnsupportedVersion, errcode.UnknownKey,
		errcode.DecryptFailed, errcode.EnvelopeExpired, errcode.EnvelopeNotYetValid,
		errcode.BadRequest:
		return http.StatusBadRequest
	case errcode.WrongMerchant, errcode.WrongOrigin, errcode.ForbiddenOrigin, errcode.RelayHostForbidden,
		errcode.RelayRouteForbidden:
		return http.StatusForbidden
	case errcode.WalletTokenMalformed, errcode.WalletSignatureInvalid, errcode.WalletKeyExpired,
		errcode.WalletMessageExpired, errcode.WalletKeyUnknown, errcode.WalletDecryptFailed:
		return http.StatusBadRequest
	case errcode.WalletRecipientMismatch, errcode.WalletNotEnabled:
		return http.StatusForbidden
	case errcode.Replayed, errcode.IdempotencyInProgress:
		return http.StatusConflict
	case errcode.InvalidCardNumber, errcode.UnsupportedBrand, errcode.InvalidExpiry,
		errcode.CardExpired, errcode.InvalidCVC, errcode.QRMalformed, errcode.QRBadCRC,
		errcode.UnsealedCardNumber, errcode.IdempotencyMismatch:
		return http.StatusUnprocessableEntity
	case errcode.Unauthorized:
		return http.StatusUnauthorized
	case errcode.RateLimited:
		return http.StatusTooManyRequests
	case errcode.NotFound:
		return http.StatusNotFound
	case errcode.NotAcceptable:
		return http.StatusNotAcceptable
	case errcode.PayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case errcode.UpstreamError:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// errorBody is the one error shape: {"error":{"code","message"}}.
type errorBody struct {
	Error struct {
		Code    errcode.Code `json:"code"`
		Message string       `json:"message"`
	} `json:"error"`
}

// publicMessage is the message shown for err. Errors from sdk/ never carry
// card data, keys or tokens; internal errors are replaced by an opaque
// message (the operator's log has the detail).
func publicMessage(err error) string {
	if errcode.Of(err) == errcode.Internal {
		return "internal error"
	}
	return err.Error()
}

func writeError(w http.ResponseWriter, err error) {
	var body errorBody
	body.Error.Code = errcode.Of(err)
	body.Error.Message = publicMessage(err)
	if body.Error.Code == errcode.RateLimited {
		after := "1"
		var rl *rateLimited
		if errors.As(err, &rl) {
			after = rl.retryAfter()
		}
		w.Header().Set("Retry-After", after)
	}
	writeJSON(w, statusOf(body.Error.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
