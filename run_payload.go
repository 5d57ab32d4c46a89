package weir

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// MaxKeptPayload bounds the trigger payload a log entry keeps: the JSON of
// its data, experience and device objects, after redaction.
const MaxKeptPayload = 64 << 10

// Redacted replaces each credential value in a kept trigger payload.
const Redacted = "[redacted]"

// maxRedactedPaths bounds the paths a kept payload lists as redacted.
const maxRedactedPaths = 32

// RunPayload is a run's trigger payload as its log entry keeps it, when its
// flow keeps payloads (FlowSettings.KeepPayloads): enough to start the run
// again through the same trigger. Credentials are redacted first (see
// KeepRunPayload). A payload over MaxKeptPayload is not kept: Kept is false
// and Reason says why.
type RunPayload struct {
	Kept   bool   `json:"kept"`
	Reason string `json:"reason,omitempty"` // why the payload was not kept
	Size   int    `json:"size"`             // bytes of Data, Experience and Device
	// Redacted lists the paths whose values were replaced by Redacted, at
	// most 32 ("data.headers.authorization").
	Redacted    []string        `json:"redacted,omitempty"`
	TriggerType string          `json:"triggerType"`
	TriggerKey  string          `json:"triggerKey"`
	TriggerID   string          `json:"triggerId"`
	Data        json.RawMessage `json:"data,omitempty"`
	Experience  json.RawMessage `json:"experience,omitempty"`
	Device      json.RawMessage `json:"device,omitempty"`
}

// KeepRunPayload returns what a log entry keeps of run's trigger payload:
// its trigger and its data, experience and device objects with every
// credential value replaced by Redacted. Credentials are the values of
// object keys, at any depth, whose lowercase name is auth, key, sig, pass
// or pwd or contains authoriz, authenticat, cookie, token, secret,
// password, passwd, apikey, api-key, api_key, session, signature,
// credential or private (an object or array under such a key keeps its
// shape, every value in it redacted: data.cookies, for one). Over
// MaxKeptPayload bytes it returns a payload that is not kept, saying why.
func KeepRunPayload(run *Run) *RunPayload {
	p := &RunPayload{Kept: true, TriggerType: run.TriggerType, TriggerKey: run.TriggerKey, TriggerID: run.TriggerID}
	var redacted []string
	var err error
	for _, part := range []struct {
		name string
		src  json.RawMessage
		dst  *json.RawMessage
	}{{"data", run.Data, &p.Data}, {"experience", run.Experience, &p.Experience}, {"device", run.Device, &p.Device}} {
		if len(part.src) == 0 {
			continue
		}
		if *part.dst, err = redact(part.src, part.name, &redacted); err != nil {
			return &RunPayload{TriggerType: run.TriggerType, TriggerKey: run.TriggerKey, TriggerID: run.TriggerID,
				Reason: fmt.Sprintf("the %s could not be read: %v", part.name, err)}
		}
		p.Size += len(*part.dst)
	}
	sort.Strings(redacted)
	if len(redacted) > maxRedactedPaths {
		redacted = append(redacted[:maxRedactedPaths-1], fmt.Sprintf("(%d more)", len(redacted)-maxRedactedPaths+1))
	}
	p.Redacted = redacted
	if p.Size > MaxKeptPayload {
		return &RunPayload{Size: p.Size, TriggerType: p.TriggerType, TriggerKey: p.TriggerKey, TriggerID: p.TriggerID,
			Reason: fmt.Sprintf("the trigger payload is %d bytes, over the %d a log entry keeps", p.Size, MaxKeptPayload)}
	}
	return p
}

// Note returns p without its data, experience and device: what lists of
// log entries carry.
func (p *RunPayload) Note() *RunPayload {
	if p == nil {
		return nil
	}
	c := *p
	c.Data, c.Experience, c.Device = nil, nil, nil
	return &c
}

// credentialWords are the substrings of object key names whose values are
// redacted; credentialNames are whole names.
var (
	credentialWords = []string{"authoriz", "authenticat", "cookie", "token", "secret", "password", "passwd",
		"apikey", "api-key", "api_key", "session", "signature", "credential", "private"}
	credentialNames = []string{"auth", "key", "sig", "pass", "pwd"}
)

// isCredential reports whether an object key names a credential.
func isCredential(name string) bool {
	name = strings.ToLower(name)
	if slices.Contains(credentialNames, name) {
		return true
	}
	for _, w := range credentialWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// mayHoldCredential reports whether raw has a substring a credential key
// could contain, or a \u escape that could spell one; raw without either
// is kept as it is.
func mayHoldCredential(raw []byte) bool {
	if bytes.Contains(raw, []byte(`\u`)) {
		return true
	}
	lower := bytes.ToLower(raw)
	for _, w := range credentialWords {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	for _, n := range credentialNames {
		if bytes.Contains(lower, []byte(`"`+n+`"`)) {
			return true
		}
	}
	return false
}

// redact returns raw (JSON text at path) compacted, with credential values
// replaced, appending their paths to paths.
func redact(raw json.RawMessage, path string, paths *[]string) (json.RawMessage, error) {
	if !mayHoldCredential(raw) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v = redactValue(v, path, paths)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func redactValue(v any, path string, paths *[]string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := path + "." + k
			if isCredential(k) && e != nil {
				v[k] = redactAll(e)
				*paths = append(*paths, p)
				continue
			}
			v[k] = redactValue(e, p, paths)
		}
	case []any:
		for i, e := range v {
			v[i] = redactValue(e, fmt.Sprintf("%s[%d]", path, i), paths)
		}
	}
	return v
}

// redactAll replaces every value in v but null by Redacted, keeping the
// shape of objects and arrays.
func redactAll(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case map[string]any:
		for k, e := range v {
			v[k] = redactAll(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = redactAll(e)
		}
		return v
	}
	return Redacted
}

// EncodeRunPayload returns the two texts stores keep of p: its note (p
// without its data, as JSON) and, when p was kept, p as JSON. A nil p is
// two empty texts.
func EncodeRunPayload(p *RunPayload) (note, full string, err error) {
	if p == nil {
		return "", "", nil
	}
	b, err := json.Marshal(p.Note())
	if err != nil {
		return "", "", fmt.Errorf("encode run payload: %w", err)
	}
	note = string(b)
	if p.Kept {
		if b, err = json.Marshal(p); err != nil {
			return "", "", fmt.Errorf("encode run payload: %w", err)
		}
		full = string(b)
	}
	return note, full, nil
}

// DecodeRunPayload reads what EncodeRunPayload wrote: full when it is not
// empty, else note; two empty texts decode to nil.
func DecodeRunPayload(note, full string) (*RunPayload, error) {
	text := cmp.Or(full, note)
	if text == "" {
		return nil, nil
	}
	p := &RunPayload{}
	if err := json.Unmarshal([]byte(text), p); err != nil {
		return nil, fmt.Errorf("decode run payload: %w", err)
	}
	return p, nil
}
