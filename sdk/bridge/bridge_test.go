package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/internal/jsontest"
)

// testRequest is the shape the cases of testdata/requests.json decode into.
type testRequest struct {
	Name  string `json:"name,omitempty"`
	N     int    `json:"n,omitempty"`
	Inner *struct {
		List []string       `json:"list,omitempty"`
		Obj  map[string]any `json:"obj,omitempty"`
	} `json:"inner,omitempty"`
}

type decodeCase struct {
	Case   string `json:"case"`
	Req    string `json:"req"`
	Expect string `json:"expect"` // ok | bad_request
}

func loadDecodeCases(tb testing.TB) []decodeCase {
	tb.Helper()
	b, err := os.ReadFile("testdata/requests.json")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		Cases []decodeCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		tb.Fatal(err)
	}
	if len(file.Cases) == 0 {
		tb.Fatal("no cases in testdata/requests.json")
	}
	return file.Cases
}

func TestDecode(t *testing.T) {
	for _, tc := range loadDecodeCases(t) {
		t.Run(tc.Case, func(t *testing.T) {
			var r testRequest
			err := Decode([]byte(tc.Req), &r)
			switch tc.Expect {
			case "ok":
				if err != nil {
					t.Fatalf("Decode = %v, want success", err)
				}
			case "bad_request":
				if !errors.Is(err, ErrBadRequest) {
					t.Fatalf("Decode = %v, want ErrBadRequest", err)
				}
			default:
				t.Fatalf("unknown expect %q", tc.Expect)
			}
		})
	}
}

func TestDecodeDepth(t *testing.T) {
	// testRequest nests inner.obj at depth 3; each "a" level adds one.
	nested := func(depth int) string {
		return `{"inner":{"obj":` + strings.Repeat(`{"a":`, depth-2) + "1" + strings.Repeat("}", depth)
	}
	for _, tc := range []struct {
		depth int
		ok    bool
	}{{3, true}, {maxDepth, true}, {maxDepth + 1, false}, {1000, false}} {
		var r testRequest
		err := Decode([]byte(nested(tc.depth)), &r)
		if (err == nil) != tc.ok {
			t.Errorf("Decode(depth %d) = %v, want ok %v", tc.depth, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("Decode(depth %d) = %v, want ErrBadRequest", tc.depth, err)
		}
	}
}

func TestMethodsHandle(t *testing.T) {
	echo := Methods{"echo": func(req []byte) ([]byte, error) {
		var r testRequest
		if err := Decode(req, &r); err != nil {
			return nil, err
		}
		return json.Marshal(r)
	}, "fail": func([]byte) ([]byte, error) {
		return nil, errcode.New(errcode.InvalidCVC, "card: invalid cvc (2 digits, want 3)")
	}}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		method string
		req    string
		want   string       // the response, if no error
		code   errcode.Code // the error's code
	}{
		{"answer", context.Background(), "echo", `{"name":"x","n":2}`, `{"name":"x","n":2}`, ""},
		{"method's own error", context.Background(), "fail", `{}`, "", errcode.InvalidCVC},
		{"unknown method", context.Background(), "open", `{}`, "", errcode.BadRequest},
		{"empty method", context.Background(), "", `{}`, "", errcode.BadRequest},
		{"invalid UTF-8", context.Background(), "echo", "{\"name\":\"\xff\"}", "", errcode.BadRequest},
		{"largest request", context.Background(), "echo", `{"name":"` + strings.Repeat("a", MaxRequestSize-11) + `"}`, "", ""},
		{"too large", context.Background(), "echo", `{"name":"` + strings.Repeat("a", MaxRequestSize-10) + `"}`, "", errcode.PayloadTooLarge},
		{"canceled", canceled, "echo", `{}`, "", errcode.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := echo.Handle(tc.ctx, tc.method, []byte(tc.req))
			if got := errcode.Of(err); err != nil && got != tc.code || err == nil && tc.code != "" {
				t.Fatalf("Handle(%q) error = %v (code %q), want code %q", tc.method, err, got, tc.code)
			}
			if tc.want != "" && string(resp) != tc.want {
				t.Errorf("Handle(%q) = %s, want %s", tc.method, resp, tc.want)
			}
		})
	}
}

// FuzzDecode: whatever Decode accepts marshals back to a request that
// Decode accepts again and that marshals to the same bytes, and whatever it refuses is
// ErrBadRequest (never a panic, never another error).
func FuzzDecode(f *testing.F) {
	for _, tc := range loadDecodeCases(f) {
		f.Add([]byte(tc.Req))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		var r testRequest
		if err := Decode(req, &r); err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("Decode error %v is not ErrBadRequest", err)
			}
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var again testRequest
		if err := Decode(b, &again); err != nil {
			t.Fatalf("Decode(marshal(accepted)) = %v", err)
		}
		// Compare as JSON: omitempty turns an empty object into a missing
		// member, which decodes to nil instead of an empty map.
		b2, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b2, b) {
			t.Fatalf("round trip changed the request:\n%s\n%s", b, b2)
		}
	})
}

func TestParseRequest(t *testing.T) {
	for _, tc := range loadDecodeCases(t) {
		t.Run(tc.Case, func(t *testing.T) {
			_, err := ParseRequest([]byte(tc.Req))
			if err != nil && !errors.Is(err, ErrBadRequest) {
				t.Fatalf("ParseRequest = %v, want ErrBadRequest", err)
			}
			// ParseRequest checks what Decode checks but the shape, so
			// it refuses no request Decode accepts, and what it refuses
			// Decode refuses.
			var r testRequest
			if decodeErr := Decode([]byte(tc.Req), &r); (decodeErr == nil) && err != nil {
				t.Fatalf("ParseRequest = %v for a request Decode accepts", err)
			}
		})
	}
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	for _, tc := range []struct {
		req string
		ok  bool
	}{
		{`{}`, true}, {` {"a":[1,{"b":null}]} `, true}, {deep(maxDepth), true},
		{deep(maxDepth + 1), false}, {`null`, false}, {`[]`, false}, {`""`, false},
		{`{"a":1,"\u0061":2}`, false}, {`{"a":{"b":1,"b":1}}`, false}, {`{} {}`, false}, {"{\"a\":\"\xff\"}", false},
	} {
		v, err := ParseRequest([]byte(tc.req))
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("ParseRequest(%.40s) = %v, want ok %v", tc.req, err, tc.ok)
		}
		if err == nil && len(v) == 0 && tc.req != `{}` {
			t.Errorf("ParseRequest(%.40s) lost the members", tc.req)
		}
	}
}

// TestParseRequestMembers checks the members ParseRequest returns: in
// order, names unescaped and matched exactly, values as their JSON text.
func TestParseRequestMembers(t *testing.T) {
	got, err := ParseRequest([]byte(` {"b" : [1, {"c":null}] ,"\u0061":"x\ny","A":-1.5e3,"d":{}} `))
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{{"b", jsontext.Value(`[1, {"c":null}]`)}, {"a", jsontext.Value(`"x\ny"`)}, {"A", jsontext.Value(`-1.5e3`)}, {"d", jsontext.Value(`{}`)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseRequest = %q, want %q", got, want)
	}
}

// TestParseRequestErrors pins the message of each kind of refusal: the
// first fault in the request decides, as it did before jsontext.
func TestParseRequestErrors(t *testing.T) {
	deep := strings.Repeat(`[`, maxDepth+1) + strings.Repeat(`]`, maxDepth+1)
	for _, tc := range []struct{ req, want string }{
		{`{"a":1,"a":2}`, "bridge: duplicate JSON member: bridge: bad request"},
		{`{"a":` + deep + `}`, "bridge: request nested deeper than 16: bridge: bad request"},
		{`{"a":1,"a":2,`, "bridge: duplicate JSON member: bridge: bad request"},
		{`{"a":1,`, "bridge: request is not valid JSON: bridge: bad request"},
		{`{"a":"\ud800"}`, "bridge: request is not valid JSON: bridge: bad request"},
		{"{\"a\":\"\xff\",\"a\":1}", "bridge: request is not valid JSON: bridge: bad request"},
		{`{} {}`, "bridge: request is not valid JSON: bridge: bad request"},
		{``, "bridge: request is not valid JSON: bridge: bad request"},
		{`[1,2]`, "bridge: request is not the expected JSON shape: bridge: bad request"},
		{`[1,2`, "bridge: request is not valid JSON: bridge: bad request"},
	} {
		if _, err := ParseRequest([]byte(tc.req)); err == nil || err.Error() != tc.want {
			t.Errorf("ParseRequest(%.40q) = %v, want %q", tc.req, err, tc.want)
		}
	}
}

// FuzzParseRequest: ParseRequest accepts exactly the requests that are
// valid UTF-8 with no escaped lone surrogate, pass referenceCheck (the
// duplicate and depth check Decode ran on encoding/json's tokenizer before
// jsontext), and decode as one JSON object with encoding/json; and what it
// returns writes back to a request that parses to the same members.
func FuzzParseRequest(f *testing.F) {
	for _, tc := range loadDecodeCases(f) {
		f.Add([]byte(tc.Req))
	}
	f.Fuzz(func(t *testing.T, req []byte) {
		_, err := ParseRequest(req)
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Fatalf("ParseRequest error %v is not ErrBadRequest", err)
		}
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(req))
		d.UseNumber() // 1e400 is JSON, though no float64
		object := d.Decode(&m) == nil && m != nil
		if _, err := d.Token(); err != io.EOF {
			object = false
		}
		want := utf8.Valid(req) && !jsontest.HasLoneSurrogate(req) && referenceCheck(req) == nil && object
		if (err == nil) != want {
			t.Fatalf("ParseRequest = %v, want ok %v", err, want)
		}
		if err != nil {
			return
		}
		members, _ := ParseRequest(req)
		again, err := ParseRequest(appendMembers(members))
		if err != nil || !reflect.DeepEqual(again, members) {
			t.Fatalf("ParseRequest(members written back) = %v, %v; want the same members", again, err)
		}
	})
}

// appendMembers writes members back as a JSON object.
func appendMembers(members []Member) []byte {
	b := []byte{'{'}
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b, _ = jsontext.AppendQuote(b, m.Name)
		b = append(b, ':')
		b = append(b, m.Value...)
	}
	return append(b, '}')
}

// referenceCheck is the duplicate and depth check Decode ran before
// jsontext, on encoding/json's tokenizer: it refuses duplicate object
// members (after unescaping) and nesting deeper than maxDepth, and lets
// anything else through to encoding/json.
func referenceCheck(req []byte) error {
	d := json.NewDecoder(bytes.NewReader(req))
	d.UseNumber()
	type frame struct {
		object bool
		key    bool // the next string token is a member name
		seen   map[string]bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return ErrBadRequest
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string)
			if top.seen[name] {
				return ErrBadRequest
			}
			top.seen[name] = true
			top.key = false
			continue
		}
		if top != nil && top.object {
			top.key = true // this token is a value; a name or '}' comes next
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, key: true, seen: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > maxDepth {
			return ErrBadRequest
		}
	}
}

func TestHasLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{`"\ud800"`, true}, {`"\udc00"`, true}, {`"\uD83D\uDE00"`, false}, {`"\ud83d\ude00\ud800"`, true},
		{`"\ud800\u0041"`, true}, {`"\\ud800"`, false}, {`"\\\ud800"`, true}, {`"\u00e9\n"`, false}, {`"\ud800\ud800\udc00"`, true},
	} {
		if got := jsontest.HasLoneSurrogate([]byte(tc.s)); got != tc.want {
			t.Errorf("jsontest.HasLoneSurrogate(%s) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
