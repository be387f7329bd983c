package envelope

import (
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// The tests of this package cover envelope v1 whole, including the parts
// that sealing and opening share, which live in sdk/internal/sealer. These
// are the names the tests know them by.
var (
	b64                = sealer.B64
	decodeB64          = sealer.DecodeB64
	checkJSON          = sealer.CheckJSON
	parseObject        = sealer.ParseObject
	object             = sealer.Object
	array              = sealer.Array
	jsonString         = sealer.JSONString
	jsonInt            = sealer.JSONInt
	errDuplicateMember = sealer.ErrDuplicateMember
	errTooDeep         = sealer.ErrTooDeep
	appendString       = sealer.AppendString
	appendCard         = sealer.AppendCard
	cardJSON           = sealer.CardJSON
	thumbprint         = sealer.Thumbprint
	okpThumbprint      = sealer.OKPThumbprint
	parsePublicJWK     = sealer.ParsePublicJWK
	validKeyID         = sealer.ValidKeyID
	validMerchantID    = sealer.ValidMerchantID
	validOrigin        = sealer.ValidOrigin
	validJTI           = sealer.ValidJTI
	keySetError        = sealer.KeySetError
)

const (
	maxSafeInteger = sealer.MaxSafeInteger
	maxLifetime    = sealer.MaxLifetime
	maxAudLength   = sealer.MaxAudLength
	jtiSize        = sealer.JTISize
	x25519Size     = sealer.X25519Size
	envelopeInfo   = sealer.Info

	maxJSONDepth        = sealer.MaxJSONDepth
	maxPublicKeySetSize = sealer.MaxPublicKeySetSize
)

func isB64URLChar(c byte) bool { return sealer.ValidKeyID(string(c)) }

// seal is [Seal] with the jti given.
func seal(pub *PublicKeySet, c card.Card, opts SealOptions, jti string) (string, error) {
	return sealer.SealWithJTI(&pub.set, c, sealer.SealOptions(opts), jti)
}

// sealTo seals pt under the header bytes hb to the public key x.
func sealTo(x []byte, hb, pt []byte) (string, error) {
	return sealer.SealTo(sealer.PublicKey{KeyID: thumbprint(x), X: x}, hb, pt)
}
