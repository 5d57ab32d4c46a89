package weir

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// MaxTraceSteps is how many steps a run trace records at most; the steps
// of a run past it are only counted, in RunTrace.Omitted.
const MaxTraceSteps = 128

// RunTrace is the path one run took through its flow: the node steps in
// the order they ended (a loop's step comes before its body's, which it
// encloses), each naming the step that led to it, so that the edges taken
// can be drawn. A custom node's step holds the trace of the custom node's
// own run (Inner). Steps past MaxTraceSteps, counted over a run and the
// custom node runs within it, are counted, not recorded.
type RunTrace struct {
	Trigger string      `json:"trigger"` // key of the trigger that started the run
	Steps   []TraceStep `json:"steps"`
	Omitted int         `json:"omitted"` // steps not recorded
	// FlowID names the custom node's flow in the trace of a custom node
	// run (TraceStep.Inner); empty in a run's own trace.
	FlowID string `json:"flowId,omitempty"`
}

// TraceStep is one execution of one node in a run.
type TraceStep struct {
	NodeID string `json:"nodeId"`
	// From is the index in Steps of the step whose node led here, or -1
	// for the trigger; Via is the output of that node (0 for a trigger)
	// wired to this one: output 1 of a loop node into its body.
	From int `json:"from"`
	Via  int `json:"via"`
	// Output is the output the node continued on, -1 when it failed.
	Output int     `json:"output"`
	Start  float64 `json:"start"` // milliseconds after the run started
	Time   float64 `json:"time"`  // milliseconds the node took (a loop's include its body's)
	Failed bool    `json:"failed,omitempty"`
	// Inner is, for the step of a node that ran a custom node (a Custom
	// Node Execute node), the trace of that custom node's run: its steps
	// are node executions of the custom node's flow.
	Inner *RunTrace `json:"inner,omitempty"`
}

// Size counts the steps t recorded or omitted, those of custom node runs
// included; 0 for a nil trace.
func (t *RunTrace) Size() int {
	if t == nil {
		return 0
	}
	n := len(t.Steps) + t.Omitted
	for i := range t.Steps {
		n += t.Steps[i].Inner.Size()
	}
	return n
}

// traceVersion starts every encoded trace, so that the format can change.
const traceVersion = "t1"

// AppendText appends t in the compact text form stores keep in the log row
// (see DecodeRunTrace): no JSON pass, a few bytes per step. A nil trace
// appends nothing.
func (t *RunTrace) AppendText(b []byte) []byte {
	if t == nil {
		return b
	}
	b = append(b, traceVersion...)
	return t.appendSteps(b, 0)
}

// appendSteps appends t's omitted count, trigger (and flow, when set) and
// steps, each step on a line of its own after depth '>' marks; a custom
// node's inner trace follows its step, one level deeper, starting with a
// line "t omitted trigger flow".
func (t *RunTrace) appendSteps(b []byte, depth int) []byte {
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(t.Omitted), 10)
	b = append(b, ' ')
	b = appendQuoted(b, t.Trigger)
	if t.FlowID != "" {
		b = append(b, ' ')
		b = appendQuoted(b, t.FlowID)
	}
	for i := range t.Steps {
		s := &t.Steps[i]
		b = append(b, '\n')
		b = appendDepth(b, depth)
		b = strconv.AppendInt(b, int64(s.From), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(s.Via), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(s.Output), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, micros(s.Start), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, micros(s.Time), 10)
		b = append(b, ' ')
		if s.Failed {
			b = append(b, 'f', ' ')
		}
		b = appendQuoted(b, s.NodeID)
		if s.Inner != nil {
			b = append(b, '\n')
			b = appendDepth(b, depth+1)
			b = append(b, 't')
			b = s.Inner.appendSteps(b, depth+1)
		}
	}
	return b
}

func appendDepth(b []byte, depth int) []byte {
	for range depth {
		b = append(b, '>')
	}
	return b
}

// EncodeRunTrace returns t's compact text form, "" for a nil trace.
func EncodeRunTrace(t *RunTrace) string {
	if t == nil {
		return ""
	}
	return string(t.AppendText(make([]byte, 0, t.textSize())))
}

// textSize estimates the length of t's text form.
func (t *RunTrace) textSize() int {
	n := 16 + len(t.Trigger)
	for i := range t.Steps {
		n += 32 + len(t.Steps[i].NodeID)
		if t.Steps[i].Inner != nil {
			n += t.Steps[i].Inner.textSize()
		}
	}
	return n
}

// errTrace reports a stored trace that does not decode.
var errTrace = errors.New("malformed run trace")

// DecodeRunTrace reads a trace written by AppendText; "" decodes to nil.
func DecodeRunTrace(s string) (*RunTrace, error) {
	if s == "" {
		return nil, nil
	}
	head, rest, _ := strings.Cut(s, "\n")
	version, head, _ := strings.Cut(head, " ")
	if version != traceVersion {
		return nil, errTrace
	}
	t, err := decodeHead(head)
	if err != nil {
		return nil, err
	}
	stack := []*RunTrace{t} // the trace of each depth, down to the current line's
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		depth := len(line) - len(strings.TrimLeft(line, ">"))
		line = line[depth:]
		if depth >= len(stack)+1 || depth == 0 && strings.HasPrefix(line, "t") {
			return nil, errTrace
		}
		if inner, ok := strings.CutPrefix(line, "t"); ok {
			parent := stack[depth-1]
			if len(parent.Steps) == 0 || parent.Steps[len(parent.Steps)-1].Inner != nil {
				return nil, errTrace
			}
			it, err := decodeHead(strings.TrimPrefix(inner, " "))
			if err != nil {
				return nil, err
			}
			parent.Steps[len(parent.Steps)-1].Inner = it
			stack = append(stack[:depth], it)
			continue
		}
		if depth >= len(stack) {
			return nil, errTrace // a step deeper than its trace's start
		}
		stack = stack[:depth+1]
		step, err := decodeStep(line)
		if err != nil {
			return nil, err
		}
		stack[depth].Steps = append(stack[depth].Steps, step)
	}
	return t, nil
}

// decodeHead reads what starts a trace: its omitted count, quoted trigger
// and, for a custom node run, quoted flow id.
func decodeHead(head string) (*RunTrace, error) {
	omitted, head, _ := strings.Cut(head, " ")
	t := &RunTrace{Steps: []TraceStep{}}
	var err error
	if t.Omitted, err = strconv.Atoi(omitted); err != nil {
		return nil, errTrace
	}
	q, err := strconv.QuotedPrefix(head)
	if err != nil {
		return nil, errTrace
	}
	t.Trigger, _ = strconv.Unquote(q)
	if rest := head[len(q):]; rest != "" {
		flow, ok := strings.CutPrefix(rest, " ")
		if t.FlowID, err = strconv.Unquote(flow); !ok || err != nil || t.FlowID == "" {
			return nil, errTrace
		}
	}
	return t, nil
}

// decodeStep reads one step line: from via output start time [f] "id".
func decodeStep(line string) (TraceStep, error) {
	var s TraceStep
	var nums [5]int64
	for i := range nums {
		field, rest, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(field, 10, 64)
		if !ok || err != nil {
			return s, errTrace
		}
		nums[i], line = n, rest
	}
	if rest, ok := strings.CutPrefix(line, "f "); ok {
		s.Failed, line = true, rest
	}
	id, err := strconv.Unquote(line)
	if err != nil {
		return s, errTrace
	}
	s.NodeID, s.From, s.Via, s.Output = id, int(nums[0]), int(nums[1]), int(nums[2])
	s.Start, s.Time = float64(nums[3])/1000, float64(nums[4])/1000
	return s, nil
}

// appendQuoted appends s as a Go string literal (strconv.Unquote reads it
// back): ids of printable ASCII without quotes or backslashes, as node ids
// and trigger keys are, are copied as they are.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// micros turns milliseconds into whole microseconds.
func micros(ms float64) int64 { return int64(math.Round(ms * 1000)) }
