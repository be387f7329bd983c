package qr

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// reasonCodes lists every code Verify and urlReasons can return.
var verdictCodes = []errcode.Code{
	errcode.QRMalformed, errcode.QRBadCRC, errcode.QRUnsigned, errcode.QRBadSignature,
	errcode.QRUnknownKey, errcode.QRRevoked, errcode.QRExpired, errcode.QRReplayed,
	errcode.QRMismatch, errcode.QRSuspiciousURL, errcode.Internal,
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

func TestMessagesComplete(t *testing.T) {
	keys := []string{"headline.verified", "headline.unsigned", "headline.rejected"}
	for _, c := range verdictCodes {
		keys = append(keys, string(c))
	}
	for _, k := range keys {
		if _, ok := messages[k]; !ok {
			t.Errorf("no message for %s", k)
		}
	}
	for key, m := range messages {
		want := placeholder.FindAllString(m[defaultLang], -1)
		slices.Sort(want)
		for _, lang := range langs {
			s, ok := m[lang]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s text", key, lang)
				continue
			}
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\t") {
				t.Errorf("%s/%s: invalid UTF-8 or control characters", key, lang)
			}
			got := placeholder.FindAllString(s, -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s placeholders = %v, want %v", key, lang, got, want)
			}
			if lang != defaultLang && s == m[defaultLang] && !strings.Contains(key, "verified") {
				t.Errorf("%s/%s is the English text", key, lang)
			}
		}
		if len(m) != len(langs) {
			t.Errorf("%s has %d languages, want %d", key, len(m), len(langs))
		}
	}
	if got := message("headline.verified", "ja", "merchant", "Fulano {x}"); got != "確認済み：Fulano {x}" {
		t.Errorf("filled headline = %q", got)
	}
}

func TestMatchLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "en"},
		{"zh-Hans-CN", "zh-CN"},
		{"zh-CN", "zh-CN"},
		{"zh", "zh-CN"},
		{"pt", "pt-BR"},
		{"pt-PT", "pt-BR"},
		{"en-GB", "en"},
		{"es-MX", "es"},
		{"de-AT", "de"},
		{"fr-CA", "fr"},
		{"ja-JP", "ja"},
		{"ko-KR", "ko"},
		{"ru-RU", "ru"},
		{"in", "id"}, // the deprecated code for Indonesian
		{"id-ID", "id"},
		{"th-TH", "th"},
		{"vi-VN", "vi"},
		{"sw", "en"},
		{"fr-CH, de;q=0.8, en;q=0.5", "fr"},
		{"not a tag", "en"},
	}
	for _, tc := range tests {
		if got := matchLang(tc.in); got != tc.want {
			t.Errorf("matchLang(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestVerdictLocalized(t *testing.T) {
	for _, lang := range langs {
		v := Verify("0002", nil, VerifyOptions{Lang: lang})
		if v.Lang != lang || v.Status != Rejected {
			t.Fatalf("Verify(lang %s) = %s in %s", lang, v.Status, v.Lang)
		}
		want := message("headline.rejected", lang, "reason", messages[string(errcode.QRMalformed)][lang])
		if v.Headline != want || v.Reasons[0].Message != messages[string(errcode.QRMalformed)][lang] {
			t.Errorf("%s: headline %q, want %q", lang, v.Headline, want)
		}
	}
}
