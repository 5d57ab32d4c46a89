package engine

import (
	"errors"
	"fmt"

	"github.com/weirhq/weir"
)

// NodeError is an error raised by a node, with the error class Losant
// reports ("Validation", "TypeError", "TimeoutError", …).
type NodeError struct {
	Name    string
	Message string
}

// Error implements the error interface.
func (e *NodeError) Error() string { return e.Name + ": " + e.Message }

// Errorf returns a NodeError of class name.
func Errorf(name, format string, args ...any) *NodeError {
	return &NodeError{Name: name, Message: fmt.Sprintf(format, args...)}
}

// details names err for a run log: a NodeError keeps its class, an
// application error its type, anything else is an "Error".
func details(err error) weir.ErrorDetails {
	var ne *NodeError
	if errors.As(err, &ne) {
		return weir.ErrorDetails{Name: ne.Name, Message: ne.Message}
	}
	var we *weir.Error
	if errors.As(err, &we) {
		return weir.ErrorDetails{Name: string(we.Type), Message: we.Message}
	}
	return weir.ErrorDetails{Name: "Error", Message: err.Error()}
}
