// Package applepay verifies and decrypts Apple Pay payment tokens of version
// EC_v1, as Apple's "Payment Token Format Reference" specifies them.
//
// For most uses, build a [Decrypter] with [NewDecrypter] from the merchant's
// payment processing keys ([ParseMerchantKeyPEM]) and call
// [Decrypter.Decrypt] with the token's paymentData object:
//
//	d, err := applepay.NewDecrypter(applepay.Config{Keys: keys, MerchantID: "merchant.com.example"})
//	p, err := d.Decrypt(paymentData)
//
// Decrypt checks, in order: the JSON shape and the version "EC_v1"
// ([ErrMalformed]); the CMS (PKCS #7) detached signature's shape and its
// signer ([ErrSignature]); the marker OIDs of Apple's leaf
// (1.2.840.113635.100.6.29) and intermediate (1.2.840.113635.100.6.2.14)
// certificates and a chain leaf → intermediate → the pinned Apple Root CA –
// G3 at the CMS signing time ([ErrCertificate], [ErrCertificateExpired]);
// the ECDSA signature over ephemeralPublicKey ‖ data ‖ transactionId ‖
// applicationData ([ErrSignature]); the signing time against the clock,
// within [Config.SigningTimeWindow] either way ([ErrMessageExpired]); the
// merchant key named by publicKeyHash ([ErrUnknownKey]); then ECDH, the
// NIST SP 800-56A concatenation KDF and AES-256-GCM ([ErrDecrypt]); and last
// the decrypted payment data ([ErrDecrypt] too).
//
// The CMS structure is parsed and its signature checked by
// github.com/smallstep/pkcs7; certificate chains by crypto/x509. A
// Decrypter remembers the chains it verified (by the exact certificate
// bytes) and for later tokens checks only their validity at the signing
// time.
//
// # Errors
//
// Every error wraps one of the package's sentinels with %w; each sentinel
// is also a case of a sdk/wallet error (errors.Is matches both) and carries
// its code: wallet_token_malformed, wallet_signature_invalid (a bad
// signature or an untrusted chain), wallet_key_expired,
// wallet_message_expired, wallet_key_unknown, wallet_decrypt_failed.
// Messages never contain the account number, the cryptogram or key
// material, and every string form of a [Payment] redacts both.
// [Payment.Wallet] gives the payment in sdk/wallet's common shape.
package applepay
