package qr

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The signature templates of docs/qr-v1.md §2: their fields, the signed
// message, the canonical layout, and how a verifier finds them. Sign and
// Verify share this code, so that what one writes is what the other
// requires. The verifier's path allocates nothing: it runs for every
// scanned code, in the browser too.

// sigFields are the contents of the signature templates.
type sigFields struct {
	merchantID string
	keyID      string
	expiry     int64
	expiryText string // expiry in decimal, as in sub-object 03
	nonce      string
	sig        [ed25519.SignatureSize]byte
}

// b64Strict decodes base64url without padding and refuses non-zero
// trailing bits. (Encoding.Strict returns a new Encoding on every call.)
var b64Strict = base64.RawURLEncoding.Strict()

// decodeB64Into decodes s, canonical base64url of exactly len(dst) bytes,
// into dst, without allocating. It refuses what decodeB64 refuses: the
// strict decoder refuses padding and non-zero trailing bits, and the line
// breaks that encoding/base64 would skip are refused here.
func decodeB64Into[T string | []byte](dst []byte, s T) bool {
	var src [128]byte
	if len(s) != b64.EncodedLen(len(dst)) || len(s) > len(src) {
		return false
	}
	copy(src[:], s)
	for _, c := range src[:len(s)] {
		if c == '\r' || c == '\n' {
			return false
		}
	}
	n, err := b64Strict.Decode(dst, src[:len(s)])
	return err == nil && n == len(dst)
}

// appendTLV appends one ID-length-value object; v is at most 99
// characters.
func appendTLV(b []byte, id, v string) []byte {
	n := utf8.RuneCountInString(v)
	b = append(b, id...)
	b = append(b, byte('0'+n/10), byte('0'+n%10))
	return append(b, v...)
}

// appendMessage appends M, what the merchant key signs (docs/qr-v1.md
// §2.3): sigInfo, the signature fields 01–04 as data objects, then prefix,
// the payload up to the first signature template (which is also
// everything before "6304").
func (s *sigFields) appendMessage(b []byte, prefix string) []byte {
	b = append(b, sigInfo...)
	b = appendTLV(b, sigMerchantID, s.merchantID)
	b = appendTLV(b, sigKeyID, s.keyID)
	b = appendTLV(b, sigExpiry, s.expiryText)
	b = appendTLV(b, sigNonce, s.nonce)
	return append(b, prefix...)
}

// errNoTemplateID is returned when 80–99 has too few free IDs.
var errNoTemplateID = errors.New("no free template IDs in 80–99 for the signature")

// openTemplate appends the start of a signature template — its ID, a
// length to be set by closeTemplate, and the GUID — taking the first ID
// from next on in 80–99 that used leaves free. It returns where the
// template starts in b, and the ID to try next.
func openTemplate(b []byte, used *[100]bool, next int) (_ []byte, start, after int, err error) {
	for next <= 99 && used[next] {
		next++
	}
	if next > 99 {
		return nil, 0, 0, errNoTemplateID
	}
	start = len(b)
	b = append(b, byte('0'+next/10), byte('0'+next%10), '0', '0')
	return appendTLV(b, "00", sigGUID), start, next + 1, nil
}

// closeTemplate writes the length, n characters, of the template at start.
func closeTemplate(b []byte, start, n int) {
	b[start+2], b[start+3] = byte('0'+n/10), byte('0'+n%10)
}

// sigPartIDs are the sub-object IDs of the signature's parts.
var sigPartIDs = [sigMaxParts]string{"05", "06", "07"}

// guidSize is the size of the GUID object that opens each template.
const guidSize = 4 + len(sigGUID)

// appendTemplates appends the signature templates in their canonical
// layout (docs/qr-v1.md §2.2): whole objects 01–04 in order, a template
// closed before an object that would take it past 99 characters, then
// sigText, the base64url signature, split into 05, 06 (and 07) to fill
// each template, a new one started when fewer than 8 characters are left.
// used marks the top-level IDs the payload already has.
//
// It is written without helpers that keep b, so that a caller's buffer
// on the stack stays there.
func (s *sigFields) appendTemplates(b, sigText []byte, used *[100]bool) ([]byte, error) {
	b, start, next, err := openTemplate(b, used, 80)
	if err != nil {
		return nil, err
	}
	n := guidSize
	for _, o := range [...]struct{ id, v string }{
		{sigMerchantID, s.merchantID}, {sigKeyID, s.keyID}, {sigExpiry, s.expiryText}, {sigNonce, s.nonce},
	} {
		size := 4 + utf8.RuneCountInString(o.v)
		if n+size > maxTemplateValue {
			closeTemplate(b, start, n)
			if b, start, next, err = openTemplate(b, used, next); err != nil {
				return nil, err
			}
			n = guidSize
		}
		b = appendTLV(b, o.id, o.v)
		n += size
	}
	for part := 0; len(sigText) > 0; part++ {
		if part >= sigMaxParts {
			return nil, errors.New("merchant ID too long for the signature templates")
		}
		room := maxTemplateValue - n - 4
		if room < 8 { // not worth a fragment
			closeTemplate(b, start, n)
			if b, start, next, err = openTemplate(b, used, next); err != nil {
				return nil, err
			}
			n = guidSize
			room = maxTemplateValue - n - 4
		}
		k := min(room, len(sigText)) // sigText is ASCII: bytes are characters
		b = append(b, sigPartIDs[part]...)
		b = append(b, byte('0'+k/10), byte('0'+k%10))
		b = append(b, sigText[:k]...)
		n += 4 + k
		sigText = sigText[k:]
	}
	closeTemplate(b, start, n)
	return b, nil
}

// isSigTemplate reports whether o is a Sealpay signature template.
func isSigTemplate(o Object) bool {
	if len(o.ID) != 2 || o.ID < "80" || o.ID > "99" || len(o.Children) == 0 {
		return false
	}
	return o.Children[0].ID == "00" && o.Children[0].Value == sigGUID
}

// Why findSignature refuses a payload. They are values, not built per
// call, so that refusing costs no allocation either.
var (
	errSigWrongCase    = errors.New("signature GUID in the wrong case")
	errSigNotLast      = errors.New("signature templates are not the last objects")
	errSigEmpty        = errors.New("empty signature template")
	errSigOrder        = errors.New("signature sub-objects repeated or out of order")
	errSigExpiry       = errors.New("expiry is not Unix seconds")
	errSigNonce        = errors.New("nonce is not 12 bytes of base64url")
	errSigPart         = errors.New("empty or overlong signature part")
	errSigUnknown      = errors.New("unknown signature sub-object")
	errSigFields       = errors.New("signature fields missing or malformed")
	errSigValue        = errors.New("signature is not 64 bytes of base64url")
	errSigNotCanonical = errors.New("signature templates not in canonical form")
)

// findSignature finds the Sealpay signature templates of p and fills s.
// It reports found = false and no error for an unsigned payload, and an
// error when templates with the Sealpay GUID are present but break the
// format: not the last objects before "63", sub-objects missing, repeated,
// out of order or malformed, or any byte of them other than the canonical
// layout would write. prefix is the raw payload before the first template,
// the signed part of the payload.
func findSignature(p *Payload, s *sigFields) (found bool, prefix string, err error) {
	first, offset := -1, 0
	var used [100]bool
	for i, o := range p.Objects {
		if isSigTemplate(o) {
			first = i
			break
		}
		if id := idNumber(o.ID); id >= 0 {
			used[id] = true
		}
		offset += 4 + len(o.Value)
	}
	if first < 0 {
		for _, o := range p.Objects {
			if len(o.ID) == 2 && o.ID >= "80" && len(o.Children) > 0 &&
				o.Children[0].ID == "00" && strings.EqualFold(o.Children[0].Value, sigGUID) {
				return false, "", errSigWrongCase
			}
		}
		return false, "", nil
	}
	*s = sigFields{}
	var sigText [128]byte
	nsig, prev, last := 0, "", len(p.Objects)-1 // p.Objects[last] is "63"
	for i := first; i < last; i++ {
		o := p.Objects[i]
		if !isSigTemplate(o) {
			return false, "", errSigNotLast
		}
		if len(o.Children) < 2 {
			return false, "", errSigEmpty
		}
		for _, c := range o.Children[1:] {
			if c.ID <= prev {
				return false, "", errSigOrder
			}
			prev = c.ID
			switch c.ID {
			case sigMerchantID:
				s.merchantID = c.Value
			case sigKeyID:
				s.keyID = c.Value
			case sigExpiry:
				if c.Value == "" || len(c.Value) > 10 || !isDigits(c.Value) || c.Value[0] == '0' {
					return false, "", errSigExpiry
				}
				s.expiry, _ = strconv.ParseInt(c.Value, 10, 64)
				s.expiryText = c.Value
			case sigNonce:
				var n [nonceSize]byte
				if !decodeB64Into(n[:], c.Value) {
					return false, "", errSigNonce
				}
				s.nonce = c.Value
			case "05", "06", "07":
				if c.Value == "" || nsig+len(c.Value) > len(sigText) {
					return false, "", errSigPart
				}
				nsig += copy(sigText[nsig:], c.Value)
			default:
				return false, "", errSigUnknown
			}
		}
	}
	if !validMerchantID(s.merchantID) || !validKeyID(s.keyID) || s.expiry == 0 || s.nonce == "" {
		return false, "", errSigFields
	}
	if nsig == 0 || !decodeB64Into(s.sig[:], sigText[:nsig]) {
		return false, "", errSigValue
	}
	// The encoding must be the canonical one Sign makes, so that no part
	// of the code — template IDs, where the signature is split — can be
	// changed without breaking it.
	var buf [maxChars]byte
	want, err := s.appendTemplates(buf[:0], sigText[:nsig], &used)
	if err != nil || len(p.Raw) < offset+8 || string(want) != p.Raw[offset:len(p.Raw)-8] {
		return false, "", errSigNotCanonical
	}
	return true, p.Raw[:offset], nil
}
