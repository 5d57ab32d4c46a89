package engine_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/weirhq/weir/engine"
)

func TestEgressAllows(t *testing.T) {
	for _, tc := range []struct {
		addr             string
		all, lan, public bool
	}{
		{"93.184.216.34", true, true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true, true},
		{"127.0.0.1", true, true, false},
		{"::1", true, true, false},
		{"10.0.0.1", true, true, false},
		{"172.16.5.4", true, true, false},
		{"192.168.1.10", true, true, false},
		{"100.64.0.1", true, true, false},
		{"fd12:3456::1", true, true, false},
		{"169.254.169.254", true, false, false},
		{"::ffff:169.254.169.254", true, false, false},
		{"fe80::1", true, false, false},
		{"fd00:ec2::254", true, false, false},
		{"100.100.100.200", true, false, false},
		{"0.0.0.0", true, true, false},
		{"224.0.0.1", true, false, false},
		{"255.255.255.255", true, true, false},
		{"192.0.2.1", true, true, false},
		{"198.18.0.1", true, true, false},
		{"240.0.0.1", true, true, false},
		{"64:ff9b::a00:1", true, true, false},
		{"2002:a00:1::1", true, true, false},
		{"2001:db8::1", true, true, false},
		{"::ffff:127.0.0.1", true, true, false},
		// The metadata address in the forms that embed an IPv4 address.
		{"::a9fe:a9fe", true, false, false},              // IPv4-compatible
		{"64:ff9b::a9fe:a9fe", true, false, false},       // NAT64
		{"64:ff9b:1:a9fe:a9:fe00::", true, false, false}, // local-use NAT64, RFC 6052 /48
		{"2002:a9fe:a9fe::1", true, false, false},        // 6to4
		{"::6464:64c8", true, false, false},              // 100.100.100.200, IPv4-compatible
		{"::808:808", true, true, false},                 // IPv4-compatible 8.8.8.8: not public
		{"2002:808:808::1", true, true, false},
	} {
		ip := netip.MustParseAddr(tc.addr)
		for _, p := range []struct {
			e    engine.Egress
			want bool
		}{{engine.EgressAll, tc.all}, {engine.EgressLAN, tc.lan}, {engine.EgressPublic, tc.public}} {
			if got := p.e.Allows(ip); got != p.want {
				t.Errorf("%s.Allows(%s) = %v, want %v", p.e, tc.addr, got, p.want)
			}
		}
	}
}

func TestParseEgress(t *testing.T) {
	for s, want := range map[string]engine.Egress{"": engine.EgressLAN, "lan": engine.EgressLAN, "all": engine.EgressAll, "public": engine.EgressPublic} {
		if got, err := engine.ParseEgress(s); err != nil || got != want {
			t.Errorf("ParseEgress(%q) = %v, %v, want %v", s, got, err, want)
		}
	}
	if _, err := engine.ParseEgress("private"); err == nil {
		t.Error("ParseEgress(private) succeeded")
	}
}

func TestOwnListenersRefuses(t *testing.T) {
	var own engine.OwnListeners
	own.Add(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080})
	own.Add(&net.TCPAddr{IP: net.IPv6unspecified, Port: 6060})
	for _, tc := range []struct {
		addr string
		port uint16
		want bool
	}{
		{"127.0.0.1", 8080, true},
		{"::ffff:127.0.0.1", 8080, true},
		{"0.0.0.0", 8080, true}, // connecting to 0.0.0.0 reaches the local host
		{"127.0.0.1", 8081, false},
		{"10.1.2.3", 8080, false},
		{"127.0.0.1", 6060, true}, // a wildcard listener: every local address
		{"::1", 6060, true},
		{"127.0.0.5", 6060, true},
		{"93.184.216.34", 6060, false},
	} {
		if got := own.Refuses(netip.MustParseAddr(tc.addr), tc.port); got != tc.want {
			t.Errorf("Refuses(%s, %d) = %v, want %v", tc.addr, tc.port, got, tc.want)
		}
	}
	if (*engine.OwnListeners)(nil).Refuses(netip.MustParseAddr("127.0.0.1"), 8080) {
		t.Error("no listeners refused a destination")
	}
}
