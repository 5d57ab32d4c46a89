package engine

import (
	"fmt"
	"net/netip"
)

// Egress is the policy for the network destinations that nodes calling out
// (the HTTP node) may connect to. It is checked against the address of every
// connection as it is dialled, after DNS resolution and on every redirect,
// so neither a DNS answer that changes nor a redirect can get around it.
type Egress int

// The egress policies. The zero value is EgressLAN.
const (
	// EgressLAN allows the internet, loopback and private networks (a
	// self-hosted user's own services), but not link-local addresses and
	// the cloud providers' metadata services, which hand out the machine's
	// credentials.
	EgressLAN Egress = iota
	// EgressAll allows every destination.
	EgressAll
	// EgressPublic allows only globally routable unicast addresses: no
	// loopback, private, shared (CGNAT), link-local, documentation,
	// multicast or reserved ones.
	EgressPublic
)

// ParseEgress reads a policy name: all, lan or public.
func ParseEgress(s string) (Egress, error) {
	switch s {
	case "lan", "":
		return EgressLAN, nil
	case "all":
		return EgressAll, nil
	case "public":
		return EgressPublic, nil
	}
	return 0, fmt.Errorf("egress policy must be all, lan or public, not %q", s)
}

// String returns the policy's name.
func (e Egress) String() string {
	switch e {
	case EgressAll:
		return "all"
	case EgressPublic:
		return "public"
	}
	return "lan"
}

// metadataAddrs are cloud metadata services outside the link-local ranges:
// AWS over IPv6 and Alibaba Cloud.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// nonPublic are the IPv4 and IPv6 ranges that are not globally routable
// unicast (RFC 6890 and the IANA special-purpose registries), beyond what
// netip's predicates cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated): may embed any IPv4 address
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: may embed any IPv4 address
	netip.MustParsePrefix("fc00::/7"),        // unique local
}

// Allows reports whether the policy lets a connection to ip through. Under
// lan, an IPv6 address that embeds an IPv4 one (IPv4-mapped,
// IPv4-compatible, NAT64 or 6to4) is allowed only if the IPv4 address is.
func (e Egress) Allows(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch e {
	case EgressAll:
		return true
	case EgressPublic:
		return isPublic(ip)
	}
	if v4, ok := embeddedIPv4(ip); ok && !lanAllows(v4) {
		return false
	}
	return lanAllows(ip)
}

// lanAllows is the lan policy for one address: anything but link-local
// addresses and the metadata services.
func lanAllows(ip netip.Addr) bool {
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return false
		}
	}
	return ip.IsValid()
}

// Prefixes of IPv6 addresses that embed an IPv4 address.
var (
	ipv4Compatible = netip.MustParsePrefix("::/96")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// embeddedIPv4 returns the IPv4 address an IPv6 address carries, by which
// a translator or tunnel may reach it: IPv4-compatible (::a.b.c.d), NAT64
// (64:ff9b::a.b.c.d, and the local-use 64:ff9b:1::/48 as RFC 6052 lays it
// out) and 6to4 (2002:aabb:ccdd::/48).
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	switch {
	case ipv4Compatible.Contains(ip), nat64.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case nat64Local.Contains(ip):
		return netip.AddrFrom4([4]byte{b[6], b[7], b[9], b[10]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// isPublic reports whether ip is a globally routable unicast address.
func isPublic(ip netip.Addr) bool {
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
