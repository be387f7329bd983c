package edge

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// parseTrustedProxies parses trusted_proxies: CIDR prefixes ("10.0.0.0/8",
// "2001:db8::/32") or single addresses, which stand for their own /32 or
// /128.
func parseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("edge: trusted_proxies: %q is not a CIDR prefix or an address: %w", s, ErrConfig)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func (h *Handler) trusted(a netip.Addr) bool {
	for _, p := range h.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop parses one address of a forwarding header: an IP address,
// optionally with a port ("192.0.2.1:4711", "[2001:db8::1]:4711"), as some
// proxies write it. Anything else is not an address.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientAddr is the address the rate limits and the card-testing defence
// count a request under.
//
// It is the connection's peer unless client_ip_header is configured and
// the peer is one of trusted_proxies (or, on the Worker, Cloudflare's own
// front end, see [Options.TrustPeer]). Then it is the header's right-most
// address that is not itself a trusted proxy: each proxy appends the
// address it received the request from, so everything to the left of the
// first untrusted hop came from the client and may be anything. Values
// that are not IP addresses are skipped. A header that names only trusted
// proxies, or none, leaves the peer.
func (h *Handler) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	name := h.cfg.ClientIPHeader
	if name == "" {
		return peer
	}
	if !h.trustPeer {
		a, ok := parseHop(peer)
		if !ok || !h.trusted(a) {
			return peer
		}
	}
	values := r.Header.Values(name)
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok || h.trusted(a) {
				continue
			}
			return a.String()
		}
	}
	return peer
}
