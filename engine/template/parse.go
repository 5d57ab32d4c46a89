package template

import (
	"fmt"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// maxNesting bounds block and subexpression nesting so hostile sources
// cannot exhaust the stack.
const maxNesting = 200

// parser builds a program from scanned items.
type parser struct {
	src   string
	items []item
	i     int
	depth int
	// view allows what only experience views have: partials, inline
	// partials (collected in partials) and the view helpers.
	view     bool
	partials map[string]program
}

// parseProgram compiles a whole template source; p.src is the source and
// p.view the dialect.
func (p *parser) parseProgram() (program, error) {
	items, err := scan(p.src)
	if err != nil {
		return nil, err
	}
	stripWhitespace(items)
	p.items = items
	prog, end, err := p.parseUntilEnd()
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, errorAt(p.src, end.pos, "unexpected %s", describe(end))
	}
	return prog, nil
}

// parseUntilEnd parses statements until EOF or a close/else item, which it
// consumes and returns.
func (p *parser) parseUntilEnd() (program, *item, error) {
	var prog program
	for p.i < len(p.items) {
		it := &p.items[p.i]
		p.i++
		switch it.kind {
		case itemText:
			if it.text != "" {
				prog = append(prog, &textNode{text: it.text})
			}
		case itemComment:
		case itemMustache, itemRaw:
			c, err := p.parseCall(it, it.body)
			if err != nil {
				return nil, nil, err
			}
			if err := checkInline(c); err != nil {
				return nil, nil, errorAt(p.src, it.pos, "%v", err)
			}
			literalToPath(c)
			prog = append(prog, &mustacheNode{call: c, raw: it.kind == itemRaw})
		case itemPartial:
			n, err := p.parsePartial(it)
			if err != nil {
				return nil, nil, err
			}
			prog = append(prog, n)
		case itemOpen, itemInverse:
			if strings.HasPrefix(it.body, "*") {
				if err := p.parseInline(it); err != nil {
					return nil, nil, err
				}
				continue
			}
			b, err := p.parseBlock(it, "")
			if err != nil {
				return nil, nil, err
			}
			prog = append(prog, b)
		case itemClose, itemElse:
			return prog, it, nil
		}
	}
	return prog, nil, nil
}

// parseBlock parses a block whose opening item has been consumed, through
// its close tag.
func (p *parser) parseBlock(open *item, closeName string) (*blockNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, errorAt(p.src, open.pos, "blocks nested too deeply")
	}
	b, err := p.blockHead(open, open.body)
	if err != nil {
		return nil, err
	}
	name := b.call.name
	if b.kind == blockSection {
		// A section closes with its path as written: {{#this}}…{{/this}}.
		name = headText(open.body)
	}
	if closeName != "" {
		name = closeName
	}
	body, end, err := p.parseUntilEnd()
	if err != nil {
		return nil, err
	}
	b.body = body
	if end != nil && end.kind == itemElse {
		if strings.TrimSpace(end.body) != "" {
			// {{else if x}} chains a nested block that shares the close tag.
			chained, err := p.parseBlock(&item{kind: itemOpen, body: end.body, pos: end.pos}, name)
			if err != nil {
				return nil, err
			}
			b.inverse = program{chained}
			p.i-- // the close tag also closes this block
			end = &p.items[p.i]
			p.i++
		} else {
			b.inverse, end, err = p.parseUntilEnd()
			if err != nil {
				return nil, err
			}
		}
	}
	if end == nil || end.kind != itemClose {
		return nil, errorAt(p.src, open.pos, "%q block is not closed", name)
	}
	if got := strings.TrimSpace(end.body); segmentText(got) != segmentText(name) {
		return nil, errorAt(p.src, end.pos, "%q does not match open block %q", got, name)
	}
	if open.kind == itemInverse {
		b.body, b.inverse = b.inverse, b.body
	}
	return b, nil
}

// blockHead compiles the opening tag of a block.
func (p *parser) blockHead(open *item, body string) (*blockNode, error) {
	c, err := p.parseCall(open, body)
	if err != nil {
		return nil, err
	}
	b := &blockNode{call: c}
	if _, ok := c.head.(*pathExpr); !ok {
		return nil, errorAt(p.src, open.pos, "a block must start with a name")
	}
	kind, ok := builtinBlocks[c.name]
	switch {
	case ok && c.helper == nil:
		b.kind = kind
		if len(c.blockParams) > 0 && kind != blockEach && kind != blockWith {
			return nil, errorAt(p.src, open.pos, "block params are supported on #each and #with only")
		}
		if len(c.params) != 1 {
			return nil, errorAt(p.src, open.pos, "#%s requires exactly one argument", c.name)
		}
	case c.helper != nil:
		b.kind = blockHelper
	default:
		b.kind = blockSection
	}
	return b, nil
}

// builtinBlocks are the Handlebars block helpers implemented by the renderer.
var builtinBlocks = map[string]blockKind{
	"if": blockIf, "unless": blockUnless, "each": blockEach, "with": blockWith,
}

// checkInline rejects block-only helpers used as a mustache.
func checkInline(c *callExpr) error {
	if _, ok := builtinBlocks[c.name]; ok && c.helper == nil && (len(c.params) > 0 || len(c.hash) > 0) {
		return fmt.Errorf("%q must be used as a block ({{#%s …}})", c.name, c.name)
	}
	return nil
}

// parseCall compiles a mustache body.
func (p *parser) parseCall(it *item, body string) (*callExpr, error) {
	c, err := compileBody(body, p.depth, p.view)
	if err != nil {
		return nil, errorAt(p.src, it.pos, "%v", err)
	}
	return c, nil
}

// compileBody compiles the body of one mustache into a call.
func compileBody(body string, depth int, view bool) (*callExpr, error) {
	toks, err := lex(body)
	if err != nil {
		return nil, err
	}
	ep := &exprParser{toks: toks, depth: depth, view: view}
	c, err := ep.call(tokEOF)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// exprParser parses the tokens of one mustache body.
type exprParser struct {
	toks  []token
	i     int
	depth int
	view  bool // the view helpers are known
}

func (ep *exprParser) peek() token { return ep.toks[ep.i] }

func (ep *exprParser) next() token {
	t := ep.toks[ep.i]
	if t.kind != tokEOF {
		ep.i++
	}
	return t
}

// call parses "head param* (key=value)*" up to the end token.
func (ep *exprParser) call(end tokenKind) (*callExpr, error) {
	t := ep.peek()
	if t.kind == end {
		return nil, fmt.Errorf("empty expression")
	}
	head, err := ep.operand()
	if err != nil {
		return nil, err
	}
	c := &callExpr{head: head}
	if err := ep.arguments(c, end); err != nil {
		return nil, err
	}
	return c, ep.resolve(c)
}

// arguments parses "param* (key=value)*" of c up to the end token, which
// it consumes.
func (ep *exprParser) arguments(c *callExpr, end tokenKind) error {
	for ep.peek().kind != end {
		t := ep.peek()
		if ep.view && t.kind == tokID && t.text == "as" && ep.toks[ep.i+1].kind == tokPipe {
			if err := ep.blockParams(c, end); err != nil {
				return err
			}
			continue
		}
		if t.kind == tokPipe {
			return fmt.Errorf("block params (as |x|) are not supported")
		}
		if t.kind == tokID && ep.toks[ep.i+1].kind == tokEquals {
			ep.i += 2
			v, err := ep.operand()
			if err != nil {
				return err
			}
			c.hash = append(c.hash, hashPair{key: t.text, val: v})
			continue
		}
		if len(c.hash) > 0 {
			return fmt.Errorf("positional argument after hash arguments")
		}
		v, err := ep.operand()
		if err != nil {
			return err
		}
		c.params = append(c.params, v)
	}
	ep.next()
	return nil
}

// blockParams parses "as |name…|", which must end the call.
func (ep *exprParser) blockParams(c *callExpr, end tokenKind) error {
	ep.i += 2
	for ep.peek().kind == tokID {
		c.blockParams = append(c.blockParams, ep.next().text)
	}
	if ep.next().kind != tokPipe || len(c.blockParams) == 0 || ep.peek().kind != end {
		return fmt.Errorf("block params must be \"as |name…|\" at the end of a block's tag")
	}
	return nil
}

// operand parses a path, literal or subexpression.
func (ep *exprParser) operand() (expr, error) {
	t := ep.next()
	switch t.kind {
	case tokLiteral:
		return &literalExpr{val: t.val}, nil
	case tokOpen:
		ep.depth++
		defer func() { ep.depth-- }()
		if ep.depth > maxNesting {
			return nil, fmt.Errorf("subexpressions nested too deeply")
		}
		c, err := ep.call(tokClose)
		if err != nil {
			return nil, err
		}
		if err := checkInline(c); err != nil {
			return nil, err
		}
		return c, nil
	case tokData:
		id := ep.next()
		if id.kind != tokID {
			return nil, fmt.Errorf("expected a name after @")
		}
		pe, err := ep.path(id)
		if err != nil {
			return nil, err
		}
		pe.data, pe.simple = true, false
		return pe, nil
	case tokID:
		return ep.path(t)
	case tokEOF:
		return nil, fmt.Errorf("unexpected end of expression")
	}
	return nil, fmt.Errorf("unexpected %s at offset %d", describeToken(t), t.pos)
}

// path parses "segment (sep segment)*" starting with the identifier first.
func (ep *exprParser) path(first token) (*pathExpr, error) {
	segs := []token{first}
	for ep.peek().kind == tokSep {
		ep.next()
		t := ep.next()
		if t.kind == tokLiteral && t.text != "" {
			// Keywords and numbers are plain segments after a separator
			// (data.null, leniently data.0).
			t = token{kind: tokID, text: t.text, pos: t.pos}
		}
		if t.kind != tokID {
			return nil, fmt.Errorf("expected a path segment at offset %d", t.pos)
		}
		segs = append(segs, t)
	}
	pe := &pathExpr{}
	for i, s := range segs {
		special := !s.bracketed && (s.text == ".." || s.text == "." || s.text == "this")
		if !special {
			pe.parts = append(pe.parts, s.text)
			continue
		}
		if len(pe.parts) > 0 || (i > 0 && (s.text != ".." || segs[i-1].text != "..")) {
			return nil, fmt.Errorf("invalid path: %q may only start a path", s.text)
		}
		if s.text == ".." {
			pe.depth++
		}
		pe.explicit = true
	}
	pe.simple = len(segs) == 1 && len(pe.parts) == 1 && !first.bracketed
	return pe, nil
}

// resolve binds a call to its helper (a view helper first, in views) and
// rejects unknown helpers.
func (ep *exprParser) resolve(c *callExpr) error {
	if pe, ok := c.head.(*pathExpr); ok && ep.view && pe.simple {
		if h, ok := viewHelpers[pe.parts[0]]; ok {
			c.name, c.helper = pe.parts[0], h
			return nil
		}
	}
	pe, ok := c.head.(*pathExpr)
	if !ok {
		if len(c.params) > 0 || len(c.hash) > 0 {
			return fmt.Errorf("a literal cannot be called with arguments")
		}
		return nil
	}
	if pe.simple {
		c.name = pe.parts[0]
	}
	if h, ok := helpers[c.name]; ok && pe.simple {
		c.helper = h
		return nil
	}
	if why, ok := unsupported[c.name]; ok && pe.simple {
		return fmt.Errorf("helper %q is not supported yet: %s", c.name, why)
	}
	if _, ok := builtinBlocks[c.name]; ok && pe.simple {
		return nil
	}
	if len(c.params) > 0 || len(c.hash) > 0 {
		return fmt.Errorf("unknown helper %q", pathName(pe))
	}
	if c.name == "" {
		c.name = pathName(pe)
	}
	return nil
}

// literalToPath makes a mustache that is a lone literal, such as {{0}} or
// {{"name"}}, read the context's property of that name, as handlebars.js
// does ({{0}} is {{this.[0]}}, {{true}} is {{this.[true]}}).
func literalToPath(c *callExpr) {
	if lit, ok := c.head.(*literalExpr); ok && c.helper == nil && len(c.params) == 0 && len(c.hash) == 0 {
		c.head = &pathExpr{parts: []string{js.ToString(lit.val)}}
	}
}

// headText is the first word of a tag body, [segment literals] included.
func headText(body string) string {
	body = strings.TrimSpace(body)
	inBracket := false
	for i, r := range body {
		switch {
		case r == '[':
			inBracket = true
		case r == ']':
			inBracket = false
		case !inBracket && strings.ContainsRune(" \t\r\n\f\v", r):
			return body[:i]
		}
	}
	return body
}

// segmentText drops the brackets of segment literals, so that a close tag
// matches its open tag as in handlebars.js: {{/a.[1]}} closes {{#a.1}}.
func segmentText(path string) string {
	return strings.NewReplacer("[", "", "]", "").Replace(path)
}

// pathName is the source-like spelling of a path, for messages and close
// tag matching.
func pathName(pe *pathExpr) string {
	var b strings.Builder
	if pe.data {
		b.WriteByte('@')
	}
	b.WriteString(strings.Repeat("../", pe.depth))
	b.WriteString(strings.Join(pe.parts, "."))
	return b.String()
}

// describe names an item for error messages.
func describe(it *item) string {
	if it.kind == itemElse {
		return "{{else}}"
	}
	return fmt.Sprintf("{{/%s}}", strings.TrimSpace(it.body))
}

// describeToken names a token for error messages.
func describeToken(t token) string {
	switch t.kind {
	case tokSep:
		return "separator"
	case tokClose:
		return "\")\""
	case tokEquals:
		return "\"=\""
	case tokPipe:
		return "\"|\""
	}
	return "token"
}
