package weir

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Experience endpoint access levels: anyone; any signed-in experience user;
// a signed-in user of one of the endpoint's groups (GroupIDs). Losant also
// knows device access, which weir refuses.
const (
	EndpointAccessPublic        = "public"
	EndpointAccessAuthenticated = "authenticated"
	EndpointAccessGroup         = "group"
)

// UnauthorizedReply is what an endpoint answers a request its access
// refuses, instead of Losant's 401: a redirect to Value (a template of the
// request) with StatusCode (302 by default).
type UnauthorizedReply struct {
	Type       string `json:"type"` // "redirect"
	StatusCode int    `json:"statusCode,omitempty"`
	Value      string `json:"value"`
}

// Validate checks that r (nil: none) is a redirect with a value and, if
// it has one, a 3xx status code.
func (r *UnauthorizedReply) Validate() error {
	if r == nil {
		return nil
	}
	if r.Type != "redirect" || r.Value == "" {
		return Errorf(Validation, "unauthorizedReply must be a redirect with a value")
	}
	if r.StatusCode != 0 && (r.StatusCode < 300 || r.StatusCode > 399) {
		return Errorf(Validation, "unauthorizedReply statusCode must be a 3xx redirect")
	}
	return nil
}

// StaticReply is what an endpoint answers when no workflow handles its
// request: the page Value names (an id, else a name) rendered in its
// layout, or a redirect to Value; StatusCode defaults to 200 for a page
// and 302 for a redirect.
type StaticReply struct {
	Type       string `json:"type"` // "page" or "redirect"
	Value      string `json:"value"`
	StatusCode int    `json:"statusCode,omitempty"`
}

// ExperienceEndpointMethods are the HTTP methods an experience endpoint may
// answer, lowercase as Losant stores them.
var ExperienceEndpointMethods = []string{"get", "post", "put", "patch", "delete", "options"}

// ExperienceEndpoint is a public route of an application's experience,
// served at /experience/{applicationId}{route}: its requests start runs of
// the application's flows that have an endpoint trigger keyed by its ID.
type ExperienceEndpoint struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"applicationId"`
	Route         string    `json:"route"`  // "/users/{id}": literal and {param} segments, a last {param?} or {param*}
	Method        string    `json:"method"` // one of ExperienceEndpointMethods
	Description   string    `json:"description"`
	Access        string    `json:"access"`
	Enabled       bool      `json:"enabled"`
	CreationDate  time.Time `json:"creationDate"`
	LastUpdated   time.Time `json:"lastUpdated"`

	// GroupIDs are the experience groups whose users a group endpoint
	// answers.
	GroupIDs          []string           `json:"experienceGroupIds"`
	UnauthorizedReply *UnauthorizedReply `json:"unauthorizedReply,omitempty"`
	StaticReply       *StaticReply       `json:"staticReply,omitempty"`
	Tags              map[string]string  `json:"endpointTags"`
}

// Validate checks the structural rules of an endpoint: a route of literal
// and {param} segments starting with "/", a known method, public,
// authenticated or group access (group access with no groups refuses
// every request), a redirect as unauthorized
// reply and a description of at most 32767 characters.
func (e *ExperienceEndpoint) Validate() error {
	if err := validRoute(e.Route); err != nil {
		return err
	}
	if !slices.Contains(ExperienceEndpointMethods, e.Method) {
		return Errorf(Validation, "method must be one of %s", strings.Join(ExperienceEndpointMethods, ", "))
	}
	switch e.Access {
	case EndpointAccessPublic, EndpointAccessAuthenticated, EndpointAccessGroup:
		// Group access with no groups refuses everyone: it is what
		// deleting an endpoint's last group leaves, and it must survive
		// an update, an export and an import unchanged.
	default:
		return Errorf(Validation, "access %s is not supported", e.Access)
	}
	if err := validIDList("experienceGroupIds", e.GroupIDs, MaxGroupMembers); err != nil {
		return err
	}
	if err := validTagObject("endpointTags", e.Tags); err != nil {
		return err
	}
	if err := e.UnauthorizedReply.Validate(); err != nil {
		return err
	}
	if r := e.StaticReply; r != nil {
		if r.Type != "page" && r.Type != "redirect" || r.Value == "" || len(r.Value) > 1024 {
			return Errorf(Validation, "staticReply must be a page or a redirect with a value of at most 1024 characters")
		}
		if r.StatusCode != 0 && (r.StatusCode < 100 || r.StatusCode > 599) {
			return Errorf(Validation, "staticReply statusCode must be between 100 and 599")
		}
	}
	if len([]rune(e.Description)) > 32767 {
		return Errorf(Validation, "description must be at most 32767 characters")
	}
	return nil
}

// RouteKey returns the route with its parameter names dropped ("/users/{}"
// for "/users/{id}", "{?}" and "{*}" for optional and wildcard ones): two
// endpoints of one application with the same method and key would answer
// the same requests, so they may not coexist.
func (e *ExperienceEndpoint) RouteKey() string {
	segs := routeSegments(e.Route)
	for i, s := range segs {
		switch segmentRank(s) {
		case rankParam:
			segs[i] = "{}"
		case rankOptional:
			segs[i] = "{?}"
		case rankWildcard:
			segs[i] = "{*}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// MatchRoute reports whether the request path p (as sent, still escaped)
// matches the endpoint's route, and returns the unescaped values of its
// parameters. A last {name?} segment matches one segment or none (then the
// parameter is absent); a last {name*} matches the rest of the path, none
// included, as one value with its slashes.
func (e *ExperienceEndpoint) MatchRoute(p string) (map[string]string, bool) {
	route, parts := routeSegments(e.Route), routeSegments(p)
	params := map[string]string{}
	if n := len(route); n > 0 {
		switch last := route[n-1]; segmentRank(last) {
		case rankOptional:
			if len(parts) == n-1 {
				route = route[:n-1]
			}
		case rankWildcard:
			if len(parts) < n-1 {
				return nil, false
			}
			rest := make([]string, 0, len(parts)-(n-1))
			for _, s := range parts[n-1:] {
				v, err := url.PathUnescape(s)
				if err != nil {
					return nil, false
				}
				rest = append(rest, v)
			}
			params[last[1:len(last)-2]] = strings.Join(rest, "/")
			route, parts = route[:n-1], parts[:n-1]
		}
	}
	if len(route) != len(parts) {
		return nil, false
	}
	for i, s := range route {
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, false
		}
		switch {
		case isRouteParam(s):
			if v == "" {
				return nil, false
			}
			params[strings.TrimSuffix(s[1:len(s)-1], "?")] = v
		case s != v:
			return nil, false
		}
	}
	return params, true
}

// MatchExperienceEndpoint returns the enabled endpoint of eps that answers
// method (any case) on path p, with its route parameters, or nil. When
// several match, the first segment where their routes differ decides: a
// literal segment beats a parameter.
func MatchExperienceEndpoint(eps []*ExperienceEndpoint, method, p string) (*ExperienceEndpoint, map[string]string) {
	method = strings.ToLower(method)
	var (
		best       *ExperienceEndpoint
		bestParams map[string]string
	)
	for _, e := range eps {
		if !e.Enabled || e.Method != method {
			continue
		}
		params, ok := e.MatchRoute(p)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(e.Route, best.Route) {
			best, bestParams = e, params
		}
	}
	return best, bestParams
}

// moreSpecific reports whether route a is to answer before route b when
// both match a request: at the first position where their segments differ
// in kind, a literal beats a {param}, which beats no segment, which beats
// an optional {param?}, which beats a wildcard {param*}.
func moreSpecific(a, b string) bool {
	as, bs := routeSegments(a), routeSegments(b)
	for i := range max(len(as), len(bs)) {
		ra, rb := rankMissing, rankMissing
		if i < len(as) {
			ra = segmentRank(as[i])
		}
		if i < len(bs) {
			rb = segmentRank(bs[i])
		}
		if ra != rb {
			return ra < rb
		}
	}
	return false
}

// Kinds of route segment, most specific first.
const (
	rankLiteral = iota
	rankParam
	rankMissing // no segment at that position
	rankOptional
	rankWildcard
)

// segmentRank returns the kind of a route segment.
func segmentRank(s string) int {
	switch {
	case !isRouteParam(s):
		return rankLiteral
	case strings.HasSuffix(s, "?}"):
		return rankOptional
	case strings.HasSuffix(s, "*}"):
		return rankWildcard
	}
	return rankParam
}

// validRoute checks that route starts with "/" and that each segment is a
// literal without braces, spaces, "?" or "#", or a {name} parameter; the
// last may be an optional {name?} or a wildcard {name*} parameter.
func validRoute(route string) error {
	if !strings.HasPrefix(route, "/") {
		return Errorf(Validation, "route must start with /")
	}
	if len(route) > 1024 {
		return Errorf(Validation, "route must be at most 1024 characters")
	}
	seen := map[string]bool{}
	segs := routeSegments(route)
	for i, s := range segs {
		switch {
		case s == "":
			return Errorf(Validation, "route %s has an empty segment", route)
		case isRouteParam(s):
			name := s[1 : len(s)-1]
			if r := segmentRank(s); r == rankOptional || r == rankWildcard {
				if i != len(segs)-1 {
					return Errorf(Validation, "route parameter %s may only be the last segment", s)
				}
				name = name[:len(name)-1]
			}
			if !validParamName(name) {
				return Errorf(Validation, "route parameter %s must be letters, digits or _", s)
			}
			if seen[name] {
				return Errorf(Validation, "route parameter %s is used twice", s)
			}
			seen[name] = true
		case strings.ContainsAny(s, "{}?# \t\r\n"):
			return Errorf(Validation, "route segment %s is neither a literal nor a {parameter}", s)
		}
	}
	return nil
}

// routeSegments splits a route or path after its leading "/"; "/" has none.
func routeSegments(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func isRouteParam(s string) bool {
	return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}'
}

func validParamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// ExperienceEndpointFilter selects the endpoints of one application.
type ExperienceEndpointFilter struct {
	ApplicationID string
	ListOptions   // SortField route (default), method, id, creationDate or lastUpdated; FilterField route
}

// ExperienceEndpointService manages experience endpoints. Deleting an
// application deletes its endpoints.
type ExperienceEndpointService interface {
	// FindExperienceEndpointByID returns NotFound ("Experience endpoint was
	// not found") unless the application has an endpoint with that id.
	FindExperienceEndpointByID(ctx context.Context, applicationID, id string) (*ExperienceEndpoint, error)

	// FindExperienceEndpoints returns one page of an application's endpoints
	// and the number matching the filter; without PerPage, all of them. An
	// unknown sort or filter field returns Validation.
	FindExperienceEndpoints(ctx context.Context, filter ExperienceEndpointFilter) ([]*ExperienceEndpoint, int, error)

	// CreateExperienceEndpoint stores a new endpoint; it sets ID (when
	// empty), CreationDate and LastUpdated. It returns Validation when e does
	// not validate, its ID is taken or the application has an endpoint with
	// the same method and RouteKey, and NotFound ("Application was not
	// found") when its application does not exist.
	CreateExperienceEndpoint(ctx context.Context, e *ExperienceEndpoint) error

	// UpdateExperienceEndpoint replaces the stored endpoint's settings with
	// e's and sets LastUpdated; CreationDate keeps its stored value. It
	// returns NotFound like FindExperienceEndpointByID and Validation like
	// CreateExperienceEndpoint.
	UpdateExperienceEndpoint(ctx context.Context, e *ExperienceEndpoint) error

	// DeleteExperienceEndpoint removes the endpoint. It returns NotFound
	// like FindExperienceEndpointByID.
	DeleteExperienceEndpoint(ctx context.Context, applicationID, id string) error
}
