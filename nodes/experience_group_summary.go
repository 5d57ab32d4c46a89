package nodes

import (
	"context"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ExperienceGroupSummaryNode",
		Name:     "group-summary",
		Category: "experience",
		Summary: "Puts the application's experience group tree on the payload: a root {id: \"(root)\", name: \"(root)\", children} " +
			"whose children are the top groups, each {id, name, description, parentId, groupTags, children} (children sorted by name).",
		Outputs: []string{"next"},
		Fields: []engine.Field{
			{Name: "idTemplate", Kind: "template", Doc: "A user id or email: only the groups the user belongs to (its groups and those below). Blank: every group."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put the tree."},
		},
	}, buildExperienceGroupSummary)
}

type experienceGroupSummary struct {
	user   *template.Template
	result path.Path
}

func buildExperienceGroupSummary(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		IDTemplate engine.Text `json:"idTemplate"`
		ResultPath string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &experienceGroupSummary{}
	var err error
	if n.user, err = compileOptionalTemplate("idTemplate", cfg.IDTemplate); err != nil {
		return nil, err
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes the tree at resultPath.
func (n *experienceGroupSummary) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return 0, err
	}
	var tops []string // the groups shown at the top
	s, err := renderText("idTemplate", n.user, p)
	if err != nil {
		return 0, err
	}
	if s = strings.TrimSpace(s); s != "" {
		u, err := findUser(ctx, env, s)
		switch {
		case weir.ErrorTypeOf(err) == weir.NotFound:
		case err != nil:
			return 0, err
		default:
			for _, g := range u.GroupIDs {
				if !slices.ContainsFunc(t.Ancestors(g), func(a string) bool { return slices.Contains(u.GroupIDs, a) }) {
					tops = append(tops, g)
				}
			}
		}
	} else {
		for id, g := range t {
			if g.ParentID == "" || t[g.ParentID] == nil {
				tops = append(tops, id)
			}
		}
	}
	children := map[string][]*weir.ExperienceGroup{}
	for _, g := range t {
		children[g.ParentID] = append(children[g.ParentID], g)
	}
	var node func(g *weir.ExperienceGroup, depth int) map[string]any
	node = func(g *weir.ExperienceGroup, depth int) map[string]any {
		kids := children[g.ID]
		sortGroups(kids, "name", "asc")
		list := make([]any, 0, len(kids))
		for _, k := range kids {
			if depth < 100 { // the store refuses cycles; this bounds a broken tree
				list = append(list, node(k, depth+1))
			}
		}
		tags := map[string]any{}
		for k, v := range g.GroupTags {
			tags[k] = v
		}
		var parent any
		if g.ParentID != "" {
			parent = g.ParentID
		}
		return map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "parentId": parent,
			"groupTags": tags, "children": list}
	}
	topGroups := make([]*weir.ExperienceGroup, 0, len(tops))
	for _, id := range tops {
		topGroups = append(topGroups, t[id])
	}
	sortGroups(topGroups, "name", "asc")
	list := make([]any, 0, len(topGroups))
	for _, g := range topGroups {
		list = append(list, node(g, 0))
	}
	root := map[string]any{"id": "(root)", "name": "(root)", "children": list}
	return 0, setResult(p, n.result, true, root)
}
