package http

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
)

// paramKind is how a query parameter is checked.
type paramKind int

const (
	paramString paramKind = iota
	paramInt              // integer within [min, max]
	paramEnum             // one of enum
	paramID               // 24-hex id
	paramBool             // true/false/1/0/yes/no
)

// queryParam declares one query parameter of an action.
type queryParam struct {
	name     string
	kind     paramKind
	def      string // default value; "" = none
	enum     []string
	min, max int64
}

// listParams are the pagination, sorting and filtering parameters of a
// collection whose sortField defaults to "name", or to its first sort field
// when it has no name.
func listParams(sortFields, filterFields []string) []queryParam {
	sortDefault := "name"
	if !slices.Contains(sortFields, sortDefault) {
		sortDefault = sortFields[0] // experience endpoints have no name: route
	}
	return []queryParam{
		{name: "sortField", kind: paramEnum, def: sortDefault, enum: sortFields},
		{name: "sortDirection", kind: paramEnum, def: "asc", enum: []string{"asc", "desc"}},
		{name: "page", kind: paramInt, def: "0", min: 0, max: 1 << 31},
		{name: "perPage", kind: paramInt, def: "100", min: 1, max: 1000},
		{name: "filterField", kind: paramEnum, enum: filterFields},
		{name: "filter", kind: paramString},
	}
}

// parseQuery checks q against params and returns each declared parameter's
// value, defaults applied. Undeclared parameters are ignored.
func parseQuery(q url.Values, params []queryParam) (map[string]string, error) {
	out := make(map[string]string, len(params))
	for _, p := range params {
		v, ok := q[p.name]
		if !ok || len(v) == 0 || (v[0] == "" && p.kind != paramString) {
			if p.def != "" {
				out[p.name] = p.def
			}
			continue
		}
		if len(v) > 1 {
			return nil, weir.Errorf(weir.Validation, "%s is the wrong type", p.name)
		}
		if err := p.check(v[0]); err != nil {
			return nil, err
		}
		out[p.name] = v[0]
	}
	return out, nil
}

func (p queryParam) check(v string) error {
	switch p.kind {
	case paramInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return weir.Errorf(weir.Validation, "%s is the wrong type", p.name)
		}
		if n < p.min {
			return weir.Errorf(weir.Validation, "%s is less than minimum", p.name)
		}
		if n > p.max {
			return weir.Errorf(weir.Validation, "%s is more than maximum", p.name)
		}
	case paramEnum:
		if !slices.Contains(p.enum, v) {
			return weir.Errorf(weir.Validation, "%s must be an enum value", p.name)
		}
	case paramID:
		if !weir.ValidID(v) {
			return weir.Errorf(weir.Validation, "%s pattern mismatch", p.name)
		}
	case paramBool:
		switch strings.ToLower(v) {
		case "true", "false", "1", "0", "yes", "no":
		default:
			return weir.Errorf(weir.Validation, "%s is the wrong type", p.name)
		}
	}
	return nil
}

// listOptions builds store list options from validated list parameters.
func listOptions(q map[string]string) weir.ListOptions {
	page, _ := strconv.Atoi(q["page"])
	perPage, _ := strconv.Atoi(q["perPage"])
	o := weir.ListOptions{
		Page:          page,
		PerPage:       perPage,
		SortField:     q["sortField"],
		SortDirection: q["sortDirection"],
		FilterField:   q["filterField"],
		Filter:        q["filter"],
	}
	if o.Filter != "" && o.FilterField == "" {
		o.FilterField = "name"
	}
	if o.FilterField != "" && o.Filter == "" {
		o.FilterField = ""
	}
	return o
}

// withoutParam returns params less the one named name.
func withoutParam(params []queryParam, name string) []queryParam {
	out := make([]queryParam, 0, len(params))
	for _, p := range params {
		if p.name != name {
			out = append(out, p)
		}
	}
	return out
}

// pageOf returns the page of items opts selects; PerPage 0 selects all.
func pageOf[T any](items []T, opts weir.ListOptions) []T {
	start := min(opts.Page*opts.PerPage, len(items))
	end := len(items)
	if opts.PerPage > 0 {
		end = min(start+opts.PerPage, len(items))
	}
	return items[start:end]
}
