package flowfile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/weirhq/weir"
)

// refRE matches what Remap may rewrite: a placeholder, or a 24-hex id that
// is not part of a longer word.
var refRE = regexp.MustCompile(`~exportplaceholderid-[A-Za-z0-9]+-[A-Za-z0-9_]+~|\b[0-9A-Fa-f]{24}\b`)

// IDMap pairs the ids a file used with the ids an import gave them.
type IDMap struct {
	Flows    map[string]string // old flow id or placeholder -> new id (importedFlowIdMap)
	Versions map[string]string // old version id or placeholder -> new id (importedVersionIdMap)
}

// Remap gives every flow and version of f a new id from newID, in place,
// and returns the old-to-new pairs. Every occurrence of an old id or
// placeholder in trigger keys, trigger configs and node configs of all the
// file's definitions is rewritten, so a virtual-button key
// "~exportplaceholderid-flow-x~-0teBa51" becomes "<new id>-0teBa51", in the
// trigger and in the WorkflowTriggerNode configs that call it. When appID is
// not empty, application placeholders (the template's own application) are
// rewritten to it. Other placeholders are kept as opaque ids. Metas are
// never changed. A version keeps its FlowID unless that flow is in f; a
// defaultVersionId naming no version of f is cleared (develop runs).
// Remap returns an error if two flows or two versions share an old id.
func (f *File) Remap(appID string, newID func() string) (*IDMap, error) {
	m := &IDMap{Flows: map[string]string{}, Versions: map[string]string{}}
	refs := map[string]string{} // normalised old reference -> new
	for _, fl := range f.Flows {
		id := newID()
		if fl.ID != "" {
			if _, dup := m.Flows[fl.ID]; dup {
				return nil, fmt.Errorf("flowfile: flow id %s is used twice", fl.ID)
			}
			m.Flows[fl.ID] = id
			refs[normRef(fl.ID)] = id
		}
		fl.ID = id
	}
	for _, v := range f.Versions {
		id := newID()
		if v.ID != "" {
			if _, dup := m.Versions[v.ID]; dup {
				return nil, fmt.Errorf("flowfile: flow version id %s is used twice", v.ID)
			}
			m.Versions[v.ID] = id
			refs[normRef(v.ID)] = id
		}
		v.ID = id
		if to, ok := m.Flows[v.FlowID]; ok {
			v.FlowID = to
		}
	}
	r := &rewriter{refs: refs, appID: appID}
	for _, fl := range f.Flows {
		r.definition(&fl.Definition)
		if fl.DefaultVersionID != nil {
			if to, ok := m.Versions[*fl.DefaultVersionID]; ok {
				fl.DefaultVersionID = &to
			} else {
				fl.DefaultVersionID = nil
			}
		}
	}
	for _, v := range f.Versions {
		r.definition(&v.Definition)
	}
	return m, nil
}

// rewriter replaces old references with new ids.
type rewriter struct {
	refs  map[string]string
	appID string
}

func (r *rewriter) definition(d *weir.Definition) {
	for i := range d.Triggers {
		t := &d.Triggers[i]
		t.Key = r.string(t.Key)
		t.Config = r.bytes(t.Config)
	}
	for i := range d.Nodes {
		d.Nodes[i].Config = r.bytes(d.Nodes[i].Config)
	}
}

func (r *rewriter) lookup(ref string) (string, bool) {
	if to, ok := r.refs[normRef(ref)]; ok {
		return to, true
	}
	if r.appID != "" && PlaceholderKind(ref) == "application" {
		return r.appID, true
	}
	return "", false
}

func (r *rewriter) string(s string) string {
	if s == "" {
		return s
	}
	return refRE.ReplaceAllStringFunc(s, func(ref string) string {
		if to, ok := r.lookup(ref); ok {
			return to
		}
		return ref
	})
}

// bytes rewrites raw JSON. References hold no characters JSON escapes, so
// the text stays valid; raw values without references keep their bytes.
func (r *rewriter) bytes(raw []byte) []byte {
	if len(raw) == 0 || !refRE.Match(raw) {
		return raw
	}
	return refRE.ReplaceAllFunc(raw, func(ref []byte) []byte {
		if to, ok := r.lookup(string(ref)); ok {
			return []byte(to)
		}
		return ref
	})
}

// normRef lower-cases hex ids, which compare case-insensitively.
func normRef(s string) string {
	if weir.ValidID(s) {
		return strings.ToLower(s)
	}
	return s
}
