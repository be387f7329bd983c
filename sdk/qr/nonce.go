package qr

import "time"

// NonceStore remembers the nonces of signed QR codes that [Verify] accepted,
// so that each is accepted once. The edge keeps them in its SQL database,
// for as long as each code could still verify.
type NonceStore interface {
	// Seen records nonce until exp and reports whether it was already
	// recorded. It must be atomic: of two concurrent calls with one nonce,
	// exactly one reports false. An error makes Verify reject the code.
	Seen(nonce string, exp time.Time) (replayed bool, err error)
}
