package qr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mode selects how strictly [Parse] applies EMVCo Merchant-Presented Mode.
type Mode int

const (
	// Lenient accepts the deviations that real national schemes ship —
	// PromptPay and VietQR without 52, 59 or 60, DuitNow's format indicator
	// "02", a lower-case CRC, a missing country code, names outside the
	// EMVCo character set — and lists each in [Payload.Warnings]. The data
	// object structure and the CRC are still checked in full.
	Lenient Mode = iota
	// Strict returns [ErrMalformed] for every deviation from EMVCo MPM v1.1
	// that Lenient would list as a warning. Parse treats any Mode other
	// than Lenient as Strict.
	Strict
)

// maxChars is the EMVCo limit on a whole payload, in characters.
const maxChars = 512

// Object is one ID-length-value data object. Value is the raw value; for a
// template (IDs 26–51, 62, 64, 80–99, and 50–99 inside 62) Children holds
// its parsed sub-objects, in order.
type Object struct {
	ID       string
	Value    string
	Children []Object
}

// Payload is a parsed merchant-presented payload. Objects are in payload
// order, including "00" and "63".
type Payload struct {
	Objects []Object
	// Raw is the payload exactly as given to Parse.
	Raw string
	// Warnings lists, in [Lenient] mode, the deviations from EMVCo MPM v1.1
	// that [Strict] mode would refuse. It is empty for a conforming payload.
	Warnings []string
}

// Parse parses an EMVCo merchant-presented payload and checks its CRC.
//
// Lengths count characters (Unicode code points), not bytes; the CRC covers
// the UTF-8 bytes up to and including "6304". Parse returns an error
// wrapping [ErrMalformed] or [ErrBadCRC]. Structure is checked first, then
// the CRC, then, in [Strict] mode, the field rules.
func Parse(s string, mode Mode) (*Payload, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("qr: invalid UTF-8: %w", ErrMalformed)
	}
	if s == "" {
		return nil, fmt.Errorf("qr: empty payload: %w", ErrMalformed)
	}
	if n := utf8.RuneCountInString(s); n > maxChars {
		return nil, fmt.Errorf("qr: payload of %d characters, more than %d: %w", n, maxChars, ErrMalformed)
	}
	var opaque []string
	objs, err := parseObjects(s, -1, &opaque)
	if err != nil {
		return nil, err
	}
	if objs[0].ID != "00" {
		return nil, fmt.Errorf("qr: object %s first, want payload format indicator 00: %w", objs[0].ID, ErrMalformed)
	}
	if len(objs[0].Value) != 2 || !isDigits(objs[0].Value) {
		return nil, fmt.Errorf("qr: object 00: payload format indicator is not two digits: %w", ErrMalformed)
	}
	last := objs[len(objs)-1]
	if last.ID != "63" {
		for _, o := range objs {
			if o.ID == "63" {
				return nil, fmt.Errorf("qr: object 63: data follows the CRC: %w", ErrMalformed)
			}
		}
		return nil, fmt.Errorf("qr: object 63: CRC missing: %w", ErrMalformed)
	}
	if len(last.Value) != 4 || utf8.RuneCountInString(last.Value) != 4 {
		return nil, fmt.Errorf("qr: object 63: CRC of %d characters, want 4: %w", utf8.RuneCountInString(last.Value), ErrMalformed)
	}
	got, lower, ok := parseHex16(last.Value)
	if !ok {
		return nil, fmt.Errorf("qr: object 63: CRC is not hexadecimal: %w", ErrMalformed)
	}
	if want := crc16String(s[:len(s)-4]); got != want {
		return nil, fmt.Errorf("qr: object 63: CRC is %s, computed %s: %w", strings.ToUpper(last.Value), crcHex(want), ErrBadCRC)
	}
	p := &Payload{Objects: objs, Raw: s}
	var dev []string
	if lower {
		dev = append(dev, "object 63: CRC in lower-case hex")
	}
	dev = append(dev, opaque...)
	dev = appendDeviations(dev, objs)
	if len(dev) > 0 {
		if mode != Lenient {
			return nil, fmt.Errorf("qr: strict mode: %s: %w", strings.Join(dev, "; "), ErrMalformed)
		}
		p.Warnings = dev
	}
	return p, nil
}

// parseObjects splits s into data objects. parent is the enclosing
// template's ID, or -1 at the top level; it decides which IDs are templates
// and names objects in errors.
//
// A template whose value is not a sequence of data objects is an error,
// except in the proprietary areas — unreserved templates 80–99 and the
// payment system specific templates 50–99 inside 62 — where real schemes
// put raw data (DuitNow's tag 82 carries a bare hex digest). There the
// object keeps its Value, gets no Children, and a deviation is appended to
// *opaque, so that Lenient mode accepts it and Strict mode refuses it.
func parseObjects(s string, parent int, opaque *[]string) ([]Object, error) {
	// An object takes 4 characters plus its value; real payloads average
	// about 12, so this capacity rarely needs to grow.
	objs := make([]Object, 0, len(s)/10+2)
	var seen [100]bool
	for i := 0; i < len(s); {
		if len(s)-i < 4 {
			return nil, fmt.Errorf("qr: %s: %d characters left, too few for an ID and a length: %w",
				where(parent, -1), utf8.RuneCountInString(s[i:]), ErrMalformed)
		}
		id, ok := twoDigits(s[i], s[i+1])
		if !ok {
			return nil, fmt.Errorf("qr: %s: ID is not two digits: %w", where(parent, -1), ErrMalformed)
		}
		n, ok := twoDigits(s[i+2], s[i+3])
		if !ok {
			return nil, fmt.Errorf("qr: %s: length is not two digits: %w", where(parent, id), ErrMalformed)
		}
		j := i + 4
		for k := range n {
			if j >= len(s) {
				return nil, fmt.Errorf("qr: %s: length %d exceeds the %d characters left: %w", where(parent, id), n, k, ErrMalformed)
			}
			if s[j] < utf8.RuneSelf {
				j++
			} else {
				_, size := utf8.DecodeRuneInString(s[j:])
				j += size
			}
		}
		if seen[id] {
			return nil, fmt.Errorf("qr: %s: duplicate ID: %w", where(parent, id), ErrMalformed)
		}
		seen[id] = true
		o := Object{ID: s[i : i+2], Value: s[i+4 : j]}
		if isTemplate(parent, id) {
			c, err := parseObjects(o.Value, id, opaque)
			switch {
			case err == nil:
				o.Children = c
			case mayBeOpaque(parent, id):
				*opaque = append(*opaque, where(parent, id)+": template value is not data objects")
			default:
				return nil, err
			}
		}
		objs = append(objs, o)
		i = j
	}
	return objs, nil
}

// isTemplate reports whether id, inside parent (-1 for the top level), is a
// template whose value holds data objects.
func isTemplate(parent, id int) bool {
	switch parent {
	case -1:
		return id >= 26 && id <= 51 || id == 62 || id == 64 || id >= 80
	case 62:
		// Payment system specific templates, EMVCo MPM v1.1 §4.8.
		return id >= 50
	}
	return false
}

// mayBeOpaque reports whether template id inside parent may hold raw data
// in Lenient mode (see parseObjects).
func mayBeOpaque(parent, id int) bool {
	return parent < 0 && id >= 80 || parent == 62
}

// where names an object for an error message: "object 62/05", or the
// enclosing template when the ID itself is unreadable.
func where(parent, id int) string {
	switch {
	case parent < 0 && id < 0:
		return "payload"
	case parent < 0:
		return fmt.Sprintf("object %02d", id)
	case id < 0:
		return fmt.Sprintf("template %02d", parent)
	}
	return fmt.Sprintf("object %02d/%02d", parent, id)
}

func twoDigits(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// parseHex16 parses four hex digits; lower reports a lower-case digit.
func parseHex16(s string) (v uint16, lower, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
			lower = true
		default:
			return 0, false, false
		}
		v = v<<4 | uint16(d)
	}
	return v, lower, true
}

// Build encodes objs in order — a template from its Children when they are
// non-nil, otherwise from its Value — and appends "6304" and the CRC in
// upper-case hex. objs must start with "00" and must not contain "63".
//
// Build returns an error wrapping [ErrMalformed] for anything [Parse] would
// refuse in [Lenient] mode: an ID that is not two digits, a duplicate ID, a
// value over 99 characters, invalid UTF-8, Children on an ID that is not a
// template, the Value of a template 26–51, 62 or 64 that is not data
// objects, or a result over 512 characters. Like Lenient Parse, it accepts
// raw data as the Value of templates 80–99 and of 62's templates 50–99. It
// does not apply the [Strict] field rules.
func Build(objs []Object) (string, error) {
	if len(objs) == 0 || objs[0].ID != "00" {
		return "", fmt.Errorf("qr: build: payload format indicator 00 must come first: %w", ErrMalformed)
	}
	var b strings.Builder
	b.Grow(256)
	if err := encodeObjects(&b, objs, -1); err != nil {
		return "", err
	}
	b.WriteString("6304")
	b.WriteString(crcHex(crc16String(b.String())))
	out := b.String()
	if n := utf8.RuneCountInString(out); n > maxChars {
		return "", fmt.Errorf("qr: build: payload of %d characters, more than %d: %w", n, maxChars, ErrMalformed)
	}
	return out, nil
}

func encodeObjects(b *strings.Builder, objs []Object, parent int) error {
	var seen [100]bool
	for _, o := range objs {
		if len(o.ID) != 2 {
			return fmt.Errorf("qr: build: %s: ID is not two digits: %w", where(parent, -1), ErrMalformed)
		}
		id, ok := twoDigits(o.ID[0], o.ID[1])
		if !ok {
			return fmt.Errorf("qr: build: %s: ID is not two digits: %w", where(parent, -1), ErrMalformed)
		}
		if parent < 0 && id == 63 {
			return fmt.Errorf("qr: build: object 63: the CRC is added by Build: %w", ErrMalformed)
		}
		if seen[id] {
			return fmt.Errorf("qr: build: %s: duplicate ID: %w", where(parent, id), ErrMalformed)
		}
		seen[id] = true
		v := o.Value
		switch {
		case o.Children != nil && !isTemplate(parent, id):
			return fmt.Errorf("qr: build: %s: has children but is not a template: %w", where(parent, id), ErrMalformed)
		case o.Children != nil:
			var cb strings.Builder
			if err := encodeObjects(&cb, o.Children, id); err != nil {
				return err
			}
			v = cb.String()
		default:
			if !utf8.ValidString(v) {
				return fmt.Errorf("qr: build: %s: invalid UTF-8: %w", where(parent, id), ErrMalformed)
			}
			if isTemplate(parent, id) && !mayBeOpaque(parent, id) {
				var opaque []string
				if _, err := parseObjects(v, id, &opaque); err != nil {
					return fmt.Errorf("qr: build: %w", err)
				}
			}
		}
		n := utf8.RuneCountInString(v)
		if n > 99 {
			return fmt.Errorf("qr: build: %s: value of %d characters, more than 99: %w", where(parent, id), n, ErrMalformed)
		}
		b.WriteString(o.ID)
		b.WriteByte(byte('0' + n/10))
		b.WriteByte(byte('0' + n%10))
		b.WriteString(v)
	}
	return nil
}

// Get returns the top-level object with the given ID.
func (p *Payload) Get(id string) (Object, bool) {
	for _, o := range p.Objects {
		if o.ID == id {
			return o, true
		}
	}
	return Object{}, false
}

// Lookup returns the value at a path of IDs through templates:
// Lookup("59") is the merchant name, Lookup("62", "05") the reference label.
func (p *Payload) Lookup(path ...string) (string, bool) {
	if len(path) == 0 {
		return "", false
	}
	objs := p.Objects
	for i, id := range path {
		o, ok := find(objs, id)
		if !ok {
			return "", false
		}
		if i == len(path)-1 {
			return o.Value, true
		}
		objs = o.Children
	}
	return "", false
}

func find(objs []Object, id string) (Object, bool) {
	for _, o := range objs {
		if o.ID == id {
			return o, true
		}
	}
	return Object{}, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
