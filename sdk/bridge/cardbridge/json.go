package cardbridge

import (
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/bridge"
)

// The card module reads its requests and writes its responses here with
// jsontext (the syntactic layer of encoding/json/v2), so that it links
// neither encoding/json nor reflect. Requests follow the rules of
// bridge.Decode (which the tests compare): strict JSON, one object, no
// unknown members, null for a member meaning absent, and each member's
// JSON type checked. Responses are what json.Marshal writes for the
// response types, but for strings in their shortest form
// (jsontext.AppendQuote: '<', '>', '&', U+2028 and U+2029 as themselves,
// not escaped); json_test.go compares them.

// errShape is the error of a member with the wrong type or an unknown name.
var errShape = bridge.BadRequest("bridge: request is not the expected JSON shape")

// stringMember reads a string member: a JSON string, or null for "".
func stringMember(v jsontext.Value) (string, error) {
	switch v.Kind() {
	case '"':
		s, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return "", errShape
		}
		return string(s), nil
	case 'n':
		return "", nil
	}
	return "", errShape
}

// intMember reads an integer member as encoding/json reads a Go int: a
// JSON number without fraction or exponent that fits in an int, or null
// for 0.
func intMember(v jsontext.Value) (int, error) {
	switch v.Kind() {
	case '0':
		n, err := strconv.ParseInt(string(v), 10, strconv.IntSize)
		if err != nil {
			return 0, errShape
		}
		return int(n), nil
	case 'n':
		return 0, nil
	}
	return 0, errShape
}

// rawMember reads a member kept as JSON text, like a json.RawMessage:
// any value, null included.
func rawMember(v jsontext.Value) []byte { return v }

func decodeSealRequest(req []byte) (SealRequest, error) {
	var r SealRequest
	members, err := bridge.ParseRequest(req)
	if err != nil {
		return r, err
	}
	for _, m := range members {
		switch m.Name {
		case "keys":
			r.Keys = rawMember(m.Value)
		case "card":
			r.Card = rawMember(m.Value)
		case "merchant_id":
			r.MerchantID, err = stringMember(m.Value)
		case "origin":
			r.Origin, err = stringMember(m.Value)
		case "ttl":
			r.TTL, err = intMember(m.Value)
		default:
			err = errShape
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

func decodeCheckCardRequest(req []byte) (CheckCardRequest, error) {
	var r CheckCardRequest
	members, err := bridge.ParseRequest(req)
	if err != nil {
		return r, err
	}
	for _, m := range members {
		var p *string
		switch m.Name {
		case "number":
			p = &r.Number
		case "expiry":
			p = &r.Expiry
		case "cvc":
			p = &r.CVC
		case "name":
			p = &r.Name
		default:
			return r, errShape
		}
		if *p, err = stringMember(m.Value); err != nil {
			return r, err
		}
	}
	return r, nil
}

// appendJSON appends r as json.Marshal writes it, strings in their
// shortest form.
func (r *SealResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"envelope":`...)
	b = appendString(b, r.Envelope)
	return append(b, '}')
}

// appendJSON appends r as json.Marshal writes it, strings in their
// shortest form.
func (r *CheckCardResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"brand":`...)
	if r.Brand == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *r.Brand)
	}
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, r.Complete)
	b = append(b, `,"empty":`...)
	b = strconv.AppendBool(b, r.Empty)
	b = append(b, `,"number":`...)
	b = r.Number.appendJSON(b)
	b = append(b, `,"expiry":`...)
	b = r.Expiry.appendJSON(b)
	b = append(b, `,"cvc":`...)
	b = r.CVC.appendJSON(b)
	b = append(b, `,"name":`...)
	b = r.Name.appendJSON(b)
	return append(b, '}')
}

// appendJSON appends f as json.Marshal writes it, omitempty included,
// strings in their shortest form.
func (f *FieldCheck) appendJSON(b []byte) []byte {
	b = append(b, `{"value":`...)
	b = appendString(b, f.Value)
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, f.Complete)
	b = append(b, `,"potentially_valid":`...)
	b = strconv.AppendBool(b, f.PotentiallyValid)
	if f.Error != nil {
		b = append(b, `,"error":{"code":`...)
		b = appendString(b, string(f.Error.Code))
		b = append(b, `,"message":`...)
		b = appendString(b, f.Error.Message)
		b = append(b, '}')
	}
	for _, n := range [...]struct {
		name string
		v    int
	}{{`,"max_length":`, f.MaxLength}, {`,"month":`, f.Month}, {`,"year":`, f.Year}} {
		if n.v != 0 {
			b = append(b, n.name...)
			b = strconv.AppendInt(b, int64(n.v), 10)
		}
	}
	if f.Label != "" {
		b = append(b, `,"label":`...)
		b = appendString(b, f.Label)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string in its shortest form
// (jsontext.AppendQuote, RFC 8785 Section 3.2.2.2). Invalid UTF-8, which
// no response holds (requests are valid UTF-8), would become U+FFFD, as
// json.Marshal makes it; the error that says so is dropped.
func appendString(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s)
	return b
}
