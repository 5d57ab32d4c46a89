package nodes

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "GetExperienceGroupNode",
		Name:     "get-experience-group",
		Category: "experience",
		Summary:  "Finds experience groups of the application by id, name, tags or query and puts them on the payload.",
		Outputs:  []string{"next"},
		Fields: slices.Concat([]engine.Field{
			{Name: "findMethod", Kind: "enum", Enum: []string{"id", "name", "findByAllTags", "findByAnyTags", "query"}, Default: "id", Doc: "How to find the groups."},
			{Name: "idTemplate", Kind: "template", Doc: "The group's id (id) or exact name (name)."},
			{Name: "tags", Kind: "array", Doc: "[{keyTemplate, valueTemplate}] matched against groupTags; a blank side matches any."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "An advanced experience group query (id, name, parentId, ancestorId, groupTags, experienceUserId, experienceEndpointId, dates)."},
		}, findFieldSpecs("name", "id", "creationDate", "lastUpdated"), []engine.Field{
			{Name: "resultPath", Kind: "path", Doc: "Where to put the group (with ancestorIds), null, or the array."},
		}),
	}, buildGetExperienceGroup)
}

type getExperienceGroup struct {
	method string
	id     *template.Template
	tags   []compiledTag
	query  *template.Template
	findOptions
	result path.Path
}

func buildGetExperienceGroup(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		FindMethod    string        `json:"findMethod"`
		IDTemplate    engine.Text   `json:"idTemplate"`
		Tags          []tagTemplate `json:"tags"`
		QueryTemplate engine.Text   `json:"queryTemplate"`
		findConfig
		ResultPath string `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &getExperienceGroup{method: cmp.Or(cfg.FindMethod, "id")}
	var err error
	switch n.method {
	case "id", "name":
		n.id, err = engine.CompileTemplate("idTemplate", string(cfg.IDTemplate))
	case "findByAllTags", "findByAnyTags":
		n.tags, err = compileTags("tags", cfg.Tags)
	case "query":
		n.query, err = engine.CompileTemplate("queryTemplate", string(cfg.QueryTemplate))
	default:
		return nil, engine.Errorf("Validation", "findMethod %q is not supported", n.method)
	}
	if err != nil {
		return nil, err
	}
	if n.findOptions, err = cfg.findConfig.compile("name"); err != nil {
		return nil, err
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec finds the groups and writes them at resultPath.
func (n *getExperienceGroup) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	t, err := readGroupTree(ctx, env, true)
	if err != nil {
		return 0, err
	}
	match, err := n.matcher(t, p)
	if err != nil {
		return 0, failOrResult(p, n.result, true, err)
	}
	var all []*weir.ExperienceGroup
	for _, g := range t {
		if match(g) {
			all = append(all, g)
		}
	}
	sortGroups(all, n.sortField, n.sortDir)
	page, perPage := n.paging(p)
	total := len(all)
	if n.multiple {
		start := min(page*perPage, total)
		all = all[start:min(start+perPage, total)]
	}
	items := make([]any, 0, len(all))
	for _, g := range all {
		items = append(items, weir.ExperienceGroupDocument(g, t))
	}
	return 0, setResult(p, n.result, true, n.findOptions.result(items, total, page, perPage))
}

// matcher returns what selects the groups.
func (n *getExperienceGroup) matcher(t weir.GroupTree, p engine.Payload) (func(*weir.ExperienceGroup) bool, error) {
	switch n.method {
	case "id", "name":
		s, err := renderText("idTemplate", n.id, p)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if n.method == "id" {
			return func(g *weir.ExperienceGroup) bool { return g.ID == strings.ToLower(s) }, nil
		}
		return func(g *weir.ExperienceGroup) bool { return g.Name == s }, nil
	case "query":
		v, err := n.query.RenderJSON(p)
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
		}
		q, err := weir.ParseExperienceGroupQuery(v)
		if err != nil {
			return nil, err
		}
		return func(g *weir.ExperienceGroup) bool { return q.MatchGroup(g, t) }, nil
	}
	pairs, err := renderTags(n.tags, p)
	if err != nil {
		return nil, err
	}
	all := n.method == "findByAllTags"
	return func(g *weir.ExperienceGroup) bool {
		if len(pairs) == 0 {
			return all
		}
		for _, tf := range pairs {
			has := false
			for k, v := range g.GroupTags {
				if (tf.Key == "" || tf.Key == k) && (tf.Value == "" || tf.Value == v) {
					has = true
				}
			}
			if has != all {
				return has
			}
		}
		return all
	}, nil
}

// sortGroups orders gs by field (name case-insensitively), then id.
func sortGroups(gs []*weir.ExperienceGroup, field, dir string) {
	key := func(g *weir.ExperienceGroup) string {
		switch field {
		case "id":
			return g.ID
		case "creationDate":
			return fmt.Sprintf("%020d", g.CreationDate.UnixNano())
		case "lastUpdated":
			return fmt.Sprintf("%020d", g.LastUpdated.UnixNano())
		}
		return strings.ToLower(g.Name)
	}
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := key(gs[i]), key(gs[j])
		if a == b {
			a, b = gs[i].ID, gs[j].ID
		}
		if strings.EqualFold(dir, "desc") {
			return a > b
		}
		return a < b
	})
}
