package applepay

import "github.com/sealpay/sealpay/sdk/errcode"

// The codes of the sentinels in errors.go.
const (
	codeMalformed          errcode.Code = "wallet_malformed"
	codeSignature          errcode.Code = "wallet_bad_signature"
	codeCertificate        errcode.Code = "wallet_untrusted_certificate"
	codeCertificateExpired errcode.Code = "wallet_certificate_expired"
	codeMessageExpired     errcode.Code = "wallet_message_expired"
	codeUnknownKey         errcode.Code = "wallet_unknown_key"
	codeDecrypt            errcode.Code = errcode.DecryptFailed
)
