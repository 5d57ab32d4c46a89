package engine

import (
	"net"
	"net/netip"
	"sync"
)

// OwnListeners are the addresses weir's own listeners are bound to (the
// API, the profiling listener): the HTTP node never connects to them,
// whatever the egress policy, so that a flow cannot act on the API with the
// server's network position nor read the unauthenticated profiles (which
// include the process's command line). A listener bound to a wildcard
// address (0.0.0.0, ::) is refused on every address of the machine.
// Listeners are added as they are bound; the zero value holds none and is
// ready to use; methods are safe for concurrent use.
type OwnListeners struct {
	mu    sync.RWMutex
	addrs []netip.AddrPort
}

// Add records the address of a bound listener; addresses that are not TCP
// or UDP ones are ignored.
func (o *OwnListeners) Add(addr net.Addr) {
	var ap netip.AddrPort
	switch a := addr.(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.UDPAddr:
		ap = a.AddrPort()
	default:
		return
	}
	o.mu.Lock()
	o.addrs = append(o.addrs, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	o.mu.Unlock()
}

// Refuses reports whether a connection to ip:port would reach one of the
// listeners. Only a matching port costs more than a comparison: for a
// wildcard listener, the machine's interface addresses are read then.
func (o *OwnListeners) Refuses(ip netip.Addr, port uint16) bool {
	if o == nil {
		return false
	}
	ip = ip.Unmap()
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, l := range o.addrs {
		if l.Port() != port {
			continue
		}
		switch {
		case ip == l.Addr(), ip.IsUnspecified(): // 0.0.0.0 and :: reach the local host
			return true
		case l.Addr().IsUnspecified() && (ip.IsLoopback() || isLocalAddr(ip)):
			return true
		}
	}
	return false
}

// isLocalAddr reports whether ip is an address of one of the machine's
// network interfaces.
func isLocalAddr(ip netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // cannot tell: refuse
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if local, ok := netip.AddrFromSlice(n.IP); ok && local.Unmap() == ip {
				return true
			}
		}
	}
	return false
}
