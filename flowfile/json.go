package flowfile

// ToJSON returns a template document, YAML or JSON, as JSON text: JSON input
// as it is, YAML with its key order kept and with the limits Parse applies
// (anchors, nesting, size). Other readers of application templates use it
// so that every template file is read one way.
func ToJSON(data []byte) ([]byte, error) { return toJSON(data) }
