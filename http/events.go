package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// eventStates are the values of the state query parameter.
var eventStates = []string{weir.EventNew, weir.EventAcknowledged, weir.EventResolved}

// eventFilterParams select events for events.get and events.patch beside
// the paging and sorting of events.get.
var eventFilterParams = []queryParam{
	{name: "filterField", kind: paramEnum, enum: []string{"subject"}},
	{name: "filter", kind: paramString},
	{name: "state", kind: paramEnum, enum: eventStates},
	{name: "query", kind: paramString}, // an advanced event query: parseEventQuery
}

// eventListParams are the query parameters of events.get.
var eventListParams = append([]queryParam{
	{name: "sortField", kind: paramEnum, def: "creationDate",
		enum: []string{"subject", "id", "creationDate", "lastUpdated", "level", "state", "deviceId"}},
	{name: "sortDirection", kind: paramEnum, def: "desc", enum: []string{"asc", "desc"}},
	{name: "page", kind: paramInt, def: "0", min: 0, max: 1 << 31},
	{name: "perPage", kind: paramInt, def: "100", min: 1, max: 1000},
}, eventFilterParams...)

// jobParams are the notification parameters of Losant's bulk event
// actions; weir does the work at once, so they are accepted and unused.
var jobParams = []queryParam{{name: "email", kind: paramString}, {name: "callbackUrl", kind: paramString}}

// eventsResponse is a page of an application's events.
type eventsResponse struct {
	Items []*eventResponse `json:"items"`
	listPage
	State         string           `json:"state,omitempty"`
	Query         *weir.EventQuery `json:"query,omitempty"`
	ApplicationID string           `json:"applicationId"`
	Type          string           `json:"_type"`
	Links         links            `json:"_links,omitempty"`
}

// eventFilter reads the filter of events.get and events.patch: the query
// parameter, when given, replaces filterField, filter and state.
func eventFilter(req *request) (weir.EventFilter, error) {
	f := weir.EventFilter{ApplicationID: req.appID, State: req.query["state"], ListOptions: listOptions(req.query)}
	if f.Filter != "" {
		f.FilterField = "subject"
	}
	if text := req.query["query"]; text != "" {
		q, err := parseEventQuery([]byte(text))
		if err != nil {
			return f, err
		}
		f.Query, f.State, f.Filter, f.FilterField = q, "", "", ""
	}
	return f, nil
}

// parseEventQuery reads an advanced event query given as JSON text: weir's
// reading first (its faults name their place, e.g. query.$and[0].level.$gtx,
// and bound the nesting), then Losant's schema as a backstop; every fault
// is Validation.
func parseEventQuery(text []byte) (*weir.EventQuery, error) {
	raw, err := engine.CheckJSON(bytes.TrimSpace(text), "query")
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, weir.Errorf(weir.Validation, "query is not valid JSON")
	}
	q, err := weir.ParseEventQuery(v)
	if err != nil {
		return nil, err
	}
	if _, err := decodeBody(raw, "query", "advancedEventQuery"); err != nil {
		return nil, err
	}
	return q, nil
}

// handleEventsGet answers GET /applications/{applicationId}/events: one
// page of events, newest first unless asked otherwise.
func (s *Server) handleEventsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	f, err := eventFilter(req)
	if err != nil {
		return err
	}
	es, total, err := s.Events.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	resp := &eventsResponse{
		Items:         make([]*eventResponse, 0, len(es)),
		listPage:      newListPage(len(es), total, f.ListOptions),
		State:         f.State,
		Query:         f.Query,
		ApplicationID: req.appID,
		Type:          "events",
		Links:         linksFor(req.links, pathEvents, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, e := range es {
		resp.Items = append(resp.Items, newEventResponse(e, req))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleEventsPost answers POST /applications/{applicationId}/events with
// 201 and the new event. Creation is limited per application (Losant: one
// per second); over the limit it answers 429 with Retry-After.
func (s *Server) handleEventsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	e, err := weir.DecodeEventPost(req.body, "event", req.appID, s.now())
	if err != nil {
		return err
	}
	e.EventSource = eventSource(req)
	x, err := s.events()
	if err != nil {
		return err
	}
	if err := throttled(w, x.Create(r.Context(), e)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newEventResponse(e, req))
	return nil
}

// throttled sets Retry-After when err is over a rate limit, and returns
// err.
func throttled(w http.ResponseWriter, err error) error {
	var t *engine.ThrottledError
	if errors.As(err, &t) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(t.RetryAfter.Seconds()))))
	}
	return err
}

// handleEventsPatch answers PATCH /applications/{applicationId}/events:
// every event the filter selects gets the update, at once, and the answer
// is {"success":true}.
func (s *Server) handleEventsPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	p, err := weir.DecodeEventPatch(req.body, "updates")
	if err != nil {
		return err
	}
	f, err := eventFilter(req)
	if err != nil {
		return err
	}
	f.ListOptions = weir.ListOptions{FilterField: f.FilterField, Filter: f.Filter}
	x, err := s.events()
	if err != nil {
		return err
	}
	if _, err := x.UpdateMany(r.Context(), f, p, eventSource(req)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleEventsDelete answers POST /applications/{applicationId}/events/delete:
// the events the body's query selects (every event without one) are
// deleted, and the answer is {"removed": n}.
func (s *Server) handleEventsDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	f := weir.EventFilter{ApplicationID: req.appID}
	if len(req.body) > 0 {
		q, err := parseEventQuery(req.body)
		if err != nil {
			return err
		}
		f.Query = q
	}
	n, err := s.Events.DeleteEvents(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": n})
	return nil
}

// handleEventsMostRecent answers GET …/events/mostRecentBySeverity: of
// the new events the filter (a subject pattern) or query selects, the most
// severe, most recent one, and how many new events there are.
func (s *Server) handleEventsMostRecent(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	f, err := eventFilter(req)
	if err != nil {
		return err
	}
	f.ListOptions = weir.ListOptions{FilterField: f.FilterField, Filter: f.Filter}
	f.State = weir.EventNew
	es, total, err := s.Events.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	resp := struct {
		Event    *eventResponse `json:"event,omitempty"`
		NewCount int            `json:"newCount"`
	}{NewCount: total}
	if e := weir.MostSevere(es); e != nil {
		resp.Event = newEventResponse(e, req)
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
