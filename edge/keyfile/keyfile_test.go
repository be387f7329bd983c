package keyfile_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/edge/keyfile"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // "id:len@line ..." or "error"
	}{
		{"one", "k1:AAAA", "k1:3@1"},
		{"padded and url alphabet", "k1:AA==\nk2:-_-_", "k1:1@1 k2:3@2"},
		{"separators and comments", "# keys\nk1:AAAA, k2:BBBB\tk3:CCCC\n\n", "k1:3@2 k2:3@2 k3:3@2"},
		{"empty", "", ""},
		{"no colon", "k1AAAA", "error"},
		{"no id", ":AAAA", "error"},
		{"id like a comment", "k1:AAAA #2:BBBB", "error"},
		{"not base64", "k1:@@@@", "error"},
	} {
		es, err := keyfile.Parse([]byte(tc.in))
		var got []string
		for _, e := range es {
			got = append(got, fmt.Sprintf("%s:%d@%d", e.ID, len(e.Secret), e.Line))
		}
		g := strings.Join(got, " ")
		if err != nil {
			g = "error"
			if !errors.Is(err, keyfile.ErrSyntax) {
				t.Errorf("%s: %v, want ErrSyntax", tc.name, err)
			}
			if strings.Contains(err.Error(), "@@@@") || strings.Contains(err.Error(), "AAAA") {
				t.Errorf("%s: the error shows the secret", tc.name)
			}
		}
		if g != tc.want {
			t.Errorf("%s: Parse = %q, want %q", tc.name, g, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("k1:AAAA, k2:BBBB\n# c\nk3:-_-_"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := keyfile.Parse(b)
		if err != nil {
			return
		}
		// Re-encoding the entries parses to the same entries.
		var s strings.Builder
		for _, e := range es {
			fmt.Fprintf(&s, "%s:%s\n", e.ID, b64(e.Secret))
		}
		again, err := keyfile.Parse([]byte(s.String()))
		if err != nil || len(again) != len(es) {
			t.Fatalf("round trip: %d entries, %v; want %d", len(again), err, len(es))
		}
		for i := range es {
			if again[i].ID != es[i].ID || string(again[i].Secret) != string(es[i].Secret) {
				t.Fatalf("entry %d changed in the round trip", i)
			}
		}
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
