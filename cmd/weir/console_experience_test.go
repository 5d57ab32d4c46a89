package main

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// experienceUserDoc is an experience user as the API answers it.
type experienceUserDoc struct {
	ID                  string `json:"id"`
	Email               string `json:"email"`
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	PasswordLastUpdated string `json:"passwordLastUpdated"`
	ExperienceGroups    []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"experienceGroups"`
}

// groupNames returns the names of u's groups, sorted.
func (u experienceUserDoc) groupNames() []string {
	var out []string
	for _, g := range u.ExperienceGroups {
		out = append(out, g.Name)
	}
	slices.Sort(out)
	return out
}

// experienceGroupDoc is an experience group as the API answers it.
type experienceGroupDoc struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	ParentID          *string  `json:"parentId"`
	ExperienceUserIDs []string `json:"experienceUserIds"`
	DeviceIDs         []string `json:"deviceIds"`
	DeviceTags        []struct{ Key, Value string }
}

// TestConsoleExperienceUsersAndGroups builds a group tree, creates users
// with passwords and groups, searches, edits and deletes them, and gives a
// group members and devices, all in the console, checking each step
// through the API.
func TestConsoleExperienceUsersAndGroups(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "groups")
	base := "/applications/" + appID
	groupsPath, usersPath := base+"/experience/groups", base+"/experience/users"
	var device struct{ ID string }
	owner.mustDo(201, "POST", base+"/devices", map[string]any{"name": "Greenhouse sensor", "attributes": []any{}}, &device)

	// A tree: Staff, and Night shift below it.
	p.fill("#new-group-name", "Staff")
	p.click("#create-group")
	p.waitFor("Staff", `document.querySelector('#group-tree .open-group')?.textContent === 'Staff'`)
	var groups struct{ Items []experienceGroupDoc }
	owner.mustDo(200, "GET", groupsPath, nil, &groups)
	if len(groups.Items) != 1 {
		t.Fatalf("groups %+v", groups.Items)
	}
	staff := groups.Items[0].ID
	p.fill("#new-group-name", "Night shift")
	p.choose("#new-group-parent", staff)
	p.click("#create-group")
	p.waitFor("the tree", `[...document.querySelectorAll('#group-tree tr')].map((r) => r.dataset.depth + r.querySelector('.open-group').textContent).join() === '0Staff,1Night shift'`)
	owner.mustDo(200, "GET", groupsPath+"?sortField=name", nil, &groups)
	night := groups.Items[0]
	if night.Name != "Night shift" || night.ParentID == nil || *night.ParentID != staff {
		t.Fatalf("Night shift %+v, want below Staff %s", night, staff)
	}

	// Users: a short password is refused with the server's message, then
	// Ann is created in Night shift.
	p.click("#apptab-users")
	p.fill("#new-user-email", "ann@example.com")
	p.fill("#new-user-first", "Ann")
	p.fill("#new-user-last", "Lee")
	p.fill("#new-user-password", "short")
	p.click(`#new-user-groups input[data-name="Night shift"]`)
	p.click("#create-user")
	p.waitFor("the password error", `document.querySelector('#new-user .error')?.textContent.includes('password')`)
	var users struct {
		Items      []experienceUserDoc
		TotalCount int
	}
	owner.mustDo(200, "GET", usersPath, nil, &users)
	if users.TotalCount != 0 {
		t.Fatalf("a refused user was created: %+v", users.Items)
	}
	p.fill("#new-user-password", "correct horse battery")
	p.click("#create-user")
	p.waitFor("Ann on the list", `document.querySelector('#user-list tr[data-email="ann@example.com"] .groups')?.textContent === 'Night shift'`)
	owner.mustDo(200, "GET", usersPath, nil, &users)
	if users.TotalCount != 1 {
		t.Fatalf("users %+v", users.Items)
	}
	ann := users.Items[0]
	if ann.Email != "ann@example.com" || ann.FirstName != "Ann" || ann.LastName != "Lee" || fmt.Sprint(ann.groupNames()) != "[Night shift]" {
		t.Fatalf("created user %+v", ann)
	}
	if n := eval[int](p, `document.querySelectorAll('#new-user input:checked').length`); n != 0 {
		t.Errorf("the form kept %d groups ticked after creating", n)
	}

	// Search by email and by last name, and by group.
	owner.mustDo(201, "POST", usersPath, map[string]any{"email": "bob@example.com", "lastName": "Stone", "password": "another password"}, nil)
	p.fill("#user-search", "bob")
	p.waitFor("Bob alone", `[...document.querySelectorAll('#user-list tbody tr')].map((r) => r.dataset.email).join() === 'bob@example.com'`)
	p.choose("#user-search-field", "lastName")
	p.fill("#user-search", "lee")
	p.waitFor("Ann alone", `[...document.querySelectorAll('#user-list tbody tr')].map((r) => r.dataset.email).join() === 'ann@example.com'`)
	p.fill("#user-search", "")
	p.choose("#user-group-filter", "none")
	p.waitFor("Bob, in no group", `[...document.querySelectorAll('#user-list tbody tr')].map((r) => r.dataset.email).join() === 'bob@example.com'`)
	p.choose("#user-group-filter", "")
	p.waitFor("both", `document.querySelectorAll('#user-list tbody tr').length === 2`)

	// Edit Ann: a new last name and password, Staff instead of Night shift.
	annRow := `#user-list tr[data-email="ann@example.com"]`
	p.click(annRow + " .edit-user")
	p.fill("#edit-user-last", "Lee-Park")
	p.fill("#edit-user-password", "a new long password")
	p.click(`#edit-user-groups input[data-name="Night shift"]`)
	p.click(`#edit-user-groups input[data-name="Staff"]`)
	p.click("#save-user")
	p.waitFor("the edit", `!document.querySelector('#user-edit') && document.querySelector('#user-list tr[data-email="ann@example.com"] .groups')?.textContent === 'Staff'`)
	var edited experienceUserDoc
	owner.mustDo(200, "GET", usersPath+"/"+ann.ID, nil, &edited)
	if edited.LastName != "Lee-Park" || fmt.Sprint(edited.groupNames()) != "[Staff]" {
		t.Errorf("edited user %+v", edited)
	}
	if edited.PasswordLastUpdated == "" || edited.PasswordLastUpdated == ann.PasswordLastUpdated {
		t.Errorf("the new password was not stored: passwordLastUpdated %q, before %q", edited.PasswordLastUpdated, ann.PasswordLastUpdated)
	}

	// A group's members and devices: Bob and the sensor into Night shift.
	p.click("#apptab-groups")
	p.click(fmt.Sprintf(`#group-tree tr[data-id=%q] .open-group`, night.ID))
	p.waitFor("the group's members", `document.querySelector('#group-members input[data-name="bob@example.com"]')`)
	p.click(`#group-members input[data-name="bob@example.com"]`)
	p.click(`#group-devices input[data-name="Greenhouse sensor"]`)
	p.fill("#group-device-tags", "floor=2")
	p.fill("#group-description", "after 22:00")
	p.click("#save-group")
	p.waitFor("the save", `document.querySelector('#group-saved') && document.querySelector('#group-tree tr[data-id="`+night.ID+`"] .sub')?.textContent.startsWith('1 member · 1 device')`)
	var got experienceGroupDoc
	owner.mustDo(200, "GET", groupsPath+"/"+night.ID, nil, &got)
	var bob experienceUserDoc
	owner.mustDo(200, "GET", usersPath+"?filterField=email&filter=bob", nil, &users)
	bob = users.Items[0]
	if fmt.Sprint(got.ExperienceUserIDs) != fmt.Sprint([]string{bob.ID}) || fmt.Sprint(got.DeviceIDs) != fmt.Sprint([]string{device.ID}) ||
		mustJSON(got.DeviceTags) != `[{"Key":"floor","Value":"2"}]` || got.ParentID == nil || *got.ParentID != staff {
		t.Errorf("saved group %+v", got)
	}

	// Devices by a device query: one that is not JSON is refused with the server's message.
	p.fill("#group-device-query", `{"name": `)
	p.click("#save-group")
	p.waitFor("the query error", `document.querySelector('#group-edit .error')?.textContent.includes('deviceQueryJson')`)
	p.fill("#group-device-query", `{"name": "Greenhouse sensor"}`)
	p.click("#save-group")
	p.waitFor("the save", `document.querySelector('#group-saved') && !document.querySelector('#group-edit .error')`)
	var withQuery struct{ DeviceQueryJSON string }
	owner.mustDo(200, "GET", groupsPath+"/"+night.ID, nil, &withQuery)
	if withQuery.DeviceQueryJSON != `{"name": "Greenhouse sensor"}` {
		t.Errorf("deviceQueryJson %q", withQuery.DeviceQueryJSON)
	}

	// Night shift moves to the top level.
	p.choose("#group-parent", "")
	p.click("#save-group")
	p.waitFor("a flat tree", `[...document.querySelectorAll('#group-tree tr')].map((r) => r.dataset.depth).join() === '0,0'`)
	owner.mustDo(200, "GET", groupsPath+"/"+night.ID, nil, &got)
	if got.ParentID != nil {
		t.Errorf("parent %v, want none", *got.ParentID)
	}

	// Deleting a user.
	p.click("#apptab-users")
	deleteRow(p, owner, annRow, usersPath+"/"+ann.ID)
	p.waitFor("Bob left", `document.querySelectorAll('#user-list tbody tr').length === 1`)
	p.checkClean()
}

// TestConsoleExperienceViews creates a layout, a page and a component in
// the console, edits the page's body and layout in its code area, lists
// views by type and deletes one, checking the views through the API.
func TestConsoleExperienceViews(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "views")
	viewsPath := "/applications/" + appID + "/experience/views"
	create := func(name, typ string) {
		p.fill("#new-view-name", name)
		p.choose("#new-view-type", typ)
		p.click("#create-view")
		p.waitFor(name+" open", fmt.Sprintf(`document.querySelector('#view-name')?.value === %q`, name))
	}
	create("main", "layout")
	create("badge", "component")
	create("home", "page")
	var views struct {
		Items []struct {
			ID, Name, ViewType, Body string
			LayoutID                 *string
		}
	}
	owner.mustDo(200, "GET", viewsPath+"?sortField=name", nil, &views)
	if len(views.Items) != 3 {
		t.Fatalf("views %+v", views.Items)
	}
	byName := map[string]string{}
	for _, v := range views.Items {
		byName[v.Name] = v.ID
	}

	// Edit the page: body and layout.
	body := "{{#fillSection \"title\"}}Home{{/fillSection}}\n<h1 id=\"hi\">Hello {{pageData.name}}</h1>\n"
	p.fill("#view-body", body)
	p.waitFor("the unsaved mark", `document.querySelector('#view-state')?.textContent === 'Unsaved changes'`)
	p.choose("#view-layout", byName["main"])
	p.click("#save-view")
	p.waitFor("the save", `document.querySelector('#view-state')?.textContent === 'All changes saved'`)
	var page struct {
		Body     string
		LayoutID *string
	}
	owner.mustDo(200, "GET", viewsPath+"/"+byName["home"], nil, &page)
	if page.Body != body || page.LayoutID == nil || *page.LayoutID != byName["main"] {
		t.Errorf("saved page %+v, want body %q in layout %s", page, body, byName["main"])
	}
	p.waitFor("the layout on the list", fmt.Sprintf(`document.querySelector('#view-list tr[data-id=%q] .sub')?.textContent === 'page in layout main'`, byName["home"]))

	// An empty body is refused by the server and changes nothing.
	p.click(fmt.Sprintf(`#view-list tr[data-id=%q] .open-view`, byName["badge"]))
	p.waitFor("badge open", `document.querySelector('#view-name')?.value === 'badge'`)
	p.fill("#view-name", "")
	p.waitFor("save disabled without a name", `document.querySelector('#save-view').disabled`)
	p.fill("#view-name", "Badge!")
	p.fill("#view-body", `<b>{{@args.text}}</b>`)
	p.click("#save-view")
	p.waitFor("the save", `document.querySelector('#view-state')?.textContent === 'All changes saved'`)

	// By type.
	p.click(`#view-types button[data-type=layout]`)
	p.waitFor("the layouts", `[...document.querySelectorAll('#view-list tbody tr')].map((r) => r.dataset.type).join() === 'layout'`)
	p.click(`#view-types button[data-type=component]`)
	p.waitFor("the components", `[...document.querySelectorAll('#view-list .open-view')].map((e) => e.textContent).join() === 'Badge!'`)
	p.click(`#view-types button[data-type=""]`)
	p.waitFor("all", `document.querySelectorAll('#view-list tbody tr').length === 3`)

	// Delete the component.
	deleteRow(p, owner, fmt.Sprintf(`#view-list tr[data-id=%q]`, byName["badge"]), viewsPath+"/"+byName["badge"])
	p.waitFor("two views", `document.querySelectorAll('#view-list tbody tr').length === 2`)
	p.checkClean()
}

// TestConsoleEndpointGroups gives experience endpoints group access in the
// console, on a new endpoint and on an existing one, checking the
// endpoints' access and groups through the API.
func TestConsoleEndpointGroups(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "endpoints")
	base := "/applications/" + appID + "/experience"
	var staff, night struct{ ID string }
	owner.mustDo(201, "POST", base+"/groups", map[string]any{"name": "Staff"}, &staff)
	owner.mustDo(201, "POST", base+"/groups", map[string]any{"name": "Night shift", "parentId": staff.ID}, &night)
	var existing struct{ ID string }
	owner.mustDo(201, "POST", base+"/endpoints", map[string]any{"route": "/open", "method": "get", "access": "public"}, &existing)
	p.click("#apptab-flows") // back to the tab: it reads the new groups and endpoint
	p.click("#apptab-endpoints")

	p.fill("#new-endpoint-route", "/reports")
	p.choose("#new-endpoint-access", "group")
	p.click(`#new-endpoint-groups input[data-name="Night shift"]`)
	p.click("#create-endpoint")
	p.waitFor("two endpoints", `document.querySelectorAll('#endpoints tbody tr').length === 2`)
	type endpoint struct {
		ID, Route, Access  string
		ExperienceGroupIDs []string `json:"experienceGroupIds"`
	}
	var list struct{ Items []endpoint }
	owner.mustDo(200, "GET", base+"/endpoints?sortField=route", nil, &list)
	if got := list.Items[1]; got.Route != "/reports" || got.Access != "group" || fmt.Sprint(got.ExperienceGroupIDs) != fmt.Sprint([]string{night.ID}) {
		t.Errorf("new endpoint %+v, want group access for Night shift %s", got, night.ID)
	}

	// The existing endpoint: group access for Staff, then authenticated.
	row := fmt.Sprintf(`#endpoints tr[data-id=%q]`, existing.ID)
	p.choose(row+" .access-select", "group")
	p.waitFor("the warning: nobody may call it", fmt.Sprintf(`document.querySelector(%s)`, jsString(row+" .no-groups")))
	p.click(fmt.Sprintf(`#endpoint-groups-%s input[data-name="Staff"]`, existing.ID))
	var got endpoint
	waitFor(t, 10*time.Second, "the group access", func() bool {
		owner.mustDo(200, "GET", base+"/endpoints/"+existing.ID, nil, &got)
		return got.Access == "group" && fmt.Sprint(got.ExperienceGroupIDs) == fmt.Sprint([]string{staff.ID})
	})
	p.waitFor("Staff ticked", fmt.Sprintf(`document.querySelector('#endpoint-groups-%s input[data-name="Staff"]').checked && !document.querySelector('%s .no-groups')`, existing.ID, row))
	p.choose(row+" .access-select", "authenticated")
	p.waitFor("no picker", fmt.Sprintf(`!document.querySelector('#endpoint-groups-%s')`, existing.ID))
	owner.mustDo(200, "GET", base+"/endpoints/"+existing.ID, nil, &got)
	if got.Access != "authenticated" {
		t.Errorf("access %s, want authenticated", got.Access)
	}
	p.checkClean()
}

// deleteRow deletes the list row sel selects with its Delete button and
// checks through the API that apiPath is gone.
func deleteRow(p *browserPage, owner *client, sel, apiPath string) {
	p.t.Helper()
	p.click(sel + " .delete")
	p.click(sel + " .confirm-delete")
	p.waitFor("the row gone", fmt.Sprintf(`!document.querySelector(%s)`, jsString(sel)))
	if code := owner.do("GET", apiPath, nil, nil); code != 404 {
		p.t.Errorf("deleted %s answers %d", apiPath, code)
	}
}
