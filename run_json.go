package weir

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the JSON document json.Marshal writes for r (the same
// fields, names and values) to b. Data, Experience and Device are appended as they
// are, without the validation and compaction json.Marshal gives them: they
// must hold JSON text, as every run weir accepts does (its data is encoded
// once, when it is accepted). Stores and queues write every run, so this is
// on the path of every trigger.
func (r *Run) AppendJSON(b []byte) []byte {
	b = growFor(b, r)
	b = appendField(b, '{', "id", r.ID)
	b = appendField(b, ',', "applicationId", r.ApplicationID)
	b = appendField(b, ',', "flowId", r.FlowID)
	b = appendField(b, ',', "flowVersion", r.FlowVersion)
	b = appendField(b, ',', "triggerType", r.TriggerType)
	b = appendField(b, ',', "triggerKey", r.TriggerKey)
	b = appendField(b, ',', "triggerId", r.TriggerID)
	if r.RelayType != "" {
		b = appendField(b, ',', "relayType", r.RelayType)
	}
	if r.RelayID != "" {
		b = appendField(b, ',', "relayId", r.RelayID)
	}
	b = append(b, `,"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","data":`...)
	b = appendRaw(b, r.Data)
	if len(r.Experience) > 0 {
		b = append(b, `,"experience":`...)
		b = append(b, r.Experience...)
	}
	if len(r.Device) > 0 {
		b = append(b, `,"device":`...)
		b = append(b, r.Device...)
	}
	b = append(b, `,"attempt":`...)
	b = strconv.AppendInt(b, int64(r.Attempt), 10)
	if r.Origin != "" {
		b = appendField(b, ',', "origin", r.Origin)
	}
	if r.Depth != 0 {
		b = append(b, `,"depth":`...)
		b = strconv.AppendInt(b, int64(r.Depth), 10)
	}
	if r.ReplayOf != "" {
		b = appendField(b, ',', "replayOf", r.ReplayOf)
	}
	return append(b, '}')
}

// growFor returns b with room for r's document, so that appending it
// allocates once.
func growFor(b []byte, r *Run) []byte {
	n := 256 + len(r.ID) + len(r.ApplicationID) + len(r.FlowID) + len(r.FlowVersion) + len(r.TriggerType) +
		len(r.TriggerKey) + len(r.TriggerID) + len(r.RelayType) + len(r.RelayID) + len(r.Data) + len(r.Experience) + len(r.Origin) + len(r.Device) + len(r.ReplayOf)
	return slices.Grow(b, n)
}

// appendRaw appends JSON text, or null for none, as json.Marshal writes an
// empty json.RawMessage.
func appendRaw(b, raw []byte) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// appendField appends sep, the quoted name, a colon and the quoted value.
func appendField(b []byte, sep byte, name, value string) []byte {
	b = append(b, sep, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD, as
// encoding/json does (without its HTML escaping, which JSON does not need).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else if r == '\u2028' || r == '\u2029' {
				b = append(b, `\u202`...)
				b = append(b, hex[r&0xf])
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	return append(b, '"')
}
