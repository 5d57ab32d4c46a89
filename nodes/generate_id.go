package nodes

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// nanoidAlphabet is nanoid's URL-safe alphabet.
const nanoidAlphabet = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict"

var generateIDTypes = []string{"uuidv1", "uuidv3", "uuidv4", "uuidv5", "objectId", "nanoid"}

// objectIDCounter and objectIDProcess make ObjectIds unique within and
// across processes, as MongoDB drivers do.
var (
	objectIDCounter atomic.Uint32
	objectIDProcess [5]byte
)

func init() {
	_, _ = rand.Read(objectIDProcess[:])
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	objectIDCounter.Store(binary.BigEndian.Uint32(seed[:]))
	engine.Register(engine.Spec{
		Type:     "GenerateIdNode",
		Name:     "generate-id",
		Category: "logic",
		Summary:  "Puts a newly generated identifier (UUID, MongoDB ObjectId or nanoid) on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "idTypeTemplate", Kind: "template", Default: "uuidv4", Enum: generateIDTypes,
				Doc: "The kind of id, rendered, trimmed and compared case-insensitively: uuidv1 (time based), uuidv3 (MD5 of namespace and value), uuidv4 (random), uuidv5 (SHA-1 of namespace and value), objectId (24 hex digits) or nanoid."},
			{Name: "namespaceTemplate", Kind: "template", Doc: "uuidv3 and uuidv5: the namespace, a UUID."},
			{Name: "valueTemplate", Kind: "template", Doc: "uuidv3 and uuidv5: the name to hash."},
			{Name: "numCharactersTemplate", Kind: "template", Default: "21", Doc: "nanoid: the length, 1 to 255."},
			{Name: "destinationPath", Kind: "path", Required: true, Doc: "Where to put the id string."},
		},
	}, buildGenerateID)
}

type generateID struct {
	idType, namespace, value, length *template.Template
	destination                      path.Path
}

func buildGenerateID(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		IDTypeTemplate        engine.Text `json:"idTypeTemplate"`
		NamespaceTemplate     engine.Text `json:"namespaceTemplate"`
		ValueTemplate         engine.Text `json:"valueTemplate"`
		NumCharactersTemplate engine.Text `json:"numCharactersTemplate"`
		DestinationPath       string      `json:"destinationPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &generateID{}
	var err error
	if n.destination, _, err = engine.CompilePath("destinationPath", cfg.DestinationPath, true); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.idType, "idTypeTemplate", cfg.IDTypeTemplate},
		{&n.namespace, "namespaceTemplate", cfg.NamespaceTemplate},
		{&n.value, "valueTemplate", cfg.ValueTemplate},
		{&n.length, "numCharactersTemplate", cfg.NumCharactersTemplate},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	if lit, ok := n.idType.Literal(); ok && strings.TrimSpace(lit) != "" && idTypeOf(lit) == "" {
		return nil, engine.Errorf("Validation", "idTypeTemplate must be one of %v", generateIDTypes)
	}
	return n, nil
}

// Exec generates an id, writes it to destinationPath and continues.
func (n *generateID) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	s, err := n.idType.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "idTypeTemplate: %v", err)
	}
	typ := "uuidv4"
	if strings.TrimSpace(s) != "" {
		if typ = idTypeOf(s); typ == "" {
			return 0, engine.Errorf("Validation", "unknown id type %q", strings.TrimSpace(s))
		}
	}
	var id string
	switch typ {
	case "uuidv1":
		u, err := uuid.NewUUID()
		if err != nil {
			return 0, engine.Errorf("Error", "uuidv1: %v", err)
		}
		id = u.String()
	case "uuidv3", "uuidv5":
		if id, err = n.namedUUID(p, typ); err != nil {
			return 0, err
		}
	case "objectid":
		var b [12]byte
		binary.BigEndian.PutUint32(b[:4], uint32(env.Now().Unix()))
		copy(b[4:9], objectIDProcess[:])
		c := objectIDCounter.Add(1)
		b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
		id = hex.EncodeToString(b[:])
	case "nanoid":
		if id, err = n.nanoid(p); err != nil {
			return 0, err
		}
	default:
		id = uuid.NewString()
	}
	if err := n.destination.Set(p, id); err != nil {
		return 0, engine.Errorf("Validation", "destinationPath: %v", err)
	}
	return 0, nil
}

// namedUUID computes a version 3 or 5 UUID of the rendered namespace and
// value.
func (n *generateID) namedUUID(p engine.Payload, typ string) (string, error) {
	ns, err := n.namespace.Render(p)
	if err != nil {
		return "", engine.Errorf("Validation", "namespaceTemplate: %v", err)
	}
	space, err := uuid.Parse(strings.TrimSpace(ns))
	if err != nil {
		return "", engine.Errorf("Validation", "namespace %q is not a UUID", ns)
	}
	val, err := n.value.Render(p)
	if err != nil {
		return "", engine.Errorf("Validation", "valueTemplate: %v", err)
	}
	if val == "" {
		return "", engine.Errorf("Validation", "Value is required for %s", typ)
	}
	if typ == "uuidv3" {
		return uuid.NewMD5(space, []byte(val)).String(), nil
	}
	return uuid.NewSHA1(space, []byte(val)).String(), nil
}

// nanoid returns a random id of the rendered length (default 21).
func (n *generateID) nanoid(p engine.Payload) (string, error) {
	s, err := n.length.Render(p)
	if err != nil {
		return "", engine.Errorf("Validation", "numCharactersTemplate: %v", err)
	}
	size := 21
	if s = strings.TrimSpace(s); s != "" {
		if size, err = strconv.Atoi(s); err != nil || size < 1 || size > 255 {
			return "", engine.Errorf("Validation", "Number of characters must be between 1 and 255, got %q", s)
		}
	}
	b := make([]byte, size)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = nanoidAlphabet[b[i]&63]
	}
	return string(b), nil
}

// idTypeOf normalizes a rendered id type to its lower-case name, or "" when
// it is not one of generateIDTypes.
func idTypeOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, t := range generateIDTypes {
		if strings.ToLower(t) == s {
			return s
		}
	}
	return ""
}

var _ engine.Node = (*generateID)(nil)
