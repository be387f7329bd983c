package qr

import "time"

// NonceStore remembers the nonces of signed QR codes that the checkout's
// own [Verify] accepted (see [VerifyOptions.Checkout]), so that each is
// accepted once there. The edge keeps them in its SQL database, for as
// long as each code could still verify.
type NonceStore interface {
	// Seen records nonce until exp and reports whether it was already
	// recorded. It must be atomic: of two concurrent calls with one nonce,
	// exactly one reports false. An error makes Verify reject the code.
	Seen(nonce string, exp time.Time) (replayed bool, err error)
	// Recorded reports whether Seen recorded nonce and it has not expired,
	// without recording it. An error makes Verify reject the code.
	Recorded(nonce string) (bool, error)
}
