package flowfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/weirhq/weir"
)

// Export writes flows as an application-template file: YAML with
// resourceType Flow and one resource per flow, the format Losant's CLI and
// templates use. Each flow is written with the ids it has: a stored flow
// gets its real 24-hex id, a flow read from a template and not remapped
// keeps its placeholder. Trigger keys, node ids, configs, metas (key order
// kept) and globals are written as they are; server-maintained fields
// (dates, stats, application id) are left out; weir's own settings
// (weir.FlowSettings) are written, as "weir", only when one is on. Parse reads the result back
// to equal flows. Export fails only on a config or meta that is not JSON.
func Export(flows ...*weir.Flow) ([]byte, error) {
	resources := make([]*obj, 0, len(flows))
	for _, f := range flows {
		o := &obj{}
		o.raw("customNodeConfig", f.CustomNodeConfig)
		if len(f.CustomNodeSupports) > 0 {
			o.set("customNodeSupports", f.CustomNodeSupports)
		}
		if f.DefaultVersionID != nil {
			o.set("defaultVersionId", *f.DefaultVersionID)
		}
		o.str("category", f.Category)
		o.set("description", f.Description)
		o.str("docsUrl", f.DocsURL)
		o.set("enabled", f.Enabled)
		o.set("flowClass", f.FlowClass)
		o.set("globals", nonNil(f.Globals))
		o.str("iconData", f.IconData)
		o.set("id", f.ID)
		o.str("minimumAgentVersion", f.MinimumAgentVersion)
		o.set("name", f.Name)
		o.set("nodes", nodeDocs(f.Nodes))
		o.str("shortDescription", f.ShortDescription)
		o.set("triggers", triggerDocs(f.Triggers))
		if f.Weir != (weir.FlowSettings{}) {
			o.set("weir", f.Weir) // weir's own settings, only when one is on
		}
		resources = append(resources, o)
	}
	return envelope(ResourceFlow, resources)
}

// ExportVersions writes flow versions as an application-template file with
// resourceType FlowVersion, the counterpart of Export.
func ExportVersions(versions ...*Version) ([]byte, error) {
	resources := make([]*obj, 0, len(versions))
	for _, v := range versions {
		o := &obj{}
		o.raw("customNodeConfig", v.CustomNodeConfig)
		o.set("enabled", v.Enabled)
		o.set("flowId", v.FlowID)
		o.set("globals", nonNil(v.Globals))
		o.set("id", v.ID)
		o.str("minimumAgentVersion", v.MinimumAgentVersion)
		o.set("nodes", nodeDocs(v.Nodes))
		o.str("notes", v.Notes)
		o.set("triggers", triggerDocs(v.Triggers))
		o.set("version", v.Version)
		resources = append(resources, o)
	}
	return envelope(ResourceFlowVersion, resources)
}

func envelope(resourceType string, resources []*obj) ([]byte, error) {
	env := &obj{}
	env.set("resourceType", resourceType)
	env.set("resources", resources)
	env.set("version", 1)
	doc, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("flowfile: export: %w", err)
	}
	node, err := yamlNode(json.NewDecoder(bytes.NewReader(doc)))
	if err != nil {
		return nil, fmt.Errorf("flowfile: export: %w", err)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, fmt.Errorf("flowfile: export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("flowfile: export: %w", err)
	}
	return out.Bytes(), nil
}

func triggerDocs(ts []weir.Trigger) []*obj {
	out := make([]*obj, 0, len(ts))
	for _, t := range ts {
		o := &obj{}
		o.raw("config", t.Config)
		o.str("key", t.Key)
		o.raw("meta", t.Meta)
		if t.OutputIDs != nil {
			o.set("outputIds", t.OutputIDs)
		}
		o.set("type", t.Type)
		out = append(out, o)
	}
	return out
}

func nodeDocs(ns []weir.Node) []*obj {
	out := make([]*obj, 0, len(ns))
	for _, n := range ns {
		o := &obj{}
		o.raw("config", n.Config)
		o.str("id", n.ID)
		o.raw("meta", n.Meta)
		if n.OutputIDs != nil {
			o.set("outputIds", n.OutputIDs)
		}
		o.set("type", n.Type)
		out = append(out, o)
	}
	return out
}

// obj is a JSON object that keeps its keys in insertion order.
type obj struct {
	keys   []string
	values []any
}

func (o *obj) set(k string, v any) { o.keys, o.values = append(o.keys, k), append(o.values, v) }

// str sets a string field unless it is empty.
func (o *obj) str(k, v string) {
	if v != "" {
		o.set(k, v)
	}
}

// raw sets a raw JSON field unless it is absent.
func (o *obj) raw(k string, v json.RawMessage) {
	if len(v) > 0 {
		o.set(k, v)
	}
}

// MarshalJSON implements json.Marshaler.
func (o *obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(o.values[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// yamlNode reads one JSON value from dec as a YAML node, keeping key order
// and number text.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	return yamlValue(dec, tok)
}

func yamlValue(dec *json.Decoder, tok json.Token) (*yaml.Node, error) {
	switch v := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if v == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if n.Kind == yaml.MappingNode {
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.(string)})
				if t, err = dec.Token(); err != nil {
					return nil, err
				}
			}
			e, err := yamlValue(dec, t)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, e)
		}
		if _, err := dec.Token(); err != nil { // closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}, nil
	case json.Number:
		tag := "!!int"
		if bytes.ContainsAny([]byte(v), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(v)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, errors.New("unexpected JSON token")
}
