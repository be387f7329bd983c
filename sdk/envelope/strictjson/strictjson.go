// Package strictjson reads and writes JSON the strict way Sealpay's formats
// ask for, without reflection: a document is exactly one JSON value (RFC
// 8259) in valid UTF-8, no object has two members of the same name
// (compared after unescaping, so "kid" and "k\u0069d" collide), and
// nesting is bounded. encoding/json alone accepts invalid UTF-8 and lets
// the last duplicate win, so two readers of one document could disagree.
//
// For most uses, call [Parse] and walk the [Value] it returns; write
// strings with [AppendString].
//
// It exists so that the browser's card module can read the JWK Set, the
// card and its requests without linking encoding/json and reflect, which
// would add about a third to the module's size. Its decoding agrees with
// encoding/json on every document both accept (the tests compare them), and
// [AppendString] writes the bytes json.Marshal writes.
//
// [RFC 8259]: https://www.rfc-editor.org/rfc/rfc8259.html
package strictjson

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// The errors [Parse] returns. Their messages never quote the input.
var (
	// ErrSyntax is returned for a document that is not one JSON value in
	// valid UTF-8, or has data after the value.
	ErrSyntax = errors.New("strictjson: not a single JSON value in valid UTF-8")
	// ErrDuplicate is returned for an object with two members of one name.
	ErrDuplicate = errors.New("strictjson: duplicate member name")
	// ErrTooDeep is returned for objects and arrays nested deeper than the
	// caller allows.
	ErrTooDeep = errors.New("strictjson: nested too deeply")
)

// Kind is the type of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota + 1
	Bool
	Number
	String
	Object
	Array
)

// A Value is one parsed JSON value. Its zero value has no kind.
type Value struct {
	kind    Kind
	raw     []byte
	text    string
	members []Member
	elems   []Value
}

// A Member is one member of a JSON object.
type Member struct {
	Name  string
	Value Value
}

// Kind returns the value's kind, or 0 for the zero Value.
func (v Value) Kind() Kind { return v.kind }

// Raw returns the value's bytes as they appear in the document, without
// the white space around it. It aliases the document.
func (v Value) Raw() []byte { return v.raw }

// Text returns a string's decoded text, a number's literal as written (for
// strconv to parse), "true" or "false" for a Bool, and "" otherwise.
func (v Value) Text() string { return v.text }

// Int returns the value of a Number written as an integer (no fraction or
// exponent) that fits in a signed integer of bitSize bits (8 to 64): what
// strconv.ParseInt(v.Text(), 10, bitSize) gives without an error. It
// reports false for anything else. Unlike strconv, it links no error
// values that quote their input.
func (v Value) Int(bitSize int) (int64, bool) {
	s := v.text
	if v.kind != Number {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	limit := uint64(1) << (bitSize - 1) // the magnitude of the most negative value
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent
		}
		if n > (limit-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if !neg && n == limit {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// Members returns an object's members in document order, or nil.
func (v Value) Members() []Member { return v.members }

// Elems returns an array's elements in order, or nil.
func (v Value) Elems() []Value { return v.elems }

// Get returns the first member of an object named name.
func (v Value) Get(name string) (Value, bool) {
	for _, m := range v.members {
		if m.Name == name {
			return m.Value, true
		}
	}
	return Value{}, false
}

// Parse parses b, which must be exactly one JSON value in valid UTF-8 with
// optional white space around it. Objects and arrays may nest at most
// maxDepth deep (a lone object is depth 1). Strings are decoded as
// encoding/json decodes them: an escaped lone surrogate becomes U+FFFD.
// When a document has several faults, which of the errors Parse returns is
// not specified.
func Parse(b []byte, maxDepth int) (Value, error) {
	return parse(b, maxDepth, false)
}

// ParseWithDuplicates is [Parse] without the duplicate check: objects keep
// every member, in order. It is for callers that check member names
// themselves and refuse a repeated one in their own words.
func ParseWithDuplicates(b []byte, maxDepth int) (Value, error) {
	return parse(b, maxDepth, true)
}

func parse(b []byte, maxDepth int, dups bool) (Value, error) {
	if !utf8.Valid(b) {
		return Value{}, ErrSyntax
	}
	p := parser{b: b, depth: maxDepth, dups: dups}
	p.space()
	v, err := p.value()
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i != len(p.b) {
		return Value{}, ErrSyntax
	}
	return v, nil
}

// parser is a recursive descent parser over a whole document. depth is the
// nesting still allowed; dups allows duplicate member names.
type parser struct {
	b     []byte
	i     int
	depth int
	dups  bool
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (Value, error) {
	if p.i >= len(p.b) {
		return Value{}, ErrSyntax
	}
	start := p.i
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		if err != nil {
			return Value{}, err
		}
		return Value{kind: String, raw: p.b[start:p.i], text: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		if !p.number() {
			return Value{}, ErrSyntax
		}
		return Value{kind: Number, raw: p.b[start:p.i], text: string(p.b[start:p.i])}, nil
	case p.literal("true"):
		return Value{kind: Bool, raw: p.b[start:p.i], text: "true"}, nil
	case p.literal("false"):
		return Value{kind: Bool, raw: p.b[start:p.i], text: "false"}, nil
	case p.literal("null"):
		return Value{kind: Null, raw: p.b[start:p.i]}, nil
	}
	return Value{}, ErrSyntax
}

// literal consumes word if the document continues with it.
func (p *parser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *parser) object() (Value, error) {
	start := p.i
	if p.depth--; p.depth < 0 {
		return Value{}, ErrTooDeep
	}
	defer func() { p.depth++ }()
	p.i++ // '{'
	p.space()
	v := Value{kind: Object}
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		v.raw = p.b[start:p.i]
		v.members = []Member{}
		return v, nil
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return Value{}, ErrSyntax
		}
		name, err := p.string()
		if err != nil {
			return Value{}, err
		}
		for _, m := range v.members {
			if m.Name == name && !p.dups {
				return Value{}, ErrDuplicate
			}
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return Value{}, ErrSyntax
		}
		p.i++
		p.space()
		val, err := p.value()
		if err != nil {
			return Value{}, err
		}
		v.members = append(v.members, Member{Name: name, Value: val})
		p.space()
		if p.i >= len(p.b) {
			return Value{}, ErrSyntax
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			v.raw = p.b[start:p.i]
			return v, nil
		default:
			return Value{}, ErrSyntax
		}
	}
}

func (p *parser) array() (Value, error) {
	start := p.i
	if p.depth--; p.depth < 0 {
		return Value{}, ErrTooDeep
	}
	defer func() { p.depth++ }()
	p.i++ // '['
	p.space()
	v := Value{kind: Array, elems: []Value{}}
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		v.raw = p.b[start:p.i]
		return v, nil
	}
	for {
		e, err := p.value()
		if err != nil {
			return Value{}, err
		}
		v.elems = append(v.elems, e)
		p.space()
		if p.i >= len(p.b) {
			return Value{}, ErrSyntax
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			v.raw = p.b[start:p.i]
			return v, nil
		default:
			return Value{}, ErrSyntax
		}
	}
}

// number consumes a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() bool {
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

// digits consumes ASCII digits and returns how many.
func (p *parser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// string consumes a string literal and returns its decoded text. The
// document is valid UTF-8, so only escapes need decoding.
func (p *parser) string() (string, error) {
	p.i++ // '"'
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		case c == '\\':
			return p.escapedString(start)
		case c < ' ':
			return "", ErrSyntax
		default:
			p.i++
		}
	}
	return "", ErrSyntax
}

// escapedString finishes a string literal that has escapes, from the first
// backslash at p.i; start is where its text began.
func (p *parser) escapedString(start int) (string, error) {
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < ' ':
			return "", ErrSyntax
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", ErrSyntax
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", ErrSyntax
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by an escaped low one is one
				// character; anything else is U+FFFD, and whatever
				// follows is read on its own (encoding/json does the same).
				if r2, ok := p.peekEscapedRune(); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						p.i += 6
						r = d
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", ErrSyntax
		}
	}
	return "", ErrSyntax
}

// hex4 consumes four hex digits.
func (p *parser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}

// peekEscapedRune returns the rune of a \uXXXX escape at p.i without
// consuming it.
func (p *parser) peekEscapedRune() (rune, bool) {
	if len(p.b)-p.i < 6 || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
		return 0, false
	}
	q := parser{b: p.b, i: p.i + 2}
	return q.hex4()
}
