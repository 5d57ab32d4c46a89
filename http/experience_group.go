package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// experienceGroupListParams are the query parameters of experienceGroups.get.
var experienceGroupListParams = append(listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}),
	queryParam{name: "query", kind: paramString})

// experienceGroupParams are the query parameters of experienceGroup.get.
var experienceGroupParams = []queryParam{
	{name: "includeDirectDeviceCount", kind: paramBool, def: "false"},
	{name: "includeTotalDeviceCount", kind: paramBool, def: "false"},
}

// experienceGroupResponse is a group as the API returns it.
func experienceGroupResponse(g *weir.ExperienceGroup, t weir.GroupTree, req *request) map[string]any {
	doc := weir.ExperienceGroupDocument(g, t)
	if req.links {
		doc["_links"] = linksFor(true, pathExperienceGroup, map[string]string{"application": pathApplication,
			"experienceGroups": pathExperienceGroups}, "{applicationId}", g.ApplicationID, "{experienceGroupId}", g.ID)
	}
	doc["_type"] = "experienceGroup"
	return doc
}

// handleExperienceGroupsGet answers GET …/experience/groups: one page of
// the application's groups, filtered by name or by the advanced query.
func (s *Server) handleExperienceGroupsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.experienceServices(); err != nil {
		return err
	}
	query, err := parseQueryJSON(req.query["query"], weir.ParseExperienceGroupQuery)
	if err != nil {
		return err
	}
	opts := listOptions(req.query)
	gs, total, err := s.ExperienceGroups.FindExperienceGroups(r.Context(), weir.ExperienceGroupFilter{
		ApplicationID: req.appID, Query: query, ListOptions: opts})
	if err != nil {
		return err
	}
	return writeExperiencePage(s, w, r, req, gs, total, opts, "experienceGroups", pathExperienceGroups,
		func(g *weir.ExperienceGroup, t weir.GroupTree) any { return experienceGroupResponse(g, t, req) })
}

// handleExperienceGroupsPost answers POST …/experience/groups with 201 and
// the new group.
func (s *Server) handleExperienceGroupsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in weir.ExperienceGroupChange
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "experienceGroup is the wrong type")
	}
	if err := s.experienceServices(); err != nil {
		return err
	}
	g := &weir.ExperienceGroup{ApplicationID: req.appID}
	if err := in.Apply(g); err != nil {
		return err
	}
	if err := s.ExperienceGroups.CreateExperienceGroup(r.Context(), g); err != nil {
		return err
	}
	return s.writeExperienceGroup(w, r, req, http.StatusCreated, g)
}

// writeExperienceGroup answers g, with its device counts when asked.
func (s *Server) writeExperienceGroup(w http.ResponseWriter, r *http.Request, req *request, status int, g *weir.ExperienceGroup) error {
	t, err := s.groupTree(r.Context(), req.appID)
	if err != nil {
		return err
	}
	doc := experienceGroupResponse(g, t, req)
	direct, total := truthy(req.query["includeDirectDeviceCount"]), truthy(req.query["includeTotalDeviceCount"])
	if (direct || total) && s.Devices != nil {
		ds, _, err := s.Devices.FindDevices(r.Context(), weir.DeviceFilter{ApplicationID: req.appID})
		if err != nil {
			return err
		}
		var nd, nt int
		for _, d := range ds {
			if g.NamesDevice(d) {
				nd++
			}
			if t.SeesDevice([]string{g.ID}, d) {
				nt++
			}
		}
		if direct {
			doc["directDeviceCount"] = nd
		}
		if total {
			doc["totalDeviceCount"] = nt
		}
	}
	writeJSON(w, status, doc)
	return nil
}

// findExperienceGroup returns the group the path names, or NotFound.
func (s *Server) findExperienceGroup(r *http.Request, req *request) (*weir.ExperienceGroup, error) {
	if err := s.experienceServices(); err != nil {
		return nil, err
	}
	return s.ExperienceGroups.FindExperienceGroupByID(r.Context(), req.appID, req.groupID)
}

// handleExperienceGroupGet answers GET …/experience/groups/{experienceGroupId}.
func (s *Server) handleExperienceGroupGet(w http.ResponseWriter, r *http.Request, req *request) error {
	g, err := s.findExperienceGroup(r, req)
	if err != nil {
		return err
	}
	return s.writeExperienceGroup(w, r, req, http.StatusOK, g)
}

// handleExperienceGroupPatch answers PATCH …/experience/groups/{experienceGroupId}:
// the fields given replace the stored ones; experienceUserIds replaces the
// membership.
func (s *Server) handleExperienceGroupPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in weir.ExperienceGroupChange
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "experienceGroup is the wrong type")
	}
	g, err := s.findExperienceGroup(r, req)
	if err != nil {
		return err
	}
	if err := in.Apply(g); err != nil {
		return err
	}
	if err := s.ExperienceGroups.UpdateExperienceGroup(r.Context(), g); err != nil {
		return err
	}
	return s.writeExperienceGroup(w, r, req, http.StatusOK, g)
}

// handleExperienceGroupDelete answers DELETE …/experience/groups/{experienceGroupId}
// with {"success":true}; the groups below it move up to its parent.
func (s *Server) handleExperienceGroupDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.experienceServices(); err != nil {
		return err
	}
	if err := s.ExperienceGroups.DeleteExperienceGroup(r.Context(), req.appID, req.groupID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
