package token

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Relay templating. A placeholder is exactly
//
//	"{{" token ":" field "}}"
//	token = "tok_" 22*base62          (a valid token id)
//	field = "number" / "cvc" / "exp_month" / "exp_year" / "name"
//	        / "cryptogram" / "eci"           (a wallet token's, see [FieldCryptogram])
//
// with no spaces. Every "{{" in a template must start a placeholder: a
// near-miss such as "{{ tok_… }}" is an error, never sent on as text.

const (
	// maxPlaceholders bounds the work one template can ask for.
	maxPlaceholders = 64
	// maxFillTokens bounds how many cards one relay can open.
	maxFillTokens = 8
)

type placeholder struct {
	start, end int // template[start:end] is the placeholder
	token      string
	field      Field
	inString   bool // inside a JSON string (JSON templates only)
}

// looksJSON reports whether a template is JSON: its first non-space byte
// opens an object or an array.
func looksJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// scanPlaceholders finds every placeholder, noting for JSON templates
// whether it sits inside a string. Placeholders hold no quote or backslash,
// so they do not disturb the string tracking around them.
func scanPlaceholders(t []byte, isJSON bool) ([]placeholder, error) {
	var out []placeholder
	inString := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '{' && i+1 < len(t) && t[i+1] == '{':
			p, err := parsePlaceholder(t, i)
			if err != nil {
				return nil, err
			}
			if len(out) == maxPlaceholders {
				return nil, fmt.Errorf("token: template has more than %d placeholders: %w", maxPlaceholders, ErrBadTemplate)
			}
			p.inString = isJSON && inString
			out = append(out, p)
			i = p.end - 1
		case !isJSON:
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			i++ // skip the escaped byte, which may be a quote
		}
	}
	return out, nil
}

func parsePlaceholder(t []byte, start int) (placeholder, error) {
	bad := func(what string) (placeholder, error) {
		return placeholder{}, fmt.Errorf("token: placeholder at byte %d: %s: %w", start, what, ErrBadTemplate)
	}
	rest := t[start+2:]
	const tokLen = len(tokenPrefix) + tokenDigits
	if len(rest) < tokLen+1 || !ValidTokenID(string(rest[:tokLen])) {
		return bad(`want "{{tok_…:field}}" with a valid token id`)
	}
	if rest[tokLen] != ':' {
		return bad(`want ":" after the token id`)
	}
	rest = rest[tokLen+1:]
	end := bytes.Index(rest, []byte("}}"))
	if end < 0 || end > len("cryptogram") {
		return bad(`want a field name and "}}"`)
	}
	f := Field(rest[:end])
	if _, err := fieldSet([]Field{f}); err != nil {
		return bad("unknown field")
	}
	return placeholder{
		start: start,
		end:   start + 2 + tokLen + 1 + end + 2,
		token: string(t[start+2 : start+2+tokLen]),
		field: f,
	}, nil
}

// FillPlaceholders replaces each placeholder in template with
// lookup(token, field) and returns the filled copy. Values are encoded for
// where they land, so that no value can change the request's structure:
//
//   - A template whose first non-space byte is '{' or '[' is JSON. Inside a
//     string a value is JSON-escaped. Outside strings only exp_month and
//     exp_year may appear, as numbers (a card number or CVC as a JSON
//     number would lose digits or leading zeros). The filled result must be
//     valid JSON.
//   - Any other template is treated as application/x-www-form-urlencoded,
//     and values are percent-encoded.
//
// Malformed placeholders and unknown fields give [ErrBadTemplate]; errors
// from lookup are returned wrapped. Error messages name placeholders by
// position, never by token.
func FillPlaceholders(template []byte, lookup func(token, field string) (string, error)) ([]byte, error) {
	isJSON := looksJSON(template)
	phs, err := scanPlaceholders(template, isJSON)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(template)+16*len(phs))
	last := 0
	for i, p := range phs {
		out = append(out, template[last:p.start]...)
		last = p.end
		v, err := lookup(p.token, string(p.field))
		if err != nil {
			return nil, fmt.Errorf("token: placeholder %d: %w", i+1, err)
		}
		switch {
		case !isJSON:
			out = append(out, url.QueryEscape(v)...)
		case p.inString:
			q, _ := json.Marshal(v) // a string always marshals; invalid UTF-8 becomes U+FFFD
			out = append(out, q[1:len(q)-1]...)
		case (p.field == FieldExpMonth || p.field == FieldExpYear) && allDigits(v, 1, 4):
			out = append(out, v...)
		default:
			return nil, fmt.Errorf("token: placeholder %d is outside a JSON string: only exp_month and exp_year may be JSON numbers: %w", i+1, ErrBadTemplate)
		}
	}
	out = append(out, template[last:]...)
	if isJSON && !json.Valid(out) {
		return nil, fmt.Errorf("token: template is not valid JSON once filled: %w", ErrBadTemplate)
	}
	return out, nil
}

// dryRunValue stands in for a field while checking a template's structure
// before any card is revealed: shaped like the real values, so a template
// that passes with these passes with real data.
func dryRunValue(f Field) string {
	switch f {
	case FieldNumber:
		return "4111111111111111"
	case FieldCVC:
		return "000"
	case FieldExpMonth:
		return "12"
	case FieldExpYear:
		return "2030"
	case FieldCryptogram:
		return "AgAAAAAAAIR8CQrXcIhbQAAAAAA="
	case FieldECI:
		return "05"
	}
	return "A. Shopper"
}

// Fill fills a relay template with the merchant's cards and returns the
// filled body and the card numbers it revealed, for [Redact] to mask in
// the provider's answer.
//
// It checks the template first, then reveals each token once with the
// fields the template uses (so a CVC is taken only if asked for, and a
// single-use token dies here), then fills. A template asking for a CVC the
// vault no longer holds gives [ErrNoCVC]; one naming a token of another
// merchant gives [ErrNotFound]; at most 8 distinct tokens per template.
func (v *Vault) Fill(ctx context.Context, merchantID string, template []byte) (body []byte, numbers []string, err error) {
	body, numbers, _, err = v.FillRevealed(ctx, merchantID, template)
	return body, numbers, err
}

// FillRevealed is [Vault.Fill] that also returns the CVCs it revealed, for
// [RedactCVCs] to mask in the provider's answer.
func (v *Vault) FillRevealed(ctx context.Context, merchantID string, template []byte) (body []byte, numbers, cvcs []string, err error) {
	return v.FillWith(ctx, merchantID, template, nil)
}

// FillWith is [Vault.FillRevealed] with tail's statement (an audit entry)
// in the unit that consumes the template's single-use tokens and takes its
// CVCs: all of them are taken, or — if one token is gone or one CVC is
// missing — none.
func (v *Vault) FillWith(ctx context.Context, merchantID string, template []byte, tail sqlunit.Tail) (body []byte, numbers, cvcs []string, err error) {
	body, r, err := v.FillSecrets(ctx, merchantID, template, tail)
	return body, r.Numbers, r.CVCs, err
}

// Revealed lists the secrets a fill put into a request, for the masks of
// the provider's answer: [Redact], [RedactCVCs], [RedactCryptograms].
type Revealed struct {
	Numbers     []string
	CVCs        []string
	Cryptograms []string
}

// FillSecrets is [Vault.FillWith] for templates that may also ask for a
// wallet token's cryptogram and ECI ({{tok_…:cryptogram}},
// {{tok_…:eci}}): like a CVC, they are taken by the fill, and a template
// asking for a cryptogram the vault no longer holds gives
// [ErrNoCryptogram] and takes nothing.
func (v *Vault) FillSecrets(ctx context.Context, merchantID string, template []byte, tail sqlunit.Tail) (body []byte, out Revealed, err error) {
	if _, err := FillPlaceholders(template, func(_, f string) (string, error) { return dryRunValue(Field(f)), nil }); err != nil {
		return nil, Revealed{}, err
	}
	phs, err := scanPlaceholders(template, looksJSON(template))
	if err != nil {
		return nil, Revealed{}, err
	}
	need := map[string]map[Field]bool{}
	var order []string
	for _, p := range phs {
		if need[p.token] == nil {
			if len(order) == maxFillTokens {
				return nil, Revealed{}, fmt.Errorf("token: template names more than %d tokens: %w", maxFillTokens, ErrBadTemplate)
			}
			need[p.token] = map[Field]bool{}
			order = append(order, p.token)
		}
		need[p.token][p.field] = true
	}
	rs := make([]revealing, len(order))
	for i, tok := range order {
		// An ECI may be empty (wallets omit it for some networks), but
		// asking for either needs the wallet row: the guard refuses the
		// unit before it takes a CVC or a single-use token.
		rs[i] = revealing{token: tok, want: need[tok], needsCVC: need[tok][FieldCVC],
			needsCryptogram: need[tok][FieldCryptogram] || need[tok][FieldECI]}
	}
	revealed, err := v.reveal(ctx, merchantID, rs, tail)
	if err != nil {
		return nil, Revealed{}, err
	}
	cards := make(map[string]revealedCard, len(order))
	for i, tok := range order {
		c := revealed[i]
		if need[tok][FieldCVC] && c.CVC == "" {
			// Taken, but expired between the guard and the clock: the
			// unit has run, so say so rather than send an empty CVC.
			return nil, Revealed{}, ErrNoCVC
		}
		if need[tok][FieldCryptogram] && c.cryptogram == "" {
			return nil, Revealed{}, ErrNoCryptogram
		}
		if need[tok][FieldECI] && !c.hadWallet {
			return nil, Revealed{}, ErrNoCryptogram
		}
		if c.Number != "" {
			out.Numbers = append(out.Numbers, c.Number)
		}
		if c.CVC != "" {
			out.CVCs = append(out.CVCs, c.CVC)
		}
		if c.cryptogram != "" {
			out.Cryptograms = append(out.Cryptograms, c.cryptogram)
		}
		cards[tok] = revealedCard{c.Number, c.CVC, strconv.Itoa(c.ExpMonth), strconv.Itoa(c.ExpYear), c.Name, c.cryptogram, c.eci}
	}
	body, err = FillPlaceholders(template, func(tok, f string) (string, error) {
		c := cards[tok]
		switch Field(f) {
		case FieldNumber:
			return c[0], nil
		case FieldCVC:
			return c[1], nil
		case FieldExpMonth:
			return c[2], nil
		case FieldExpYear:
			return c[3], nil
		case FieldCryptogram:
			return c[5], nil
		case FieldECI:
			return c[6], nil
		}
		return c[4], nil
	})
	if err != nil {
		return nil, Revealed{}, err
	}
	return body, out, nil
}

// revealedCard is a revealed token's fields in placeholder order: number,
// CVC, exp_month, exp_year, name, cryptogram, ECI.
type revealedCard [7]string
