package qr

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
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
// after Unicode's UTS #39 with its full confusables data, and on the
// host's labels against the merchant's name, hyphens and suffix ignored,
// within one edit)
// and no merchant domain embedded in another host;
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
		case nearLookalike(uni, dUni):
			add(urlLookalike)
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

// runConfusables are look-alikes that Unicode's data leaves out because
// they span two characters, applied after it: "w" read as "vv" and "d" as
// "cl" (as "m" is read as "rn", which the data has: 006D → 0072 006E).
var runConfusables = map[rune]string{'w': "vv", 'd': "cl"}

//go:generate go run gen_confusables.go

// confusableMap is confusablesData (all of UTS #39's confusables.txt, see
// confusables_table.go) as a map from a character to its prototype, built
// on first use.
var confusableMap = sync.OnceValue(func() map[rune]string {
	m := make(map[rune]string, 6600)
	for e := range strings.SplitSeq(confusablesData, "\x00") {
		if r, n := utf8.DecodeRuneInString(e); n > 0 {
			m[r] = e[n:]
		}
	}
	return m
})

// skeleton maps a host to the form its look-alikes share, after the
// skeleton of UTS #39 ("Unicode Security Mechanisms", section 4): NFD, each
// character replaced by its prototype in Unicode's confusables.txt, NFD
// again. Two further steps make it fit host names: the result is
// lower-cased (prototypes may be capitals: 0 → O), and combining marks are
// dropped, so that "ħ" (h and a stroke overlay) meets "h" and "ü" meets
// "u".
func skeleton(s string) string {
	conf := confusableMap()
	var mapped strings.Builder
	for _, r := range norm.NFD.String(s) {
		if t, ok := conf[r]; ok {
			mapped.WriteString(t)
		} else {
			mapped.WriteRune(r)
		}
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(mapped.String()) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if t, ok := runConfusables[r]; ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxLabelEdits is how many single-character edits (insertions, deletions,
// substitutions) apart, on their skeletons, a label of a host and a
// merchant's name may be and still count as a look-alike: one ("fulano"
// and "fuano", "fuiano", "fulanno"). Names shorter than minEditLabel
// characters are compared for equality only, as short names one edit apart
// are too often simply different names.
const (
	maxLabelEdits = 1
	minEditLabel  = 5
)

// labelKey is a label as nearLookalike compares it: its skeleton, without
// hyphens.
func labelKey(label string) string {
	return strings.ReplaceAll(skeleton(label), "-", "")
}

// nearLookalike reports whether a host (Unicode form) has a label, other
// than its top-level domain, that looks like a merchant domain's name —
// the domain's first label, "fulano" for fulano.example or fulano.co.uk —
// once hyphens and confusable characters are set aside: the same name
// under another suffix (fulano.com, pay.fulano.co.uk), with a hyphen
// dropped or added, or at most maxLabelEdits edits away.
//
// Merchant domains are registrable domains (the registry certifies them
// so), which is why their first label is the name. The host's side needs
// no Public Suffix List: a label of its suffix ("co" of co.uk) is no
// merchant's name, and golang.org/x/net/publicsuffix would bring net/http
// into the browser's QR module.
func nearLookalike(host, domain string) bool {
	name, _, _ := strings.Cut(domain, ".")
	want := labelKey(name)
	if want == "" {
		return false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels[:len(labels)-1] {
		got := labelKey(l)
		if got == want {
			return true
		}
		if utf8.RuneCountInString(got) >= minEditLabel && utf8.RuneCountInString(want) >= minEditLabel &&
			levenshtein.ComputeDistance(got, want) <= maxLabelEdits {
			return true
		}
	}
	return false
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
