package http

import (
	"errors"
	"net/http"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// errNoEventService is the internal error of event routes served without
// Server.Events.
var errNoEventService = errors.New("http: Server.Events is not set")

// eventLinks are the resource links of an event.
var eventLinks = map[string]string{
	"application": pathApplication,
	"events":      pathEvents,
}

// eventResponse is an event as the API returns it.
type eventResponse struct {
	*weir.Event
	EventID string `json:"eventId"`
	Type    string `json:"_type"`
	Links   links  `json:"_links,omitempty"`
}

func newEventResponse(e *weir.Event, req *request) *eventResponse {
	return &eventResponse{
		Event:   e,
		EventID: e.ID,
		Type:    "event",
		Links:   linksFor(req.links, pathEvent, eventLinks, "{applicationId}", e.ApplicationID, "{eventId}", e.ID),
	}
}

// events returns what creates and changes events for the API: the store,
// the Event triggers and the creation limit.
func (s *Server) events() (*engine.Events, error) {
	if s.Events == nil {
		return nil, errNoEventService
	}
	return &engine.Events{Events: s.Events, Handler: s.EventHandler, Limiter: s.EventLimiter, Devices: s.Devices}, nil
}

// eventSource names the caller as an event's source: a user, an API
// token, a device, or the flow whose Losant API node calls.
func eventSource(req *request) weir.EventSource {
	id := req.identity
	switch {
	case req.flowSource != "":
		return weir.EventSource{SourceType: weir.EventSourceFlow, SourceID: req.flowSource}
	case id.OwnerType == weir.OwnerUser:
		return weir.EventSource{SourceType: weir.EventSourceUser, SourceID: id.OwnerID}
	case id.OwnerType == weir.OwnerDevice:
		return weir.EventSource{SourceType: weir.EventSourceDevice, SourceID: id.OwnerID}
	}
	return weir.EventSource{SourceType: weir.EventSourceAPIToken, SourceID: id.TokenID}
}

// handleEventGet answers GET …/events/{eventId}.
func (s *Server) handleEventGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	e, err := s.Events.FindEventByID(r.Context(), req.appID, req.eventID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newEventResponse(e, req))
	return nil
}

// handleEventPatch answers PATCH …/events/{eventId}: the fields given
// change the event, and the change is recorded as one of its updates.
func (s *Server) handleEventPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	p, err := weir.DecodeEventPatch(req.body, "event")
	if err != nil {
		return err
	}
	x, err := s.events()
	if err != nil {
		return err
	}
	e, err := x.Update(r.Context(), req.appID, req.eventID, p, eventSource(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newEventResponse(e, req))
	return nil
}

// handleEventDelete answers DELETE …/events/{eventId} with
// {"success":true}.
func (s *Server) handleEventDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	if err := s.Events.DeleteEvent(r.Context(), req.appID, req.eventID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
