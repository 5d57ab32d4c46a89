package nodes

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// needExperience fails an experience node's run when the run cannot reach
// experience users and groups.
func needExperience(env *engine.Env) error {
	if env.Experience == nil || env.Experience.Users == nil || env.Experience.Groups == nil || env.Experience.Auth == nil {
		return engine.Errorf("Error", "experience users are not available to this run")
	}
	return nil
}

// groupTree reads the application's experience groups, without their
// members.
func groupTree(ctx context.Context, env *engine.Env) (weir.GroupTree, error) {
	return readGroupTree(ctx, env, false)
}

// readGroupTree reads the application's experience groups, with their
// members when asked.
func readGroupTree(ctx context.Context, env *engine.Env, members bool) (weir.GroupTree, error) {
	gs, _, err := env.Experience.Groups.FindExperienceGroups(ctx, weir.ExperienceGroupFilter{ApplicationID: env.ApplicationID,
		NoMembers: !members})
	if err != nil {
		return nil, err
	}
	return weir.NewGroupTree(gs), nil
}

// userValue returns u as the user nodes write it (weir.ExperienceUserDocument).
func userValue(ctx context.Context, env *engine.Env, u *weir.ExperienceUser) (any, error) {
	t, err := groupTree(ctx, env)
	if err != nil {
		return nil, err
	}
	return weir.ExperienceUserDocument(u, t), nil
}

// findUser finds the application's user by id or, when s is not an id, by
// email, as Losant tells them apart by form; NotFound when there is none.
func findUser(ctx context.Context, env *engine.Env, s string) (*weir.ExperienceUser, error) {
	s = strings.TrimSpace(s)
	if weir.ValidID(s) {
		return env.Experience.Users.FindExperienceUserByID(ctx, env.ApplicationID, strings.ToLower(s))
	}
	if s == "" {
		return nil, weir.Errorf(weir.NotFound, "Experience user was not found")
	}
	return env.Experience.Users.FindExperienceUserByEmail(ctx, env.ApplicationID, s)
}

// findUserBy renders emailOrIdTemplate t and finds the user it names.
func findUserBy(ctx context.Context, env *engine.Env, t *template.Template, p engine.Payload) (*weir.ExperienceUser, error) {
	s, err := renderText("emailOrIdTemplate", t, p)
	if err != nil {
		return nil, err
	}
	return findUser(ctx, env, s)
}

// renderRaw renders an optional template as it is, untrimmed: a password
// keeps its spaces.
func renderRaw(field string, t *template.Template, p engine.Payload) (string, error) {
	if t == nil {
		return "", nil
	}
	s, err := t.Render(p)
	if err != nil {
		return "", weir.Errorf(weir.Validation, "%s: %v", field, err)
	}
	return s, nil
}

// renderTTL renders a token lifetime in milliseconds: empty is none (the
// token does not expire); anything else must be a positive number.
func renderTTL(t *template.Template, p engine.Payload) (time.Duration, error) {
	s, err := renderText("ttlTemplate", t, p)
	if err != nil || strings.TrimSpace(s) == "" {
		return 0, err
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || ms <= 0 || math.IsInf(ms, 0) || ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, weir.Errorf(weir.Validation, "ttlTemplate must be a positive number of milliseconds")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// renderExtraData renders extraDataJsonTemplate: empty is none.
func renderExtraData(t *template.Template, p engine.Payload) (any, error) {
	if t == nil {
		return nil, nil
	}
	s, err := renderText("extraDataJsonTemplate", t, p)
	if err != nil || strings.TrimSpace(s) == "" {
		return nil, err
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, weir.Errorf(weir.Validation, "extraDataJsonTemplate is not valid JSON")
	}
	return v, nil
}

// failOrResult writes a refused operation's error at the result path and
// fails the run for an internal one.
func failOrResult(p engine.Payload, at path.Path, ok bool, err error) error {
	if weir.ErrorTypeOf(err) == weir.Internal {
		return err
	}
	return setResult(p, at, ok, platformError(err))
}

// userFieldsConfig are the individual fields of User: Create and User:
// Update.
type userFieldsConfig struct {
	EmailTemplate     engine.Text     `json:"emailTemplate"`
	PasswordTemplate  engine.Text     `json:"passwordTemplate"`
	FirstNameTemplate engine.Text     `json:"firstNameTemplate"`
	LastNameTemplate  engine.Text     `json:"lastNameTemplate"`
	UserTags          []tagTemplate   `json:"userTags"`
	GroupIDTemplates  json.RawMessage `json:"groupIdTemplates"` // an array of templates, or "" (leave alone)
}

// userFieldSpecs document userFieldsConfig and the data methods.
var userFieldSpecs = []engine.Field{
	{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the user's fields come from."},
	{Name: "emailTemplate", Kind: "template", Doc: "The email; blank leaves it (update)."},
	{Name: "passwordTemplate", Kind: "template", Doc: "The password, 8 to 2048 characters; blank leaves it (update). Stored only hashed."},
	{Name: "firstNameTemplate", Kind: "template", Doc: "The first name; blank leaves it (update)."},
	{Name: "lastNameTemplate", Kind: "template", Doc: "The last name; blank leaves it (update)."},
	{Name: "userTags", Kind: "array", Doc: "[{keyTemplate, valueTemplate}]: tags to set; on update a key without a value removes it."},
	{Name: "groupIdTemplates", Kind: "array", Doc: "Group id templates: the user's groups (an update replaces them); \"\" leaves them."},
	{Name: "userJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: an experienceUserPost (create) or experienceUserPatch (update) document."},
	{Name: "userPayloadPath", Kind: "path", Doc: "payloadPath: where such a document is on the payload."},
	{Name: "resultPath", Kind: "path", Doc: "Where to put the user, or {error: {type, message}} when refused."},
}

// userInput is how User: Create and User: Update read a user.
type userInput struct {
	method                       string
	email, password, first, last *template.Template
	tags                         []compiledTag
	groups                       []*template.Template
	setGroups                    bool
	json                         *template.Template
	path                         path.Path
}

func compileUserInput(method string, f userFieldsConfig, jsonTmpl engine.Text, payloadPath string) (*userInput, error) {
	in := &userInput{method: method}
	var err error
	switch method {
	case "", "individualFields":
		in.method = "individualFields"
		for _, c := range []struct {
			dst  **template.Template
			name string
			src  engine.Text
		}{{&in.email, "emailTemplate", f.EmailTemplate}, {&in.password, "passwordTemplate", f.PasswordTemplate},
			{&in.first, "firstNameTemplate", f.FirstNameTemplate}, {&in.last, "lastNameTemplate", f.LastNameTemplate}} {
			if *c.dst, err = compileOptionalTemplate(c.name, c.src); err != nil {
				return nil, err
			}
		}
		if in.tags, err = compileTags("userTags", f.UserTags); err != nil {
			return nil, err
		}
		var list []engine.Text
		if len(f.GroupIDTemplates) > 0 && json.Unmarshal(f.GroupIDTemplates, &list) == nil && f.GroupIDTemplates[0] == '[' {
			in.setGroups = true
			for i, g := range list {
				t, err := engine.CompileTemplate("groupIdTemplates["+strconv.Itoa(i)+"]", string(g))
				if err != nil {
					return nil, err
				}
				in.groups = append(in.groups, t)
			}
		}
	case "jsonTemplate":
		in.json, err = engine.CompileTemplate("userJsonTemplate", string(jsonTmpl))
	case "payloadPath":
		in.path, _, err = engine.CompilePath("userPayloadPath", payloadPath, true)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	return in, err
}

// change renders the input into a change of u: blank individual fields
// leave u's value; a tag key without a value removes the tag.
func (in *userInput) change(u *weir.ExperienceUser, p engine.Payload) (*weir.ExperienceUserChange, error) {
	c := &weir.ExperienceUserChange{}
	if in.method != "individualFields" {
		var v any
		if in.method == "jsonTemplate" {
			var err error
			if v, err = in.json.RenderJSON(p); err != nil {
				return nil, weir.Errorf(weir.Validation, "userJsonTemplate: %v", err)
			}
		} else {
			v = in.path.Get(p)
		}
		b, err := json.Marshal(v)
		if err != nil || json.Unmarshal(b, c) != nil {
			return nil, weir.Errorf(weir.Validation, "the user document must be an object of experienceUser fields")
		}
		return c, nil
	}
	for _, f := range []struct {
		name string
		t    *template.Template
		dst  **string
	}{{"emailTemplate", in.email, &c.Email}, {"passwordTemplate", in.password, &c.Password},
		{"firstNameTemplate", in.first, &c.FirstName}, {"lastNameTemplate", in.last, &c.LastName}} {
		render := renderText
		if f.name == "passwordTemplate" {
			render = renderRaw
		}
		s, err := render(f.name, f.t, p)
		if err != nil {
			return nil, err
		}
		if s != "" {
			*f.dst = &s
		}
	}
	if len(in.tags) > 0 {
		tags, err := renderTagObject(in.tags, u.UserTags, p)
		if err != nil {
			return nil, err
		}
		c.UserTags = &tags
	}
	if in.setGroups {
		ids := []string{}
		for _, t := range in.groups {
			s, err := renderText("groupIdTemplates", t, p)
			if err != nil {
				return nil, err
			}
			if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
				ids = append(ids, s)
			}
		}
		c.GroupIDs = &ids
	}
	return c, nil
}

// renderTagObject returns base with the rendered tags applied: a key with a
// value sets it, a key without one removes it, a blank key is skipped.
func renderTagObject(tags []compiledTag, base map[string]string, p engine.Payload) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for _, t := range tags {
		k, err := renderText("tag key", t.key, p)
		if err != nil {
			return nil, err
		}
		v, err := renderText("tag value", t.value, p)
		if err != nil {
			return nil, err
		}
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out, nil
}

// withExperience lets a device query with experienceUserId or
// experienceGroupId conditions decide them against the application's
// experience users and groups.
func withExperience(ctx context.Context, env *engine.Env, q *weir.DeviceQuery) error {
	if !q.NamesExperience() {
		return nil
	}
	if err := needExperience(env); err != nil {
		return err
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return err
	}
	q.WithExperience(weir.ExperienceDevices(ctx, env.Experience.Users, t, env.ApplicationID))
	return nil
}

// renderDeviceQuery renders t, an advanced device query named field,
// against p and has its experienceUserId and experienceGroupId conditions
// decided (withExperience). A template or query that does not read is
// Validation.
func renderDeviceQuery(ctx context.Context, env *engine.Env, t *template.Template, field string, p engine.Payload) (*weir.DeviceQuery, error) {
	v, err := t.RenderJSON(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s: %v", field, err)
	}
	q, err := weir.ParseDeviceQuery(v)
	if err != nil {
		return nil, err
	}
	if err := withExperience(ctx, env, q); err != nil {
		return nil, err
	}
	return q, nil
}
