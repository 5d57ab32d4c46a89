package http

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// eventsExport is the body of events.export.
type eventsExport struct {
	exportDestination
	Query          json.RawMessage `json:"query"`
	Format         string          `json:"format"`
	ExcludeUpdates bool            `json:"excludeUpdates"`
}

// eventExportHeader is the column layout of an events CSV: the event's
// fields, then its tags, data and updates as JSON text.
var eventExportHeader = []string{"id", "creationDate", "lastUpdated", "level", "state", "subject", "message",
	"deviceId", "deviceName", "sourceType", "sourceId", "sourceName", "eventTags", "data", "updates"}

// handleEventsExport answers POST /applications/{applicationId}/events/export
// with 202 and a job that writes the events the body's query matches (every
// event without one), oldest first, at most MaxExportRows: a CSV
// (eventExportHeader) or, with format json, a JSON array of the events as
// event.get returns them; excludeUpdates leaves their updates out
// (export.go).
func (s *Server) handleEventsExport(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Events == nil {
		return errNoEventService
	}
	var in eventsExport
	if len(req.body) > 0 {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "exportData is the wrong type")
		}
	}
	f := weir.EventFilter{ApplicationID: req.appID, ListOptions: weir.ListOptions{SortField: "creationDate", SortDirection: "asc"}}
	if given(in.Query) {
		q, err := parseEventQuery(in.Query)
		if err != nil {
			return err
		}
		f.Query = q
	}
	if err := in.check(s); err != nil {
		return err
	}
	ext := exportExt(in.Format)
	return s.startExport(w, r, req, in.exportDestination, "events", ext, func(ctx context.Context) (*exportFile, error) {
		if ext == "json" {
			return s.eventsJSON(ctx, f, in.ExcludeUpdates)
		}
		b := s.newCSV(eventExportHeader)
		err := s.eachEvent(ctx, f, func(e *weir.Event) bool {
			updates := ""
			if !in.ExcludeUpdates {
				updates = csvCell(e.Updates)
			}
			return b.add([]string{e.ID, csvCell(e.CreationDate), csvCell(e.LastUpdated), e.Level, e.State, e.Subject, e.Message,
				e.DeviceID, e.DeviceName, e.SourceType, e.SourceID, e.SourceName, csvCell(e.EventTags), string(e.Data), updates})
		})
		if err != nil {
			return nil, err
		}
		return b.file(), nil
	})
}

// eventsJSON writes the events f selects as a JSON array.
func (s *Server) eventsJSON(ctx context.Context, f weir.EventFilter, excludeUpdates bool) (*exportFile, error) {
	b := s.newJSON()
	err := s.eachEvent(ctx, f, func(e *weir.Event) bool {
		if excludeUpdates {
			e.Updates = nil
		}
		return b.add(newEventResponse(e, &request{}))
	})
	return b.file(), err
}

// eachEvent calls fn with the events f selects, a page at a time, until fn
// returns false or none are left.
func (s *Server) eachEvent(ctx context.Context, f weir.EventFilter, fn func(*weir.Event) bool) error {
	f.PerPage = exportPageSize
	for f.Page = 0; ; f.Page++ {
		es, _, err := s.Events.FindEvents(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range es {
			if !fn(e) {
				return nil
			}
		}
		if len(es) < exportPageSize {
			return nil
		}
	}
}
