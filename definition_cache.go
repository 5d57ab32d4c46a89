package weir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
)

// maxCachedDefinitions bounds the decoded definitions DecodeDefinition keeps.
const maxCachedDefinitions = 4096

// definitions caches decoded definitions by the hash of their JSON text, so
// that stores reading the same flow for every run decode it once.
var definitions = struct {
	sync.Mutex
	m map[string]Definition
}{m: map[string]Definition{}}

// DecodeDefinition decodes a definition stored as JSON text and sets its
// Hash to the text's SHA-256. Decoded definitions are cached by that hash;
// each call returns its own copy of the trigger, node and global lists (the
// raw config and meta bytes are shared and must not be modified in place).
func DecodeDefinition(text []byte) (Definition, error) {
	sum := sha256.Sum256(text)
	key := hex.EncodeToString(sum[:])
	definitions.Lock()
	d, ok := definitions.m[key]
	definitions.Unlock()
	if !ok {
		if err := json.Unmarshal(text, &d); err != nil {
			return Definition{}, err
		}
		d.Hash = key
		definitions.Lock()
		if len(definitions.m) >= maxCachedDefinitions {
			clear(definitions.m)
		}
		definitions.m[key] = d
		definitions.Unlock()
	}
	d.Triggers = append([]Trigger(nil), d.Triggers...)
	d.Nodes = append([]Node(nil), d.Nodes...)
	d.Globals = append([]Global(nil), d.Globals...)
	return d, nil
}
