package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/weirhq/weir/flowfile"
)

// authTemplate is Losant's "Authentication Endpoint" template workflow:
// Validate Payload → Authenticate → Generate Token → Endpoint: Reply with
// {"success": true, "token": …}, or 400 with an error.
const authTemplate = corpusDir + "/experiences/apis/authentication-endpoint/experience/develop/workflows/POST__api_auth.yaml"

// experienceCall asks the experience endpoint path of app, without
// following redirects, and returns the status and body.
func experienceCall(t *testing.T, base, app, method, path string, body any, header http.Header) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+"/experience/"+app+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, b := askOnce(t, req)
	return resp.StatusCode, string(b)
}

// askOnce sends req without following redirects and returns the answer
// with its body read.
func askOnce(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// importEndpointFlow creates the flow of a Losant workflow export in app,
// its endpoint trigger keyed by endpointID.
func importEndpointFlow(t *testing.T, c *client, app, file, endpointID string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := flowfile.Parse(data)
	if err != nil || len(f.Flows) != 1 {
		t.Fatalf("parse %s: %v (%d flows)", file, err, len(f.Flows))
	}
	def := f.Flows[0].Definition
	for i := range def.Triggers {
		if def.Triggers[i].Type == "endpoint" {
			def.Triggers[i].Key = endpointID
		}
	}
	c.mustDo(201, "POST", "/applications/"+app+"/flows", map[string]any{
		"name": f.Flows[0].Name, "flowClass": "experience", "triggers": def.Triggers, "nodes": def.Nodes,
	}, nil)
}

// TestExperienceSignInAndGroupEndpoint: Losant's authentication endpoint
// template, imported unchanged, signs an experience user in through weir's
// HTTP stack; the token it answers opens a second endpoint restricted to a
// group for a member of the group (by header or cookie) and not for another
// user, another application's endpoint, or after the user is deleted.
func TestExperienceSignInAndGroupEndpoint(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	testExperienceSignIn(t, c, c.base)
}

// TestExperienceSignInScaledOut runs the same on two processes sharing
// PostgreSQL and NATS: the user signs in on one and is answered by the
// other, and the failed sign-ins one process counts lock the email on the
// other.
func TestExperienceSignInScaledOut(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	testExperienceSignIn(t, c, "http://"+ms[1].Addr())
}

// testExperienceSignIn signs in through c's server and asks the group
// endpoint at other (the same server, or another process of a cluster).
func testExperienceSignIn(t *testing.T, c *client, other string) {
	t.Helper()
	var app, otherApp struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "portal"}, &app)
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "other"}, &otherApp)

	var login struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/experience/endpoints",
		map[string]any{"route": "/api/auth", "method": "post", "access": "public"}, &login)
	importEndpointFlow(t, c, app.ID, authTemplate, login.ID)

	var staff struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/experience/groups", map[string]any{"name": "Staff"}, &staff)
	var ann, bob struct {
		ID       string
		Password *string `json:"password"`
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/experience/users", map[string]any{
		"email": "ann@example.com", "password": "correct horse", "firstName": "Ann", "experienceGroupIds": []string{staff.ID}}, &ann)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/experience/users", map[string]any{
		"email": "bob@example.com", "password": "battery staple"}, &bob)
	if ann.Password != nil {
		t.Fatal("the API answered a password")
	}

	// The advanced queries (the pinned losant-rest does not send them).
	var users struct{ TotalCount int }
	c.mustDo(200, "GET", "/applications/"+app.ID+"/experience/users?query="+url.QueryEscape(
		`{"$or":[{"experienceGroupId":"`+staff.ID+`"},{"email":{"$startsWith":"BOB","$ci":true}}]}`), nil, &users)
	if users.TotalCount != 2 {
		t.Errorf("user query matched %d, want 2", users.TotalCount)
	}
	c.mustDo(400, "GET", "/applications/"+app.ID+"/experience/users?query="+url.QueryEscape(`{"password":"x"}`), nil, nil)
	var groups struct{ TotalCount int }
	c.mustDo(200, "GET", "/applications/"+app.ID+"/experience/groups?query="+url.QueryEscape(`{"experienceUserId":"`+ann.ID+`"}`), nil, &groups)
	if groups.TotalCount != 1 {
		t.Errorf("group query matched %d, want 1", groups.TotalCount)
	}

	reply := map[string]any{
		"replyIdPath": "", "replyType": "custom", "responseCodeTemplate": "200", "bodyTemplateType": "json",
		"bodyTemplate": `{"email": "{{experience.user.email}}", "group": "{{experience.user.experienceGroups.[0].name}}"}`,
		"headerInfo":   []any{}, "cookieInfo": []any{}, "mqttTopicsTemplate": []any{}, "sameSiteTemplate": "",
	}
	var staffEndpoint string
	for _, a := range []string{app.ID, otherApp.ID} {
		var ep struct{ ID string }
		body := map[string]any{"route": "/staff/me", "method": "get", "access": "authenticated"}
		if a == app.ID {
			body["access"], body["experienceGroupIds"] = "group", []string{staff.ID}
		}
		c.mustDo(201, "POST", "/applications/"+a+"/experience/endpoints", body, &ep)
		if a == app.ID {
			staffEndpoint = ep.ID
		}
		c.mustDo(201, "POST", "/applications/"+a+"/flows", map[string]any{
			"name": "staff me",
			"triggers": []any{map[string]any{"type": "endpoint", "key": ep.ID, "config": map[string]any{},
				"outputIds": []any{[]any{"reply"}}}},
			"nodes": []any{map[string]any{"id": "reply", "type": "EndpointReplyNode", "config": reply}},
		}, nil)
	}

	signIn := func(email, password string) (int, string) {
		return experienceCall(t, c.base, app.ID, "POST", "/api/auth", map[string]any{"email": email, "password": password}, nil)
	}
	status, body := signIn("ANN@example.com", "correct horse")
	var answer struct {
		Success bool
		Token   string
	}
	if err := json.Unmarshal([]byte(body), &answer); status != 200 || err != nil || !answer.Success || answer.Token == "" {
		t.Fatalf("sign-in = %d %s, want 200 with a token", status, body)
	}
	for _, bad := range [][2]string{{"ann@example.com", "wrong horse"}, {"nobody@example.com", "correct horse"}} {
		if status, body := signIn(bad[0], bad[1]); status != 400 || !strings.Contains(body, "Invalid credentials") {
			t.Errorf("sign-in %s/%s = %d %s, want the template's 400", bad[0], bad[1], status, body)
		}
	}
	status, body = signIn("bob@example.com", "battery staple")
	var bobAnswer struct{ Token string }
	_ = json.Unmarshal([]byte(body), &bobAnswer)
	if status != 200 || bobAnswer.Token == "" {
		t.Fatalf("bob's sign-in = %d %s", status, body)
	}

	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	for _, tc := range []struct {
		name   string
		app    string
		header http.Header
		want   int
	}{
		{"MemberBearer", app.ID, bearer(answer.Token), 200},
		{"MemberCookie", app.ID, http.Header{"Cookie": {"authorization=" + answer.Token}}, 200},
		{"ErrNotInGroup", app.ID, bearer(bobAnswer.Token), 401},
		{"ErrNoToken", app.ID, nil, 401},
		{"ErrOtherApplication", otherApp.ID, bearer(answer.Token), 401},
	} {
		status, body := experienceCall(t, other, tc.app, "GET", "/staff/me", nil, tc.header)
		if status != tc.want {
			t.Errorf("%s: GET /staff/me = %d %s, want %d", tc.name, status, body, tc.want)
		}
		if tc.want == 200 && body != `{"email":"ann@example.com","group":"Staff"}` {
			t.Errorf("%s: body %s, want ann's email and group", tc.name, body)
		}
	}

	// Brute force: past 10 failures for bob's email, even his password fails
	// (asked of the other process: the count is shared).
	for range 11 {
		signIn("bob@example.com", "not his password")
	}
	status, body = experienceCall(t, other, app.ID, "POST", "/api/auth",
		map[string]any{"email": "bob@example.com", "password": "battery staple"}, nil)
	if status != 400 {
		t.Errorf("sign-in after too many failures = %d %s, want the template's 400", status, body)
	}

	// Deleting the group takes it out of the endpoint, which keeps group
	// access and so refuses even the group's former member, until an
	// update names a group again or changes its access; other updates
	// leave it so.
	c.mustDo(200, "DELETE", "/applications/"+app.ID+"/experience/groups/"+staff.ID, nil, nil)
	var ep struct {
		Access             string
		ExperienceGroupIDs []string `json:"experienceGroupIds"`
	}
	epPath := "/applications/" + app.ID + "/experience/endpoints/" + staffEndpoint
	c.mustDo(200, "GET", epPath, nil, &ep)
	if ep.Access != "group" || ep.ExperienceGroupIDs == nil || len(ep.ExperienceGroupIDs) != 0 {
		t.Errorf("endpoint after its group was deleted: access %q, experienceGroupIds %v; want group, []", ep.Access, ep.ExperienceGroupIDs)
	}
	if status, body := experienceCall(t, other, app.ID, "GET", "/staff/me", nil, bearer(answer.Token)); status != 401 {
		t.Errorf("former member on an endpoint without groups: %d %s, want 401", status, body)
	}
	c.mustDo(200, "PATCH", epPath, map[string]any{"description": "x"}, nil)
	if status, body := experienceCall(t, other, app.ID, "GET", "/staff/me", nil, bearer(answer.Token)); status != 401 {
		t.Errorf("former member after an update of the endpoint without groups: %d %s, want 401", status, body)
	}
	c.mustDo(200, "PATCH", epPath, map[string]any{"access": "authenticated"}, nil)
	if status, body := experienceCall(t, other, app.ID, "GET", "/staff/me", nil, bearer(answer.Token)); status != 200 {
		t.Errorf("authenticated endpoint after its group was deleted: %d %s, want 200", status, body)
	}

	c.mustDo(200, "DELETE", "/applications/"+app.ID+"/experience/users/"+ann.ID, nil, nil)
	if status, body := experienceCall(t, other, app.ID, "GET", "/staff/me", nil, bearer(answer.Token)); status != 401 {
		t.Errorf("deleted user's token: %d %s, want 401", status, body)
	}
}
