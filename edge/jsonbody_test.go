package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"object", `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, true},
		{"scalar", `"x"`, true},
		{"number", `-1.5e10`, true},
		{"whitespace", " {\n\"a\" : [ 1 , 2 ] }\n", true},
		{"same key in sibling objects", `[{"a":1},{"a":2}]`, true},
		{"duplicate member", `{"a":1,"a":2}`, false},
		{"duplicate after nested", `{"a":{"b":1},"a":2}`, false},
		{"duplicate nested", `{"x":{"b":1,"b":2}}`, false},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", false},
		{"invalid UTF-8 in key", "{\"\xc3\":1}", false},
		{"32 deep", strings.Repeat("[", 32) + strings.Repeat("]", 32), true},
		{"33 deep", strings.Repeat("[", 33) + strings.Repeat("]", 33), false},
		{"trailing data", `{} {}`, false},
		{"trailing garbage", `{}x`, false},
		{"empty", ``, false},
		{"unterminated", `{"a":`, false},
		{"missing colon", `{"a" 1}`, false},
		{"single quotes", `{'a':1}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSON([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("checkJSON(%q) = %v, want ok %v", tc.in, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadRequest) {
				t.Errorf("checkJSON(%q) = %v, want ErrBadRequest", tc.in, err)
			}
		})
	}
}

func TestRewriteStrings(t *testing.T) {
	in := `{"a":"sp1.x","b":["sp1.x",{"sp1.key":"keep"}],"n":1.50,"t":true}`
	out, err := rewriteStrings([]byte(in), func(s string) (string, error) {
		if strings.HasPrefix(s, "sp1.") {
			return "tok_1", nil
		}
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Member names are never rewritten; numbers keep their spelling.
	want := `{"a":"tok_1","b":["tok_1",{"sp1.key":"keep"}],"n":1.50,"t":true}`
	if string(out) != want {
		t.Errorf("rewriteStrings = %s, want %s", out, want)
	}
}

func loadJSONSeeds(t testing.TB) [][]byte {
	files, _ := filepath.Glob("testdata/json/*.json")
	var seeds [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzRewriteStrings checks the round trip: whatever checkJSON accepts,
// rewriting with the identity gives compact JSON that encoding/json reads
// as the same value, that is accepted again, and that a second rewrite
// leaves byte for byte unchanged.
func FuzzRewriteStrings(f *testing.F) {
	seeds := loadJSONSeeds(f)
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/json")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id := func(s string) (string, error) { return s, nil }
		out, err := rewriteStrings(b, id)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error %v is not ErrBadRequest", err)
			}
			return
		}
		// Forwarded bodies carry envelopes and tokens: lengths, not text.
		if !json.Valid(out) {
			t.Fatalf("rewrite of %d bytes gave %d bytes of invalid JSON", len(b), len(out))
		}
		var v1, v2 any
		d1 := json.NewDecoder(bytes.NewReader(b))
		d1.UseNumber()
		d2 := json.NewDecoder(bytes.NewReader(out))
		d2.UseNumber()
		if d1.Decode(&v1) != nil || d2.Decode(&v2) != nil || !reflect.DeepEqual(v1, v2) {
			t.Fatalf("rewrite changed the value: %d bytes -> %d bytes", len(b), len(out))
		}
		again, err := rewriteStrings(out, id)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second rewrite = %d bytes, %v; want the same %d bytes", len(again), err, len(out))
		}
	})
}
