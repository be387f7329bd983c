package shop

import (
	"regexp"
	"testing"
)

func TestTranslationsComplete(t *testing.T) {
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	en := translations["en"]
	for _, l := range Locales {
		tr, ok := translations[l.Tag]
		if !ok {
			t.Errorf("no translations for %s", l.Tag)
			continue
		}
		for k, s := range en {
			got, ok := tr[k]
			if !ok || got == "" {
				t.Errorf("%s: %q is missing", l.Tag, k)
				continue
			}
			if a, b := placeholder.FindAllString(s, -1), placeholder.FindAllString(got, -1); len(a) != len(b) || (len(a) > 0 && a[0] != b[0]) {
				t.Errorf("%s: %q has placeholders %v, want %v", l.Tag, k, b, a)
			}
			if l.Tag != "en" && got == s && len(s) > 12 {
				t.Errorf("%s: %q is untranslated", l.Tag, k)
			}
		}
		if len(tr) != len(en) {
			t.Errorf("%s has %d strings, English %d", l.Tag, len(tr), len(en))
		}
	}
	for _, k := range clientKeys {
		if _, ok := en[k]; !ok {
			t.Errorf("client string %q has no English text", k)
		}
	}
}

func TestNegotiateLocale(t *testing.T) {
	tests := []struct{ choice, accept, want string }{
		{"ja", "", "ja"},
		{"pt-BR", "en", "pt-BR"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"", "zh-Hans", "zh-CN"},
		{"", "pt", "pt-BR"},
		{"", "pt-PT", "pt-BR"},
		{"", "es-MX,es;q=0.9", "es"},
		{"", "ja-JP", "ja"},
		{"", "de-DE,fr;q=0.5", "en"},
		{"", "", "en"},
		{"", "!!garbage", "en"},
		{"xx", "ja", "ja"},
		{"es-AR", "", "es"},
		{"<script>", "", "en"},
	}
	for _, tc := range tests {
		if got := NegotiateLocale(tc.choice, tc.accept).Tag; got != tc.want {
			t.Errorf("NegotiateLocale(%q, %q) = %s, want %s", tc.choice, tc.accept, got, tc.want)
		}
	}
}
