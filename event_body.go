package weir

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// DecodeEventPost reads an eventPost document (Losant's body of a new
// event) as an event of applicationID; now is the clock for a relative
// creationDate. Unknown fields and wrong types are Validation errors
// prefixed with param, as the REST API words them.
func DecodeEventPost(raw json.RawMessage, param, applicationID string, now time.Time) (*Event, error) {
	var in struct {
		Level                    string            `json:"level"`
		State                    string            `json:"state"`
		Subject                  string            `json:"subject"`
		Message                  string            `json:"message"`
		Data                     json.RawMessage   `json:"data"`
		DeviceID                 string            `json:"deviceId"`
		EventTags                map[string]string `json:"eventTags"`
		CreationDate             any               `json:"creationDate"`
		DisableTagChangeTracking bool              `json:"disableTagChangeTracking"`
	}
	if err := decodeStrict(raw, param, &in); err != nil {
		return nil, err
	}
	e := &Event{ApplicationID: applicationID, Level: in.Level, State: in.State, Subject: in.Subject,
		Message: in.Message, DeviceID: strings.ToLower(in.DeviceID), EventTags: in.EventTags}
	if len(in.Data) > 0 && string(in.Data) != "null" {
		e.Data = in.Data
	}
	if in.CreationDate != nil {
		e.CreationDate = ParseStateTime(in.CreationDate, now)
	}
	return e, nil
}

// DecodeEventPatch reads an eventPatch document: deviceId null unlinks the
// event's device. Errors are as DecodeEventPost's.
func DecodeEventPatch(raw json.RawMessage, param string) (EventPatch, error) {
	var in struct {
		State     *string           `json:"state"`
		Level     *string           `json:"level"`
		Subject   *string           `json:"subject"`
		DeviceID  json.RawMessage   `json:"deviceId"`
		Comment   *string           `json:"comment"`
		Data      json.RawMessage   `json:"data"`
		EventTags map[string]string `json:"eventTags"`
	}
	if err := decodeStrict(raw, param, &in); err != nil {
		return EventPatch{}, err
	}
	p := EventPatch{State: in.State, Level: in.Level, Subject: in.Subject, Comment: in.Comment,
		Data: in.Data, EventTags: in.EventTags}
	if len(in.DeviceID) > 0 {
		var id string
		if string(in.DeviceID) != "null" {
			if err := json.Unmarshal(in.DeviceID, &id); err != nil {
				return EventPatch{}, Errorf(Validation, "%s.deviceId is the wrong type", param)
			}
		}
		id = strings.ToLower(id)
		p.DeviceID = &id
	}
	return p, p.Validate()
}

// decodeStrict decodes a JSON object into v, refusing unknown fields.
func decodeStrict(raw json.RawMessage, param string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return Errorf(Validation, "%s has additional properties", param)
		case errors.As(err, &te) && te.Field != "":
			return Errorf(Validation, "%s.%s is the wrong type", param, te.Field)
		}
		return Errorf(Validation, "%s is the wrong type", param)
	}
	return nil
}
