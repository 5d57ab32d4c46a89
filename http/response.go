package http

import (
	"encoding/json"
	"strings"

	"github.com/weirhq/weir"
)

// link is one hypermedia link.
type link struct {
	Href string `json:"href"`
}

// links is the _links object of an entity: "self" plus resource links.
type links map[string]link

// successResponse is the body of actions that answer {"success": true}.
type successResponse struct {
	Success bool `json:"success"`
}

var success = successResponse{Success: true}

// expand fills {applicationId}, {flowId} and {apiTokenId} into a path.
func expand(path string, ids ...string) string {
	r := strings.NewReplacer(ids...)
	return r.Replace(path)
}

// linksFor returns the links of a resource at path (pattern with its ids
// given as name/value pairs), or nil when the caller turned links off.
func linksFor(on bool, self string, extra map[string]string, ids ...string) links {
	if !on {
		return nil
	}
	l := links{"self": {Href: expand(self, ids...)}}
	for name, p := range extra {
		l[name] = link{Href: expand(p, ids...)}
	}
	return l
}

// rawOrNil drops a JSON null so that omitempty omits it.
func rawOrNil(m json.RawMessage) json.RawMessage {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return m
}

// nonNil returns s, or an empty slice for nil so it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sortDirection echoes the effective direction of a listing.
// listPage holds the fields every Losant list response shares.
type listPage struct {
	Count         int    `json:"count"`
	TotalCount    int    `json:"totalCount"`
	PerPage       int    `json:"perPage"`
	Page          int    `json:"page"`
	SortField     string `json:"sortField"`
	SortDirection string `json:"sortDirection"`
	FilterField   string `json:"filterField,omitempty"`
	Filter        string `json:"filter,omitempty"`
}

// newListPage describes a page of n items out of total, selected by o.
func newListPage(n, total int, o weir.ListOptions) listPage {
	return listPage{
		Count: n, TotalCount: total, PerPage: o.PerPage, Page: o.Page,
		SortField: o.SortField, SortDirection: sortDirection(o), FilterField: o.FilterField, Filter: o.Filter,
	}
}

func sortDirection(o weir.ListOptions) string {
	if o.SortDirection == "" {
		return "asc"
	}
	return o.SortDirection
}
