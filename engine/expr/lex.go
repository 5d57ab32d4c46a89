package expr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tEOF   tokKind = iota
	tNum           // number literal: num
	tStr           // string literal: parts
	tIdent         // identifier or keyword: text
	tVar           // mustache outside a string literal: slot
	tOp            // operator or punctuation: text
)

// operators lists every operator and punctuation token, longest first so the
// lexer matches greedily.
var operators = []string{
	"===", "!==",
	"==", "!=", "<=", ">=", "<<", ">>", "&&", "||",
	"<", ">", "!", "+", "-", "*", "/", "%", "^", "(", ")", ",",
}

// token is one lexical token; pos is its byte offset in the source.
type token struct {
	kind  tokKind
	pos   int
	text  string
	num   float64
	parts []strPart
	slot  int
}

// strPart is a piece of a string literal: literal text, or the mustache in
// variable slot when isVar is set.
type strPart struct {
	text  string
	slot  int
	isVar bool
}

// mustacheSrc is the trimmed body of one mustache and its byte offset.
type mustacheSrc struct {
	body string
	pos  int
}

// lexer splits a source into tokens, numbering mustaches in source order.
type lexer struct {
	src       string
	pos       int
	toks      []token
	mustaches []mustacheSrc
}

// lex tokenizes src. The token list always ends with tEOF.
func lex(src string) ([]token, []mustacheSrc, error) {
	l := &lexer{src: src, toks: make([]token, 0, len(src)/4+1)}
	for {
		l.skipSpace()
		if l.pos >= len(src) {
			l.toks = append(l.toks, token{kind: tEOF, pos: l.pos})
			return l.toks, l.mustaches, nil
		}
		if err := l.next(); err != nil {
			return nil, nil, err
		}
	}
}

// next lexes the token starting at l.pos, which is not white space.
func (l *lexer) next() error {
	c := l.src[l.pos]
	switch {
	case strings.HasPrefix(l.src[l.pos:], "{{"):
		start := l.pos
		slot, ok, err := l.mustache()
		if err != nil || !ok {
			return err
		}
		l.toks = append(l.toks, token{kind: tVar, pos: start, slot: slot})
		return nil
	case c == '\'' || c == '"':
		return l.str()
	case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	}
	if r, _ := utf8.DecodeRuneInString(l.src[l.pos:]); isIdentStart(r) {
		l.ident()
		return nil
	}
	return l.operator()
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) && r != '\uFEFF' {
			return
		}
		l.pos += size
	}
}

func (l *lexer) ident() {
	start := l.pos
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentStart(r) && !unicode.IsDigit(r) {
			break
		}
		l.pos += size
	}
	l.toks = append(l.toks, token{kind: tIdent, pos: start, text: l.src[start:l.pos]})
}

func (l *lexer) operator() error {
	for _, op := range operators {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.toks = append(l.toks, token{kind: tOp, pos: l.pos, text: op})
			l.pos += len(op)
			return nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	if r == '=' {
		return syntaxErrorf(l.pos, "assignment is not supported")
	}
	return syntaxErrorf(l.pos, "unexpected character %q", r)
}

// number lexes a JavaScript numeric literal: decimal with optional fraction
// and exponent, or 0x/0o/0b integers.
func (l *lexer) number() error {
	start := l.pos
	var f float64
	if base := radixOf(l.src[l.pos:]); base != 0 {
		l.pos += 2
		var ok bool
		if f, ok = l.radixDigits(base); !ok {
			return syntaxErrorf(start, "invalid number literal")
		}
	} else {
		if !l.decimal() {
			return syntaxErrorf(start, "invalid number literal")
		}
		f, _ = strconv.ParseFloat(l.src[start:l.pos], 64) // ErrRange yields ±Inf or 0, as in JS
	}
	if l.pos < len(l.src) {
		if r, _ := utf8.DecodeRuneInString(l.src[l.pos:]); isIdentStart(r) || unicode.IsDigit(r) {
			return syntaxErrorf(l.pos, "identifier starts immediately after number")
		}
	}
	l.toks = append(l.toks, token{kind: tNum, pos: start, num: f})
	return nil
}

// decimal consumes digits [. digits] [e [+-] digits] and reports whether the
// exponent, if any, has digits.
func (l *lexer) decimal() bool {
	l.digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		l.digits()
	}
	if l.pos >= len(l.src) || l.src[l.pos] != 'e' && l.src[l.pos] != 'E' {
		return true
	}
	l.pos++
	if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
		l.pos++
	}
	return l.digits() > 0
}

func (l *lexer) digits() int {
	start := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	return l.pos - start
}

// radixDigits consumes the digits of a 0x/0o/0b literal.
func (l *lexer) radixDigits(base int) (float64, bool) {
	var f float64
	n := 0
	for ; l.pos < len(l.src); l.pos++ {
		d, ok := digitValue(l.src[l.pos], base)
		if !ok {
			break
		}
		f = f*float64(base) + float64(d)
		n++
	}
	return f, n > 0
}

func radixOf(s string) int {
	if len(s) < 2 || s[0] != '0' {
		return 0
	}
	switch s[1] {
	case 'x', 'X':
		return 16
	case 'o', 'O':
		return 8
	case 'b', 'B':
		return 2
	}
	return 0
}

func digitValue(c byte, base int) (int, bool) {
	d := 99
	switch {
	case isDigit(c):
		d = int(c - '0')
	case 'a' <= c && c <= 'f':
		d = int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		d = int(c-'A') + 10
	}
	return d, d < base
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}
