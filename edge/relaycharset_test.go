package edge

import "testing"

// TestCheckRelayCharset: an answer the redactor cannot read as ASCII
// digits (another charset, UTF-16 without a label) is refused; UTF-8 and
// ASCII-compatible answers pass.
func TestCheckRelayCharset(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body string
		ok             bool
	}{
		{"no Content-Type", "", `{"id":"ch_1"}`, true},
		{"JSON without charset", "application/json", `{"id":"ch_1"}`, true},
		{"UTF-8", "application/json; charset=UTF-8", `{"id":"ch_1"}`, true},
		{"Latin-1", "text/plain; charset=iso-8859-1", "caf\xe9 1", true},
		{"UTF-16 labelled", "application/json; charset=utf-16le", "{\x00}\x00", false},
		{"UTF-16 unlabelled", "application/json", "4\x002\x004\x002\x00", false},
		{"UTF-32", "application/json; charset=utf-32", "{", false},
		{"EBCDIC", "text/plain; charset=ibm037", "\xf4\xf2", false},
		{"malformed Content-Type", "application/json; charset", "{}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkRelayCharset(tc.ct, []byte(tc.body))
			if (err == nil) != tc.ok {
				t.Errorf("checkRelayCharset(%q) = %v, want ok %t", tc.ct, err, tc.ok)
			}
		})
	}
}
