package nodes

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// goja's JSON.parse reads its input token by token through encoding/json's
// Decoder, which made it most of the cost of a script that parses a
// payload string. The sandbox's JSON.parse first tries jsonParser, which
// builds the same values in one pass; anything it does not handle (a
// reviver, a non-string argument, invalid JSON, numbers out of range,
// nesting past maxJSONDepth) goes to goja's own, errors included.

// maxJSONDepth is the nesting jsonParser handles; deeper input goes to
// goja's JSON.parse.
const maxJSONDepth = 10000

// jsonParseSource replaces JSON.parse with a function of the same name and
// length that calls fast, and goja's parse when fast returns no.
const jsonParseSource = `(function (J, fast, no) {
'use strict';
var parse = J.parse, apply = Reflect.apply;
var wrapped = { parse(text, reviver) {
	if (reviver === undefined && typeof text === 'string') {
		var v = fast(text);
		if (v !== no) return v;
	}
	return apply(parse, J, arguments);
} }.parse;
Object.defineProperty(J, 'parse', { value: wrapped, writable: true, enumerable: false, configurable: true });
})`

var jsonParseProgram = goja.MustCompile("json", jsonParseSource, true)

// installJSONParse installs the fast JSON.parse in vm; its objects get
// their members through props.
func installJSONParse(vm *goja.Runtime, props *plainProps) error {
	define, err := vm.RunProgram(jsonParseProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(define)
	no := vm.NewObject()
	// Scratch space reused across calls, emptied after each so that it
	// holds on to nothing.
	var items []any
	strs := map[string]goja.Value{}
	fast := func(c goja.FunctionCall) goja.Value {
		p := jsonParser{vm: vm, props: props, s: c.Argument(0).String(), items: items[:0], strs: strs}
		p.space()
		v, ok := p.value(0)
		items = reuse(p.items)
		clear(strs)
		if p.space(); !ok || p.i != len(p.s) {
			return no
		}
		return v
	}
	_, err = fn(goja.Undefined(), vm.Get("JSON"), vm.ToValue(fast), no)
	return err
}

// jsonParser builds goja values from JSON text; ok false means "not
// handled here".
type jsonParser struct {
	vm    *goja.Runtime
	props *plainProps
	s     string
	i     int
	// items is a stack of the elements of the arrays being parsed: each
	// array's run from its start to the top.
	items []any
	// strs holds the values of the short strings parsed so far, which
	// repeat often (enumerations, names); a string value is immutable, so
	// one serves every occurrence.
	strs map[string]goja.Value
}

const (
	// maxSharedString is the longest string value jsonParser shares.
	maxSharedString = 16
	// maxSharedStrings bounds the string values one parse shares.
	maxSharedStrings = 1024
)

// stringValue returns the value of s, shared with earlier occurrences when
// s is short.
func (p *jsonParser) stringValue(s string) goja.Value {
	if len(s) > maxSharedString {
		return p.vm.ToValue(s)
	}
	if v, ok := p.strs[s]; ok {
		return v
	}
	v := p.vm.ToValue(s)
	if len(p.strs) < maxSharedStrings {
		p.strs[s] = v
	}
	return v
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (goja.Value, bool) {
	if p.i >= len(p.s) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return p.stringValue(s), true
	case c == 't':
		return p.literal("true", p.vm.ToValue(true))
	case c == 'f':
		return p.literal("false", p.vm.ToValue(false))
	case c == 'n':
		return p.literal("null", goja.Null())
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return nil, false
}

func (p *jsonParser) literal(word string, v goja.Value) (goja.Value, bool) {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return nil, false
	}
	p.i += len(word)
	return v, true
}

func (p *jsonParser) object(depth int) (goja.Value, bool) {
	o := p.vm.NewObject()
	p.i++ // {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return o, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		if p.props.put(o, k, v) != nil {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			return o, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (goja.Value, bool) {
	p.i++ // [
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return p.vm.NewArray(), true
	}
	base := len(p.items)
	for {
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		p.items = append(p.items, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			a := p.vm.NewArray(p.items[base:]...)
			p.items = p.items[:base]
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string literal. Plain ASCII ones are sliced; others are
// decoded by encoding/json, as goja's JSON.parse decodes them.
func (p *jsonParser) str() (string, bool) {
	start := p.i
	p.i++ // "
	plain := true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if plain {
				return p.s[start+1 : p.i-1], true
			}
			var s string
			if json.Unmarshal([]byte(p.s[start:p.i]), &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			p.i += 2
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			plain = false
			p.i++
		default:
			p.i++
		}
	}
	return "", false
}

// number reads a number in JSON's grammar.
func (p *jsonParser) number() (goja.Value, bool) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if !p.digits() {
		return nil, false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if !p.digits() {
			return nil, false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return nil, false
		}
	}
	if v, ok := p.smallInt(start); ok {
		return v, true
	}
	f, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return nil, false
	}
	return p.vm.ToValue(f), true
}

// maxExactDigits is how many decimal digits an integer may have and still
// be exact in a float64 (below 2^53).
const maxExactDigits = 15

// smallInt converts the number p.s[start:p.i] when it is an integer of at
// most maxExactDigits digits other than -0: the value ParseFloat would
// give, without its general algorithm.
func (p *jsonParser) smallInt(start int) (goja.Value, bool) {
	text, neg := p.s[start:p.i], false
	if text[0] == '-' {
		text, neg = text[1:], true
	}
	if len(text) > maxExactDigits || neg && text == "0" {
		return nil, false
	}
	var n int64
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' {
			return nil, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return p.vm.ToValue(n), true
}

func (p *jsonParser) digits() bool {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
