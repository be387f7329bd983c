package cardbridge

import (
	"strconv"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/envelope/strictjson"
)

// The card module reads its requests and writes its responses here, by
// hand, so that it links neither encoding/json nor reflect. Requests follow
// the rules of bridge.Decode (which the tests compare): strict JSON, one
// object, no unknown members, null for a member meaning absent, and each
// member's JSON type checked. Responses are what json.Marshal writes for
// the response types, byte for byte (json_test.go).

// errShape is the error of a member with the wrong type or an unknown name.
var errShape = bridge.BadRequest("bridge: request is not the expected JSON shape")

// stringMember reads a string member: a JSON string, or null for "".
func stringMember(v strictjson.Value) (string, error) {
	switch v.Kind() {
	case strictjson.String:
		return v.Text(), nil
	case strictjson.Null:
		return "", nil
	}
	return "", errShape
}

// intMember reads an integer member as encoding/json reads a Go int: a
// JSON number without fraction or exponent that fits in 64 bits, or null
// for 0.
func intMember(v strictjson.Value) (int, error) {
	switch v.Kind() {
	case strictjson.Number:
		n, ok := v.Int(strconv.IntSize)
		if !ok {
			return 0, errShape
		}
		return int(n), nil
	case strictjson.Null:
		return 0, nil
	}
	return 0, errShape
}

// rawMember reads a member kept as JSON text, like a json.RawMessage:
// any value, null included.
func rawMember(v strictjson.Value) []byte { return v.Raw() }

func decodeSealRequest(req []byte) (SealRequest, error) {
	var r SealRequest
	obj, err := bridge.ParseRequest(req)
	if err != nil {
		return r, err
	}
	for _, m := range obj.Members() {
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
	obj, err := bridge.ParseRequest(req)
	if err != nil {
		return r, err
	}
	for _, m := range obj.Members() {
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

// appendJSON appends r as json.Marshal writes it.
func (r *SealResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"envelope":`...)
	b = strictjson.AppendString(b, r.Envelope)
	return append(b, '}')
}

// appendJSON appends r as json.Marshal writes it.
func (r *CheckCardResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"brand":`...)
	if r.Brand == nil {
		b = append(b, "null"...)
	} else {
		b = strictjson.AppendString(b, *r.Brand)
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

// appendJSON appends f as json.Marshal writes it, omitempty included.
func (f *FieldCheck) appendJSON(b []byte) []byte {
	b = append(b, `{"value":`...)
	b = strictjson.AppendString(b, f.Value)
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, f.Complete)
	b = append(b, `,"potentially_valid":`...)
	b = strconv.AppendBool(b, f.PotentiallyValid)
	if f.Error != nil {
		b = append(b, `,"error":{"code":`...)
		b = strictjson.AppendString(b, string(f.Error.Code))
		b = append(b, `,"message":`...)
		b = strictjson.AppendString(b, f.Error.Message)
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
		b = strictjson.AppendString(b, f.Label)
	}
	return append(b, '}')
}
