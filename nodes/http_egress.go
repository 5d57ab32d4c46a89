package nodes

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"github.com/weirhq/weir/engine"
)

// errEgressBlocked marks a connection the egress policy refused.
var errEgressBlocked = errors.New("destination blocked by the egress policy")

// egressControl returns a dialer Control func that refuses, before
// connecting, every address policy does not allow. It sees the resolved
// address of each connection, so DNS answers and redirects are checked too.
func egressControl(policy engine.Egress) func(network, address string, _ syscall.RawConn) error {
	if policy == engine.EgressAll {
		return nil
	}
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", errEgressBlocked, address)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !policy.Allows(ip) {
			return fmt.Errorf("%w (%s): %s", errEgressBlocked, policy, address)
		}
		return nil
	}
}
