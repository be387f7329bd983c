package token

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// ErrPlacement is returned by [Placements] for a placeholder that stands
// where no field can be: in a JSON member name, or in a form field's name.
// The edge returns the same code for a placeholder its relay route does
// not allow where it stands.
var ErrPlacement = errcode.New(errcode.RelayRouteForbidden, "token: a placeholder stands outside an allowed field")

// Format is the body format of a relay template.
type Format string

// The formats.
const (
	// FormatJSON is a JSON document (RFC 8259).
	FormatJSON Format = "json"
	// FormatForm is application/x-www-form-urlencoded.
	FormatForm Format = "form"
)

// TemplateFormat returns the format [FillPlaceholders] reads template
// in: JSON if its first non-space byte is '{' or '[', form otherwise.
func TemplateFormat(template []byte) Format {
	if looksJSON(template) {
		return FormatJSON
	}
	return FormatForm
}

// Placement is where one placeholder stands in a template.
type Placement struct {
	// Field is the placeholder's field.
	Field Field
	// At is, in a JSON template, the JSON Pointer (RFC 6901) of the string
	// or number the placeholder is part of ("/card/number"); in a form
	// template, the decoded name of the field whose value holds it
	// ("card[number]").
	At string
}

// Placements returns where each placeholder of template stands, in
// template order, for a relay route to check before anything is filled.
// The template's format is [TemplateFormat]'s.
//
// A JSON template must be strict JSON once each placeholder is replaced
// by a stand-in (no duplicate member names, valid UTF-8); a placeholder in
// a member name is [ErrPlacement]. In a form template, a placeholder in a
// field's name is [ErrPlacement], and so is one in a value that holds a
// ';' (which some servers split fields on). Malformed placeholders give
// [ErrBadTemplate].
//
// [RFC 6901]: https://www.rfc-editor.org/rfc/rfc6901.html
func Placements(template []byte) ([]Placement, error) {
	isJSON := looksJSON(template)
	phs, err := scanPlaceholders(template, isJSON)
	if err != nil {
		return nil, err
	}
	if isJSON {
		return jsonPlacements(template, phs)
	}
	return formPlacements(template, phs)
}

// The stand-ins jsonPlacements puts in place of placeholder i: inside a
// string "{{i}}" (a template holds no other "{{", so only an escape such
// as \u007b can fake one, and a faked one is found twice), outside a
// string the number 1<i>e-999.
func stringMarker(i int) string { return "{{" + strconv.Itoa(i) + "}}" }
func numberMarker(i int) string { return "1" + strconv.Itoa(i) + "e-999" }

func jsonPlacements(template []byte, phs []placeholder) ([]Placement, error) {
	var marked []byte
	last := 0
	for i, p := range phs {
		marked = append(marked, template[last:p.start]...)
		if p.inString {
			marked = append(marked, stringMarker(i)...)
		} else {
			marked = append(marked, numberMarker(i)...)
		}
		last = p.end
	}
	marked = append(marked, template[last:]...)
	bad := func(err error) ([]Placement, error) {
		return nil, fmt.Errorf("token: template is not strict JSON once filled: %v: %w", err, ErrBadTemplate)
	}
	if !jsontext.Value(marked).IsValid() {
		return bad(errors.New("not one strict JSON value"))
	}
	out := make([]Placement, len(phs))
	found := make([]int, len(phs))
	dec := jsontext.NewDecoder(bytes.NewReader(marked))
	for {
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bad(err)
		}
		switch tok.Kind() {
		case '"':
			s := tok.String()
			if !strings.Contains(s, "{{") {
				continue
			}
			kind, n := dec.StackIndex(dec.StackDepth())
			isName := kind == '{' && n%2 == 1
			for i := range phs {
				c := strings.Count(s, stringMarker(i))
				if c == 0 {
					continue
				}
				if isName {
					return nil, fmt.Errorf("token: placeholder %d is in a JSON member name: %w", i+1, ErrPlacement)
				}
				found[i] += c
				out[i] = Placement{Field: phs[i].field, At: string(dec.StackPointer())}
			}
		case '0':
			s := tok.String()
			if !strings.HasSuffix(s, "e-999") {
				continue
			}
			for i := range phs {
				if s == numberMarker(i) {
					found[i]++
					out[i] = Placement{Field: phs[i].field, At: string(dec.StackPointer())}
				}
			}
		}
	}
	for i, n := range found {
		if n != 1 {
			return nil, fmt.Errorf("token: placeholder %d does not stand alone in one JSON value: %w", i+1, ErrPlacement)
		}
	}
	return out, nil
}

func formPlacements(template []byte, phs []placeholder) ([]Placement, error) {
	out := make([]Placement, 0, len(phs))
	next := 0
	for start := 0; start <= len(template); {
		end := bytes.IndexByte(template[start:], '&')
		if end < 0 {
			end = len(template)
		} else {
			end += start
		}
		pair := template[start:end]
		eq := bytes.IndexByte(pair, '=')
		var name string
		nameDone := false
		for ; next < len(phs) && phs[next].start < end; next++ {
			p := phs[next]
			if eq < 0 || p.start < start+eq {
				return nil, fmt.Errorf("token: placeholder %d is in a form field's name: %w", next+1, ErrPlacement)
			}
			if bytes.IndexByte(pair, ';') >= 0 {
				return nil, fmt.Errorf("token: placeholder %d is in a form value that holds ';': %w", next+1, ErrPlacement)
			}
			if !nameDone {
				n, err := url.QueryUnescape(string(pair[:eq]))
				if err != nil {
					return nil, fmt.Errorf("token: form field name before placeholder %d is not percent-encoded correctly: %w", next+1, ErrBadTemplate)
				}
				name, nameDone = n, true
			}
			out = append(out, Placement{Field: p.field, At: name})
		}
		start = end + 1
	}
	return out, nil
}
