package js

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"time"
)

// isoLayout is Date.prototype.toISOString.
const isoLayout = "2006-01-02T15:04:05.000Z"

// Stringify encodes v like JSON.stringify(v, null, indent): Dates become ISO
// strings with milliseconds, NaN and ±Infinity become null, undefined object
// members are left out and undefined array elements become null. It reports
// false when v itself is undefined (JSON.stringify returns undefined).
// Object keys are written in sorted order.
func Stringify(v any, indent string) ([]byte, bool) {
	if _, ok := v.(Undefined); ok {
		return nil, false
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	if indent == "" {
		return b.Bytes(), true
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", indent); err != nil {
		return b.Bytes(), true
	}
	return out.Bytes(), true
}

// Normalize converts v into plain JSON data (Dates to ISO strings, NaN and
// Infinity to null, undefined members dropped), ready for encoding/json.
func Normalize(v any) any {
	switch v := v.(type) {
	case Undefined:
		return nil
	case time.Time:
		return v.UTC().Format(isoLayout)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = Normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if _, ok := e.(Undefined); ok {
				continue
			}
			out[k] = Normalize(e)
		}
		return out
	}
	return v
}

func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil, Undefined:
		b.WriteString("null")
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeString(b, v)
	case time.Time:
		writeString(b, v.UTC().Format(isoLayout))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		writeObject(b, v)
	default:
		if f, ok := asFloat(v); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				b.WriteString("null")
				return
			}
			b.WriteString(FormatNumber(f))
			return
		}
		b.WriteString("null")
	}
}

func writeObject(b *bytes.Buffer, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k, e := range m {
		if _, ok := e.(Undefined); !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, k)
		b.WriteByte(':')
		writeJSON(b, m[k])
	}
	b.WriteByte('}')
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
}
