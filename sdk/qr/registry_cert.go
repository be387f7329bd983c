package qr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// certInfo is the domain-separation prefix of the bytes a root signs in a
// certificate; see docs/qr-v1.md.
const certInfo = "sealpay/qr/cert/v1\x00"

// Certificate says that a registry root reviewed a merchant at onboarding
// and vouches for its QR signing key: who the merchant is, the names it may
// put in its QR codes' payee field (ID "59"), the accounts its codes may
// pay into, the web domains that are its own, and when the key may be
// used.
type Certificate struct {
	// MerchantID is the registry's ID for the merchant: 1 to 32 characters
	// of A–Z, a–z, 0–9, ".", "_" and "-". Signed QR codes carry it.
	MerchantID string
	// Name is the verified display name shown to shoppers (1 to 64
	// characters). It is also an accepted payee name if it fits in ID 59.
	Name string
	// Names are further payee names (ID "59", at most 25 characters each)
	// registered for the merchant, such as the upper-case name its bank
	// prints in its Pix or PromptPay code.
	Names []string
	// Accounts are the merchant's registered payee accounts: merchant
	// account information objects (IDs 02–51) as its codes carry them — a
	// card network's merchant identifier (02–25), or a template (26–51)
	// whose sub-object 00 names the scheme, such as the Pix key
	// {ID: "26", Value: "0014br.gov.bcb.pix0136123e4567-…"}. A signed code
	// verifies only if it has at least one account object and each is one
	// of these; a template matches in any of the IDs 26–51, since its
	// GUID, not its ID, names the scheme. Up to 16; [RootKey.Certify]
	// encodes templates given as Children and drops duplicates. The
	// [Payload.Accounts] of the merchant's static code are what [Sign]
	// needs.
	//
	// At least one is required: a certificate that bound only the payee
	// name would let a leaked key vouch for a code that pays anyone under
	// the merchant's name. [RootKey.Certify] also applies the registry's
	// rules for known schemes (a Pix key's shape, one PromptPay proxy).
	Accounts []Object
	// Domains are the merchant's web domains, in lower-case ASCII (IDNA
	// A-labels). URL checks treat look-alikes of them as suspicious.
	Domains []string
	// KeyID is the ID of PublicKey; [RootKey.Certify] fills it in.
	KeyID string
	// PublicKey is the merchant's Ed25519 QR signing key.
	PublicKey ed25519.PublicKey
	// NotBefore and NotAfter bound the key's use, to the second.
	NotBefore, NotAfter time.Time
	// RootID and Signature are the certifying root's key ID and its
	// signature; [RootKey.Certify] fills them in.
	RootID    string
	Signature []byte
}

// certJSON is a certificate on the wire.
type certJSON struct {
	MerchantID string   `json:"mid"`
	Name       string   `json:"name"`
	Names      []string `json:"names,omitempty"`
	Accounts   []string `json:"accounts,omitempty"`
	Domains    []string `json:"domains,omitempty"`
	KeyID      string   `json:"kid"`
	X          string   `json:"x"`
	NotBefore  int64    `json:"not_before"`
	NotAfter   int64    `json:"not_after"`
	RootID     string   `json:"root"`
	Signature  string   `json:"sig"`
}

// MarshalJSON encodes the certificate as in docs/qr-v1.md.
func (c Certificate) MarshalJSON() ([]byte, error) {
	return json.Marshal(certJSON{
		MerchantID: c.MerchantID, Name: c.Name, Names: c.Names, Accounts: c.accountStrings(), Domains: c.Domains,
		KeyID: c.KeyID, X: b64.EncodeToString(c.PublicKey),
		NotBefore: c.NotBefore.Unix(), NotAfter: c.NotAfter.Unix(),
		RootID: c.RootID, Signature: b64.EncodeToString(c.Signature),
	})
}

// UnmarshalJSON decodes a certificate and checks its fields, including that
// the key is not weak, but not its signature: that needs the root, and is
// done by [LoadTrustBundle].
func (c *Certificate) UnmarshalJSON(b []byte) error {
	var j certJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("qr: certificate is not a JSON object of the right shape: %w", ErrInvalidCertificate)
	}
	pub, ok := decodeB64(j.X)
	if !ok {
		return fmt.Errorf("qr: certificate: x is not canonical base64url: %w", ErrInvalidCertificate)
	}
	sig, ok := decodeB64(j.Signature)
	if !ok || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("qr: certificate: sig is not a 64-byte base64url signature: %w", ErrInvalidCertificate)
	}
	var accounts []Object
	for _, a := range j.Accounts {
		o, err := parseAccount(a)
		if err != nil {
			return fmt.Errorf("qr: certificate: %v: %w", err, ErrInvalidCertificate)
		}
		accounts = append(accounts, o)
	}
	nc := Certificate{
		MerchantID: j.MerchantID, Name: j.Name, Names: j.Names, Accounts: accounts, Domains: j.Domains,
		KeyID: j.KeyID, PublicKey: pub,
		NotBefore: time.Unix(j.NotBefore, 0).UTC(), NotAfter: time.Unix(j.NotAfter, 0).UTC(),
		RootID: j.RootID, Signature: sig,
	}
	if err := nc.check(); err != nil {
		return err
	}
	*c = nc
	return nil
}

// ParseCertificate parses a certificate file as written by the registry
// and checks its fields (see [Certificate.UnmarshalJSON]).
func ParseCertificate(b []byte) (*Certificate, error) {
	if err := checkJSON(b, 4); err != nil {
		return nil, fmt.Errorf("qr: certificate: %v: %w", err, ErrInvalidCertificate)
	}
	c := new(Certificate)
	if err := json.Unmarshal(b, c); err != nil {
		return nil, err
	}
	return c, nil
}

// check validates every field but the signature.
func (c *Certificate) check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("qr: certificate: "+format+": %w", append(a, ErrInvalidCertificate)...)
	}
	if !validMerchantID(c.MerchantID) {
		return bad("merchant ID is not 1–32 characters of A–Z a–z 0–9 . _ -")
	}
	if !validText(c.Name, 64) {
		return bad("display name is empty, longer than 64 characters or holds control characters")
	}
	for _, n := range c.Names {
		if !validText(n, 25) {
			return bad("payee name is empty, longer than 25 characters or holds control characters")
		}
	}
	if err := checkAccounts(c.Accounts); err != nil {
		return bad("%v", err)
	}
	for _, d := range c.Domains {
		if nd, err := normalizeDomain(d); err != nil || nd != d {
			return bad("domain %q is not a lower-case ASCII host name", truncate(d, 64))
		}
	}
	if err := checkPublicKey(c.PublicKey); err != nil {
		return bad("%v", err)
	}
	if c.KeyID != keyID(c.PublicKey) {
		return bad("kid does not match the key")
	}
	if !c.NotBefore.Before(c.NotAfter) {
		return bad("not_before is not before not_after")
	}
	if c.RootID == "" || len(c.RootID) > 64 {
		return bad("root key ID missing")
	}
	return nil
}

// signedBytes is what the root signs: certInfo followed by the fields,
// each length-prefixed, in a fixed order (docs/qr-v1.md, "Certificates").
func (c *Certificate) signedBytes() []byte {
	b := make([]byte, 0, 256)
	b = append(b, certInfo...)
	str := func(s string) {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	list := func(l []string) {
		b = binary.BigEndian.AppendUint16(b, uint16(len(l)))
		for _, s := range l {
			str(s)
		}
	}
	str(c.RootID)
	str(c.MerchantID)
	str(c.Name)
	list(c.Names)
	list(c.Domains)
	list(c.accountStrings())
	str(c.KeyID)
	str(string(c.PublicKey))
	b = binary.BigEndian.AppendUint64(b, uint64(c.NotBefore.Unix()))
	b = binary.BigEndian.AppendUint64(b, uint64(c.NotAfter.Unix()))
	return b
}

// verify checks the certificate's signature with the root's public key.
func (c *Certificate) verify(root ed25519.PublicKey) bool {
	return ed25519.Verify(root, c.signedBytes(), c.Signature)
}

// clone returns a deep copy.
func (c *Certificate) clone() Certificate {
	n := *c
	n.Names = slices.Clone(c.Names)
	n.Accounts = cloneObjects(c.Accounts)
	n.Domains = slices.Clone(c.Domains)
	n.PublicKey = bytes.Clone(c.PublicKey)
	n.Signature = bytes.Clone(c.Signature)
	return n
}

// Certify signs a merchant certificate: the registry's statement that the
// merchant passed onboarding review. From tmpl it takes MerchantID, Name,
// Names, Accounts (at least one; encoded as in codes, checked against the
// rules of known schemes, duplicates dropped), Domains
// (normalised to lower-case A-labels), PublicKey, NotBefore and NotAfter
// (truncated to the second); it fills in KeyID, RootID and Signature, and
// returns a new certificate.
func (k *RootKey) Certify(tmpl Certificate) (*Certificate, error) {
	c := tmpl.clone()
	c.NotBefore = c.NotBefore.Truncate(time.Second).UTC()
	c.NotAfter = c.NotAfter.Truncate(time.Second).UTC()
	c.Accounts = nil
	for _, a := range tmpl.Accounts {
		o, err := canonicalAccount(a)
		if err == nil {
			err = checkAccountScheme(o)
		}
		if err != nil {
			return nil, fmt.Errorf("qr: certificate: %v: %w", err, ErrInvalidCertificate)
		}
		if !slices.ContainsFunc(c.Accounts, func(b Object) bool { return sameAccount(b, o) }) {
			c.Accounts = append(c.Accounts, o)
		}
	}
	c.Domains = c.Domains[:0:0]
	for _, d := range tmpl.Domains {
		nd, err := normalizeDomain(d)
		if err != nil {
			return nil, fmt.Errorf("qr: certificate: domain %q: %v: %w", truncate(d, 64), err, ErrInvalidCertificate)
		}
		if !slices.Contains(c.Domains, nd) {
			c.Domains = append(c.Domains, nd)
		}
	}
	if len(c.PublicKey) == ed25519.PublicKeySize {
		c.KeyID = keyID(c.PublicKey)
	}
	c.RootID = k.k.kid
	if err := c.check(); err != nil {
		return nil, err
	}
	c.Signature = ed25519.Sign(k.k.priv, c.signedBytes())
	return &c, nil
}

// payeeAllowed reports whether name, the payee field of a QR code, is one
// of the certificate's names: equal ignoring case and runs of spaces.
func (c *Certificate) payeeAllowed(name string) bool {
	if sameName(name, c.Name) {
		return true
	}
	for _, a := range c.Names {
		if sameName(name, a) {
			return true
		}
	}
	return false
}

// sameName reports whether two names are equal and not empty once folded:
// lower-cased, with runs of white space made one space and leading and
// trailing space removed. It folds as it compares, allocating nothing.
func sameName(a, b string) bool {
	fa, fb := nameFolder{s: a}, nameFolder{s: b}
	empty := true
	for {
		ra, rb := fa.next(), fb.next()
		if ra != rb {
			return false
		}
		if ra < 0 {
			return !empty
		}
		empty = false
	}
}

// nameFolder yields the runes of strings.ToLower(strings.Join(strings.Fields(s), " ")).
type nameFolder struct {
	s       string
	i       int
	started bool // a non-space rune was yielded
	space   bool // white space since the last rune
}

// next returns the next rune, or -1 at the end.
func (f *nameFolder) next() rune {
	for f.i < len(f.s) {
		r, size := utf8.DecodeRuneInString(f.s[f.i:])
		if unicode.IsSpace(r) {
			f.i += size
			f.space = f.started
			continue
		}
		if f.space {
			f.space = false
			return ' '
		}
		f.i += size
		f.started = true
		return unicode.ToLower(r)
	}
	return -1
}

// validAt reports whether now is in the certificate's validity window,
// widened by the clock skew.
func (c *Certificate) validAt(now time.Time) bool {
	return !now.Before(c.NotBefore.Add(-clockSkew)) && !now.After(c.NotAfter.Add(clockSkew))
}

func validMerchantID(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validText accepts 1 to max characters of valid UTF-8 with no control or
// format characters and no leading or trailing space.
func validText(s string, max int) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// domainProfile converts registered domains to A-labels with the rules
// browsers use for lookup.
var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true), idna.Transitional(false))

// normalizeDomain returns a domain name as lower-case ASCII A-labels, with
// at least two labels and no trailing dot.
func normalizeDomain(d string) (string, error) {
	a, err := domainProfile.ToASCII(strings.TrimSuffix(d, "."))
	if err != nil {
		return "", fmt.Errorf("not a valid domain name")
	}
	if !strings.Contains(a, ".") || len(a) > 253 {
		return "", fmt.Errorf("not a registrable domain name")
	}
	if isIPLike(a) {
		return "", fmt.Errorf("an IP address, not a domain name")
	}
	return a, nil
}
