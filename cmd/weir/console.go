package main

import (
	"net"
	"net/url"

	weirhttp "github.com/weirhq/weir/http"
)

// consoleLink returns the URL that opens the console of the server
// listening on addr, signed in with token. The token travels in the
// fragment, which browsers never send to the server; the console removes it
// from the address bar once read. An unspecified listen host (0.0.0.0, ::
// or none) is reached on localhost.
func consoleLink(addr, token string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	}
	u := url.URL{Scheme: "http", Host: host, Path: weirhttp.ConsolePath, Fragment: "token=" + token}
	return u.String()
}
