package envelope

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// flipDigest is SHA-256 over "index bit code\n" for every single-bit flip of
// valid vector 1, in order. It changes whenever any outcome changes.
const flipDigest = "3d17afe4227ffdebbc5af5edea87039be7d7a937658cfd21896cf3b530dde601"

// TestBitFlips flips every bit of a valid envelope, one at a time, and
// opens the result with the merchant and origin pinned. No flip may open,
// and each must fail with exactly the code of the first check it breaks:
//
//   - in "sp1.": unsupported_version;
//   - in a separator: invalid_envelope (the part count or the base64 breaks);
//   - in enc or ct: invalid_envelope if the part stops being canonical
//     base64url of the right length, otherwise decrypt_failed;
//   - in the header: invalid_envelope if it stops being canonical base64url
//     or a valid header; otherwise the header still decodes, and the flip
//     may have changed a field that is checked before decryption — the kid
//     (unknown_key), iat or exp beyond the skew (envelope_expired,
//     envelope_not_yet_valid), mid (wrong_merchant), aud (wrong_origin) —
//     and if it changed none of them, decrypt_failed, because the aad
//     changed.
func TestBitFlips(t *testing.T) {
	vf := loadVectors(t)
	v := vf.Valid[0]
	ks := vectorKeySet(t)
	orig, err := parseHeader([]byte(v.Header))
	if err != nil {
		t.Fatal(err)
	}
	opts := OpenOptions{MerchantID: v.MID, Origin: v.Aud, Now: time.Unix(v.IAT, 0)}
	s := v.Envelope
	hEnd := len("sp1.") + len(strings.Split(s, ".")[1])
	eEnd := hEnd + 1 + len(strings.Split(s, ".")[2])

	digest := sha256.New()
	counts := map[errcode.Code]int{}
	for i := 0; i < len(s); i++ {
		for bit := 0; bit < 8; bit++ {
			b := []byte(s)
			b[i] ^= 1 << bit
			flipped := string(b)
			_, err := Open(ks, flipped, opts)
			if err == nil {
				t.Fatalf("flip of byte %d bit %d opened", i, bit)
			}
			got := errcode.Of(err)
			want := expectedFlipCode(orig, flipped, opts.Now.Unix())
			if got != want {
				t.Errorf("flip of byte %d bit %d: Open = %s (%v), want %s", i, bit, got, err, want)
			}
			var allowed []errcode.Code
			switch {
			case i < len("sp1."):
				allowed = []errcode.Code{errcode.UnsupportedVersion}
			case i == hEnd || i == eEnd:
				allowed = []errcode.Code{errcode.InvalidEnvelope}
			case i > hEnd:
				allowed = []errcode.Code{errcode.InvalidEnvelope, errcode.DecryptFailed}
			default:
				allowed = []errcode.Code{errcode.InvalidEnvelope, errcode.UnknownKey, errcode.EnvelopeExpired,
					errcode.EnvelopeNotYetValid, errcode.WrongMerchant, errcode.WrongOrigin, errcode.DecryptFailed}
			}
			if !containsCode(allowed, got) {
				t.Errorf("flip of byte %d bit %d: Open = %s, want one of %v", i, bit, got, allowed)
			}
			counts[got]++
			fmt.Fprintf(digest, "%d %d %s\n", i, bit, got)
		}
	}
	for _, c := range []errcode.Code{errcode.UnsupportedVersion, errcode.InvalidEnvelope, errcode.DecryptFailed} {
		if counts[c] == 0 {
			t.Errorf("no flip gave %s", c)
		}
	}
	t.Logf("outcomes of %d flips: %v", 8*len(s), counts)
	if got := hex.EncodeToString(digest.Sum(nil)); got != flipDigest {
		t.Errorf("flip outcome digest = %s, want %s", got, flipDigest)
	}
}

// expectedFlipCode restates Open's check order for a flipped envelope.
func expectedFlipCode(orig header, s string, now int64) errcode.Code {
	if !strings.HasPrefix(s, "sp1.") {
		return errcode.UnsupportedVersion
	}
	parts := strings.Split(s[len("sp1."):], ".")
	if len(parts) != 3 {
		return errcode.InvalidEnvelope
	}
	hb, okH := decodeB64(parts[0])
	enc, okE := decodeB64(parts[1])
	ct, okC := decodeB64(parts[2])
	if !okH || !okE || !okC || len(hb) == 0 || len(enc) != 32 || len(ct) < 16 {
		return errcode.InvalidEnvelope
	}
	h, err := parseHeader(hb)
	switch {
	case err != nil:
		return errcode.InvalidEnvelope
	case h.Kid != orig.Kid:
		return errcode.UnknownKey
	case now > h.Exp+300:
		return errcode.EnvelopeExpired
	case now < h.Iat-300:
		return errcode.EnvelopeNotYetValid
	case h.Mid != orig.Mid:
		return errcode.WrongMerchant
	case h.Aud != orig.Aud:
		return errcode.WrongOrigin
	}
	return errcode.DecryptFailed
}

func containsCode(list []errcode.Code, c errcode.Code) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}
