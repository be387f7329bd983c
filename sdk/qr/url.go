package qr

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// URL check details: the Detail of a qr_suspicious_url [Reason].
const (
	urlInvalid        = "invalid_url"     // not a parsable absolute URL, control characters, or too long
	urlNotHTTPS       = "not_https"       // a scheme other than https (or a known payment app's)
	urlUserinfo       = "userinfo"        // user:password@ before the host hides the real host
	urlIPHost         = "ip_host"         // an IPv4 or IPv6 address, in any notation, instead of a name
	urlInvalidIDN     = "invalid_idn"     // a host that IDNA lookup rules refuse
	urlMixedScript    = "mixed_script"    // a label mixing scripts, such as Latin and Cyrillic
	urlConfusableIDN  = "confusable_idn"  // a non-Latin label made only of Latin look-alikes
	urlLookalike      = "lookalike"       // looks like, but is not, one of the merchant's domains
	urlEmbeddedDomain = "embedded_domain" // contains a merchant domain inside another host
	urlShortener      = "shortener"       // a link shortener hides the destination
	urlSuspiciousTLD  = "suspicious_tld"  // a top-level domain heavy with phishing
)

// maxURLLength bounds the URLs checkURL reads; QR codes cannot hold much
// more.
const maxURLLength = 4096

// appSchemes are payment apps' own URI schemes: the app, not a browser,
// opens them, so they have no web host to check. wxp is WeChat Pay's
// merchant code; upi is NPCI's UPI deep link ("upi://pay?pa=…").
var appSchemes = []string{"upi", "wxp"}

// shorteners are link-shortening services. A payment QR code that goes
// through one hides where it leads. The list is the common public
// shorteners and those QR-code generators use.
var shorteners = []string{
	"bit.do", "bit.ly", "bitly.com", "bl.ink", "buff.ly", "clck.ru", "cutt.ly", "dwz.cn",
	"goo.gl", "is.gd", "lnkd.in", "ow.ly", "qrco.de", "rb.gy", "rebrand.ly", "s.id",
	"shorturl.at", "t.cn", "t.co", "t.ly", "tiny.cc", "tinyurl.com", "u.to", "url.cn",
	"v.gd", "vk.cc", "x.co",
}

// suspiciousTLDs are top-level domains where phishing is concentrated out
// of proportion to their size: the highest "phishing domain scores" in
// Interisle's Phishing Landscape reports and quarterly TLD tables
// (https://www.cybercrimeinfocenter.org/phishing-activity-in-tlds-may-april-2025,
// and the 2021–2023 reports for the Freenom ccTLDs .tk .ml .ga .cf .gq),
// plus .zip and .mov, which read as file names. Large TLDs with much
// legitimate commerce (.shop, .online, .info, .cn, .ru) are left out: they
// would flag too many honest shops.
var suspiciousTLDs = []string{
	"bond", "buzz", "cf", "cfd", "click", "cyou", "ga", "gq", "icu", "lol", "ml", "mov",
	"rest", "sbs", "support", "tk", "top", "xin", "xyz", "zip",
}

// urlProfile maps hosts as a browser's address bar does before lookup.
var urlProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// checkURL runs the quishing checks on a URL-style QR code — an Alipay or
// WeChat link, a UPI or wxp:// code, a plain link — and calls add with the
// detail of each finding (the url* constants), in a fixed order; [Verify]
// makes each a qr_suspicious_url [Reason]. No finding means nothing was
// found, not that the link is safe.
//
// The checks: https only (UPI and WeChat Pay app codes pass); no userinfo;
// no IP address hosts in any notation browsers accept (dotted, IPv6,
// decimal, hexadecimal and octal integers); IDNA-valid hosts with no
// mixed-script label and no non-Latin label spelled in Latin look-alikes;
// no look-alike of a merchant domain (compared on confusable skeletons,
// after Unicode's UTS #39) and no merchant domain embedded in another host;
// and, except on the merchant's own domains, no link shortener and no
// top-level domain known for phishing.
func checkURL(raw string, merchantDomains []string, add func(string)) {
	if len(raw) > maxURLLength || !utf8.ValidString(raw) || strings.IndexFunc(raw, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	}) >= 0 {
		add(urlInvalid)
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		add(urlInvalid)
		return
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
	case slices.Contains(appSchemes, scheme):
		return
	case scheme == "http":
		add(urlNotHTTPS)
	default:
		add(urlNotHTTPS)
		return
	}
	if u.Opaque != "" {
		add(urlInvalid)
		return
	}
	if u.User != nil {
		add(urlUserinfo)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		add(urlInvalid)
		return
	}
	if _, err := netip.ParseAddr(host); err == nil || isIPLike(host) {
		add(urlIPHost)
		return
	}
	host = strings.TrimSuffix(host, ".")
	ascii, err := urlProfile.ToASCII(host)
	if err != nil {
		add(urlInvalidIDN)
		return
	}
	if isIPLike(ascii) {
		add(urlIPHost) // full-width digits map to an address
		return
	}
	uni, err := urlProfile.ToUnicode(ascii)
	if err != nil {
		add(urlInvalidIDN)
		return
	}
	for _, label := range strings.Split(uni, ".") {
		if mixedScript(label) {
			add(urlMixedScript)
		}
		if wholeScriptConfusable(label) {
			add(urlConfusableIDN)
		}
	}
	own := false
	hostSkel := skeleton(uni)
	for _, md := range merchantDomains {
		d, err := normalizeDomain(md)
		if err != nil {
			continue
		}
		if ascii == d || strings.HasSuffix(ascii, "."+d) {
			own = true
			continue
		}
		dUni, err := urlProfile.ToUnicode(d)
		if err != nil {
			continue
		}
		ds := skeleton(dUni)
		switch {
		case hostSkel == ds || strings.HasSuffix(hostSkel, "."+ds):
			add(urlLookalike)
		case strings.Contains("."+ascii+".", "."+d+"."):
			add(urlEmbeddedDomain)
		}
	}
	if own {
		return
	}
	for _, s := range shorteners {
		if ascii == s || strings.HasSuffix(ascii, "."+s) {
			add(urlShortener)
		}
	}
	if slices.Contains(suspiciousTLDs, ascii[strings.LastIndexByte(ascii, '.')+1:]) {
		add(urlSuspiciousTLD)
	}
}

// isIPLike reports whether a host would be parsed as an IPv4 address by a
// browser: under the WHATWG URL Standard's "ends in a number" rule, a host
// whose last label is decimal digits or 0x-prefixed hex goes to the IPv4
// parser, which accepts 1 to 4 parts in decimal, octal (leading 0) or hex —
// "3232235777", "0xC0A80101" and "0300.0250.1.1" are all 192.168.1.1.
func isIPLike(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		last = last[2:]
		for i := 0; i < len(last); i++ {
			if !isHexDigit(last[i]) {
				return false
			}
		}
		return true
	}
	return isDigits(last)
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// confusables maps characters to the ASCII they are read as. It is a small
// subset of the Unicode Consortium's confusables.txt (UTS #39, "Unicode
// Security Mechanisms", https://www.unicode.org/Public/security/latest/confusables.txt):
// the Cyrillic, Greek and Latin letters most used in look-alike domains, and
// the ASCII digits read as letters. Targets are fully reduced, so that "m"
// and "rn" meet at "rn" (confusables.txt: 006D → 0072 006E). "w" → "vv" and
// "d" → "cl" are the same kind of run confusion.
var confusables = map[rune]string{
	'0': "o", '1': "l", 'm': "rn", 'w': "vv", 'd': "cl",
	'ı': "i", 'ɑ': "a", 'ɡ': "g", 'ɩ': "i",
	'α': "a", 'ι': "i", 'ν': "v", 'ο': "o", 'ρ': "p", 'ϲ': "c", 'ϳ': "j",
	'а': "a", 'е': "e", 'о': "o", 'р': "p", 'с': "c", 'у': "y", 'х': "x",
	'ѕ': "s", 'і': "i", 'ј': "j", 'һ': "h", 'ӏ': "l", 'ԁ': "cl", 'ԛ': "q", 'ԝ': "vv",
}

// skeleton maps a host to the form its look-alikes share: decomposed,
// combining marks dropped, lower-cased, confusables replaced.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if t, ok := confusables[r]; ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scriptOf names the script of a letter, or "" for digits, hyphens and
// characters shared between scripts.
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return "Latin"
		}
		return ""
	}
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return ""
	}
	for name, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Bopomofo", "Thai", "Arabic", "Hebrew", "Armenian", "Georgian", "Devanagari"}

// mixedScript reports whether a label mixes scripts beyond what UTS #39's
// "Highly Restrictive" level allows: one script, or Latin with Han and
// Japanese kana, with Han and Bopomofo, or with Han and Hangul.
func mixedScript(label string) bool {
	set := map[string]bool{}
	for _, r := range label {
		if s := scriptOf(r); s != "" {
			set[s] = true
		}
	}
	if len(set) <= 1 {
		return false
	}
	delete(set, "Latin")
	for _, allowed := range [][]string{{"Han", "Hiragana", "Katakana"}, {"Han", "Bopomofo"}, {"Han", "Hangul"}} {
		ok := true
		for s := range set {
			if !slices.Contains(allowed, s) {
				ok = false
				break
			}
		}
		if ok {
			return false
		}
	}
	return true
}

// wholeScriptConfusable reports whether a non-ASCII label in one non-Latin
// script is spelled entirely with look-alikes of ASCII letters, like
// Cyrillic "аррӏе".
func wholeScriptConfusable(label string) bool {
	script := ""
	nonASCII := false
	for _, r := range label {
		if r >= utf8.RuneSelf {
			nonASCII = true
		}
		s := scriptOf(r)
		if s == "" {
			continue
		}
		if script != "" && s != script {
			return false
		}
		script = s
	}
	if !nonASCII || script == "" || script == "Latin" {
		return false
	}
	for _, r := range skeleton(label) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
