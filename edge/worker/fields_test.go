package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestFieldsOf(t *testing.T) {
	h := http.Header{}
	h.Add("Content-Type", "application/json")
	h.Add("X-Echo", "a\r\nSet-Cookie: session=stolen")
	h.Add("X-Echo", "b")
	got := strings.Split(strings.TrimSuffix(fieldsOf(h), "\n"), "\n")
	if len(got)%2 != 0 {
		t.Fatalf("fieldsOf gave %d lines, want name/value pairs", len(got))
	}
	pairs := map[string][]string{}
	for i := 0; i < len(got); i += 2 {
		pairs[got[i]] = append(pairs[got[i]], got[i+1])
	}
	if len(pairs) != 2 || len(pairs["X-Echo"]) != 2 || pairs["X-Echo"][0] != "a  Set-Cookie: session=stolen" || pairs["X-Echo"][1] != "b" {
		t.Errorf("fieldsOf = %q: a value's CR LF must not start a field of its own", got)
	}
	if _, ok := pairs["Set-Cookie: session=stolen"]; ok {
		t.Error("a value's line break made a header of its own")
	}
}
