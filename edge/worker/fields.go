package main

import (
	"net/http"
	"strings"
)

// fieldsOf is h in the entry's form: "name\nvalue\n" for each value. A
// CR or LF inside a name or value becomes a space, as net/http does when
// it writes a header natively: the entry splits at every "\n", so one
// would otherwise add a header of its own.
func fieldsOf(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(fieldText.Replace(k))
			b.WriteByte('\n')
			b.WriteString(fieldText.Replace(v))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var fieldText = strings.NewReplacer("\r", " ", "\n", " ")
