package engine

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
)

// TriggerRequest is the type of an HTTP request trigger: a method and route
// of an edge flow, answered by the flow's HTTP Response node.
const TriggerRequest = "request"

// RequestMatch is a request trigger that matches a request: its key and the
// route's parameters, unescaped.
type RequestMatch struct {
	Key    string
	Params map[string]string
}

// requestTriggerConfig is a request trigger's config.
type requestTriggerConfig struct {
	Method string `json:"method"` // "*" or empty: any
	Route  string `json:"route"`  // empty: any path
}

// MatchRequestTriggers returns every request trigger of def whose method
// and route match a request, in definition order: all of them fire. method
// is any case; escapedPath starts with "/" and keeps its escapes, so that an
// escaped "/" stays inside its segment. A route's segments are literals
// (case-sensitive), {name} (one segment), {name?} (last; one segment or
// none), {name*} (last; any number of segments, joined by "/") or {name*N}
// (exactly N segments). A trigger without a key or with an unreadable
// config never matches. A nil def has none.
func MatchRequestTriggers(def *weir.Definition, method, escapedPath string) []RequestMatch {
	if def == nil {
		return nil
	}
	method = strings.ToLower(method)
	segs := pathSegments(escapedPath)
	var out []RequestMatch
	for _, t := range def.Triggers {
		if t.Type != TriggerRequest || t.Key == "" {
			continue
		}
		var cfg requestTriggerConfig
		if len(t.Config) > 0 && json.Unmarshal(t.Config, &cfg) != nil {
			continue
		}
		if m := strings.ToLower(strings.TrimSpace(cfg.Method)); m != "" && m != "*" && m != method {
			continue
		}
		params, ok := matchRoute(strings.TrimSpace(cfg.Route), segs)
		if !ok {
			continue
		}
		out = append(out, RequestMatch{Key: t.Key, Params: params})
	}
	return out
}

// pathSegments splits an escaped path after its leading "/", ignoring one
// trailing "/"; "/" has none.
func pathSegments(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matchRoute matches escaped path segments against route; an empty route
// matches any path.
func matchRoute(route string, segs []string) (map[string]string, bool) {
	params := map[string]string{}
	if route == "" {
		return params, true
	}
	pattern := pathSegments(route)
	for i, pat := range pattern {
		last := i == len(pattern)-1
		name, kind, count, isParam := routeParam(pat)
		if !isParam {
			if i >= len(segs) || unescape(segs[i]) != pat {
				return nil, false
			}
			continue
		}
		switch {
		case kind == '?' && last:
			if len(segs) > i+1 {
				return nil, false
			}
			if len(segs) == i+1 {
				params[name] = unescape(segs[i])
			}
			return params, true
		case kind == '*' && last:
			rest := segs[min(i, len(segs)):]
			if count > 0 && len(rest) != count {
				return nil, false
			}
			vals := make([]string, len(rest))
			for j, s := range rest {
				vals[j] = unescape(s)
			}
			if len(vals) > 0 {
				params[name] = strings.Join(vals, "/")
			}
			return params, true
		case kind != 0:
			return nil, false // ? and * only end a route
		}
		if i >= len(segs) || segs[i] == "" {
			return nil, false
		}
		params[name] = unescape(segs[i])
	}
	return params, len(segs) == len(pattern)
}

// routeParam reads a {name}, {name?}, {name*} or {name*N} segment.
func routeParam(s string) (name string, kind byte, count int, ok bool) {
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return "", 0, 0, false
	}
	name = s[1 : len(s)-1]
	switch {
	case strings.HasSuffix(name, "?"):
		return name[:len(name)-1], '?', 0, true
	case strings.Contains(name, "*"):
		name, n, _ := strings.Cut(name, "*")
		if n == "" {
			return name, '*', 0, true
		}
		c, err := strconv.Atoi(n)
		if err != nil || c < 1 {
			return "", 0, 0, false
		}
		return name, '*', c, true
	}
	return name, 0, 0, true
}

// unescape decodes a path segment, keeping it as it is when it is not
// validly escaped.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
