package sealer

import "github.com/sealpay/sealpay/sdk/errcode"

// The errors that sealing and opening share. Package envelope exports the
// same values under the same names and documents them for its callers.
var (
	// ErrInvalidEnvelope is returned by [Seal] for an envelope that would be
	// longer than [MaxEnvelopeSize]; package envelope's Open returns it for
	// malformed envelopes.
	ErrInvalidEnvelope = errcode.New(errcode.InvalidEnvelope, "envelope: invalid envelope")

	// ErrInvalidKeySet is returned when a JWK Set or private key set file
	// breaks the rules of docs/envelope-v1.md, and by [Seal] for an empty set.
	ErrInvalidKeySet = errcode.New(errcode.BadRequest, "envelope: invalid key set")

	// ErrInvalidOptions is returned by [Seal] for a missing or malformed
	// merchant ID or origin, or a TTL outside (0, 1h].
	ErrInvalidOptions = errcode.New(errcode.BadRequest, "envelope: invalid seal options")
)

// wrapError is what fmt.Errorf(before+"%w"+after, err) returns, made
// without fmt: the seal path, which the browser's card module runs, links no
// fmt (about 100 KB gzip in the module).
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// wrap returns an error reading before + err.Error() + after that wraps err.
func wrap(before string, err error, after string) error {
	return &wrapError{msg: before + err.Error() + after, err: err}
}
