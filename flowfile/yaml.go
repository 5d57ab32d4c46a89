package flowfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Limits on YAML input, so that alias expansion and nesting stay bounded.
const (
	maxYAMLDepth = 1000
	minYAMLNodes = 1 << 16 // node budget for small inputs; larger ones get 8 per byte
)

// jsonNumberRE is the JSON number grammar.
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// toJSON returns data as JSON text. JSON input is returned as is, so that
// raw values (configs, metas) keep their bytes; YAML input is converted with
// key order kept.
func toJSON(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, errors.New("flowfile: empty file")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		if json.Valid(trimmed) {
			return trimmed, nil
		}
		// Flow-style YAML also starts with a brace; try it before giving up.
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		if trimmed[0] == '{' || trimmed[0] == '[' {
			return nil, fmt.Errorf("flowfile: neither JSON (%s) nor YAML: %w", jsonSyntaxError(trimmed), err)
		}
		return nil, fmt.Errorf("flowfile: neither JSON nor YAML: %w", err)
	}
	c := &converter{budget: max(minYAMLNodes, 8*len(data))}
	var buf bytes.Buffer
	if err := c.write(&buf, &root, 0); err != nil {
		return nil, fmt.Errorf("flowfile: %w", err)
	}
	return buf.Bytes(), nil
}

// jsonSyntaxError describes why data is not JSON, with the line and column
// where it stops being so.
func jsonSyntaxError(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if err == nil {
			return "valid"
		}
		return err.Error()
	}
	line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
	col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1
	return fmt.Sprintf("line %d, column %d: %s", line, col, se.Error())
}

// converter writes a YAML node tree as JSON text.
type converter struct {
	budget int // nodes left to write, aliases expanded
}

func (c *converter) write(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return errors.New("YAML nesting is too deep")
	}
	if c.budget--; c.budget < 0 {
		return errors.New("YAML document expands to too many values")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return errors.New("empty YAML document")
		}
		return c.write(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		return c.write(buf, n.Alias, depth+1)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := c.write(buf, e, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		return c.writeMapping(buf, n, depth)
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// writeMapping writes a mapping as an object in key order. A later duplicate
// key replaces the earlier value; merge keys (<<) add the keys a mapping
// does not set itself.
func (c *converter) writeMapping(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	var keys []string
	values := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
		}
		if _, dup := values[k.Value]; !dup {
			keys = append(keys, k.Value)
		}
		values[k.Value] = v
	}
	for _, m := range merges {
		if err := c.merge(m, &keys, values, depth); err != nil {
			return err
		}
	}
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := c.write(buf, values[k], depth+1); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func (c *converter) merge(m *yaml.Node, keys *[]string, values map[string]*yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return errors.New("YAML nesting is too deep")
	}
	if c.budget--; c.budget < 0 {
		return errors.New("YAML document expands to too many values")
	}
	switch m.Kind {
	case yaml.AliasNode:
		return c.merge(m.Alias, keys, values, depth+1)
	case yaml.SequenceNode:
		for _, e := range m.Content {
			if err := c.merge(e, keys, values, depth+1); err != nil {
				return err
			}
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				continue
			}
			if _, set := values[k.Value]; !set {
				*keys = append(*keys, k.Value)
				values[k.Value] = m.Content[i+1]
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: a merge key needs a mapping", m.Line)
}

// writeScalar writes a scalar by its resolved tag. Timestamps, binary and
// unknown tags are written as strings.
func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.WriteString(strconv.FormatBool(b))
		return nil
	case "!!int", "!!float":
		if jsonNumberRE.MatchString(n.Value) {
			buf.WriteString(n.Value)
			return nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("line %d: %s has no JSON equivalent", n.Line, n.Value)
		}
		b, _ := json.Marshal(f)
		buf.Write(b)
		return nil
	}
	b, err := json.Marshal(n.Value)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}
