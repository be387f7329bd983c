package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/errcode"
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
		if err == nil && len(v.Members()) == 0 && tc.req != `{}` {
			t.Errorf("ParseRequest(%.40s) lost the members", tc.req)
		}
	}
}

// FuzzParseRequest: ParseRequest accepts exactly the requests that are
// valid UTF-8, pass the duplicate and depth check Decode runs, and decode
// as one JSON object with encoding/json.
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
		want := utf8.Valid(req) && checkDuplicates(req) == nil && object
		if (err == nil) != want {
			t.Fatalf("ParseRequest = %v, want ok %v", err, want)
		}
	})
}
