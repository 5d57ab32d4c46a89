package nodes

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/weirhq/weir/engine"
)

// errEgressBlocked marks a connection the egress policy refused.
var errEgressBlocked = errors.New("destination blocked by the egress policy")

// egressError is a connection refused before it was made: it names the
// address refused (after DNS resolution, on a redirect the redirect's) and
// why.
type egressError struct {
	addr   string // host:port dialled
	reason string // "blocked by the egress policy (lan)", "weir's own listener"
}

func (e *egressError) Error() string {
	return "connect EACCES " + e.addr + ": the destination is " + e.reason
}
func (e *egressError) Unwrap() error { return errEgressBlocked }

// egressControl returns a dialer Control func that refuses, before
// connecting, every address policy does not allow and weir's own listeners
// (own, which may be nil). It sees the resolved address of each connection,
// so DNS answers and redirects are checked too.
func egressControl(policy engine.Egress, own *engine.OwnListeners) func(network, address string, _ syscall.RawConn) error {
	if policy == engine.EgressAll && own == nil {
		return nil
	}
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			host, _, _ := net.SplitHostPort(address)
			ip, perr := netip.ParseAddr(host) // a zone, as in fe80::1%eth0
			if perr != nil {
				return &egressError{addr: address, reason: fmt.Sprintf("blocked by the egress policy (%s)", policy)}
			}
			ap = netip.AddrPortFrom(ip, 0)
		}
		if own.Refuses(ap.Addr(), ap.Port()) {
			return &egressError{addr: address, reason: "weir's own listener, which flows may not call"}
		}
		if !policy.Allows(ap.Addr()) {
			return &egressError{addr: address, reason: fmt.Sprintf("blocked by the egress policy (%s)", policy)}
		}
		return nil
	}
}

// NewEgressClient returns an HTTP client for weir's own outgoing calls (the
// callbacks of export jobs): the HTTP node's transport, so its connections
// obey egress and never reach weir's own listeners (own, may be nil), and
// a whole exchange bounded by timeout.
func NewEgressClient(egress engine.Egress, own *engine.OwnListeners, timeout time.Duration) *http.Client {
	return &http.Client{Transport: newHTTPTransport(nil, egress, own), Timeout: timeout}
}
