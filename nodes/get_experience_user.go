package nodes

import (
	"cmp"
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
		Type:     "GetExperienceUserNode",
		Name:     "get-experience-user",
		Category: "experience",
		Summary:  "Finds experience users of the application by id or email, or by tags, and puts them on the payload.",
		Outputs:  []string{"next"},
		Fields: slices.Concat([]engine.Field{
			{Name: "findMethod", Kind: "enum", Enum: []string{"emailOrId", "userTags", "query"}, Default: "emailOrId", Doc: "emailOrId finds one user by id or email (told apart by form); userTags the users having every tag; query the users an advanced experience user query matches."},
			{Name: "emailOrIdTemplate", Kind: "template", Doc: "The user's id or email."},
			{Name: "userTags", Kind: "array", Doc: "[{keyTemplate, valueTemplate}]: every pair must match a tag; a blank value matches any."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "An advanced experience user query (id, email, names, userTags, experienceGroupId, dates)."},
		}, findFieldSpecs("email", "firstName", "lastName", "id", "creationDate", "lastLogin", "lastUpdated"), []engine.Field{
			{Name: "resultPath", Kind: "path", Doc: "Where to put the user (with experienceGroups), null, or the array."},
		}),
	}, buildGetExperienceUser)
}

type getExperienceUser struct {
	method string
	id     *template.Template
	tags   []compiledTag
	query  *template.Template
	findOptions
	result path.Path
}

func buildGetExperienceUser(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		FindMethod        string        `json:"findMethod"`
		EmailOrIDTemplate engine.Text   `json:"emailOrIdTemplate"`
		UserTags          []tagTemplate `json:"userTags"`
		QueryTemplate     engine.Text   `json:"queryTemplate"`
		findConfig
		ResultPath string `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &getExperienceUser{method: cmp.Or(cfg.FindMethod, "emailOrId")}
	var err error
	switch n.method {
	case "emailOrId":
		n.id, err = engine.CompileTemplate("emailOrIdTemplate", string(cfg.EmailOrIDTemplate))
	case "userTags":
		n.tags, err = compileTags("userTags", cfg.UserTags)
	case "query":
		n.query, err = engine.CompileTemplate("queryTemplate", string(cfg.QueryTemplate))
	default:
		return nil, engine.Errorf("Validation", "findMethod %q is not supported yet", cfg.FindMethod)
	}
	if err != nil {
		return nil, err
	}
	if n.findOptions, err = cfg.findConfig.compile("email"); err != nil {
		return nil, err
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec finds the users and writes them at resultPath.
func (n *getExperienceUser) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	page, perPage := n.paging(p)
	us, total, err := n.find(ctx, env, p, page, perPage)
	if err != nil {
		return 0, failOrResult(p, n.result, true, err)
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return 0, err
	}
	items := make([]any, 0, len(us))
	for _, u := range us {
		items = append(items, weir.ExperienceUserDocument(u, t))
	}
	return 0, setResult(p, n.result, true, n.findOptions.result(items, total, page, perPage))
}

func (n *getExperienceUser) find(ctx context.Context, env *engine.Env, p engine.Payload, page, perPage int) ([]*weir.ExperienceUser, int, error) {
	filter := weir.ExperienceUserFilter{ApplicationID: env.ApplicationID,
		ListOptions: weir.ListOptions{SortField: n.sortField, SortDirection: strings.ToLower(n.sortDir), PerPage: 1}}
	if n.multiple {
		filter.Page, filter.PerPage = page, perPage
	}
	switch n.method {
	case "query":
		v, err := n.query.RenderJSON(p)
		if err != nil {
			return nil, 0, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
		}
		if filter.Query, err = weir.ParseExperienceUserQuery(v); err != nil {
			return nil, 0, err
		}
		return env.Experience.Users.FindExperienceUsers(ctx, filter)
	case "emailOrId":
		u, err := findUserBy(ctx, env, n.id, p)
		if weir.ErrorTypeOf(err) == weir.NotFound {
			return nil, 0, nil
		} else if err != nil {
			return nil, 0, err
		}
		return []*weir.ExperienceUser{u}, 1, nil
	}
	pairs, err := renderTags(n.tags, p)
	if err != nil {
		return nil, 0, err
	}
	filter.Tags = map[string]string{}
	for _, t := range pairs {
		if t.Key == "" {
			return nil, 0, weir.Errorf(weir.Validation, "userTags need a key")
		}
		filter.Tags[t.Key] = t.Value
	}
	return env.Experience.Users.FindExperienceUsers(ctx, filter)
}
