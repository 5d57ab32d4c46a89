package template

import (
	"fmt"
	"strconv"
	"strings"
)

// tokenKind classifies the tokens of a mustache body.
type tokenKind int

const (
	tokEOF     tokenKind = iota
	tokID                // identifier or [segment literal]
	tokSep               // . or / between path segments
	tokData              // @
	tokLiteral           // string, number, boolean, null, undefined
	tokOpen              // (
	tokClose             // )
	tokEquals            // =
	tokPipe              // | (block params, unsupported)
)

// token is one lexeme of a mustache body.
type token struct {
	kind      tokenKind
	text      string // tokID: the name (brackets removed); tokLiteral: the word, except for strings
	bracketed bool   // tokID written as [literal]
	val       any    // tokLiteral
	pos       int    // byte offset in the body
}

// notIDChars are the characters Handlebars excludes from identifiers.
const notIDChars = " \t\r\n\f\v!\"#%&'()*+,./;<=>@[\\]^`{|}~"

// lex splits a mustache body into tokens.
func lex(body string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(body) {
		c := body[i]
		switch {
		case strings.IndexByte(" \t\r\n\f\v", c) >= 0:
			i++
		case c == '(':
			toks = append(toks, token{kind: tokOpen, pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokClose, pos: i})
			i++
		case c == '=':
			toks = append(toks, token{kind: tokEquals, pos: i})
			i++
		case c == '|':
			toks = append(toks, token{kind: tokPipe, pos: i})
			i++
		case c == '@':
			toks = append(toks, token{kind: tokData, pos: i})
			i++
		case c == '"' || c == '\'':
			s, n, err := lexString(body[i:])
			if err != nil {
				return nil, fmt.Errorf("at offset %d: %w", i, err)
			}
			toks = append(toks, token{kind: tokLiteral, val: s, pos: i})
			i += n
		case c == '[':
			k := strings.IndexByte(body[i:], ']')
			if k < 0 {
				return nil, fmt.Errorf("at offset %d: unclosed [", i)
			}
			toks = append(toks, token{kind: tokID, text: body[i+1 : i+k], bracketed: true, pos: i})
			i += k + 1
		case strings.HasPrefix(body[i:], "..") && lookahead(body, i+2):
			toks = append(toks, token{kind: tokID, text: "..", pos: i})
			i += 2
		case c == '.' && lookahead(body, i+1):
			toks = append(toks, token{kind: tokID, text: ".", pos: i})
			i++
		case c == '.' || c == '/':
			toks = append(toks, token{kind: tokSep, pos: i})
			i++
		default:
			t, n, err := lexWord(body, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(body)}), nil
}

// lexWord reads a number, keyword literal or identifier at body[i:].
func lexWord(body string, i int) (token, int, error) {
	n := 0
	for i+n < len(body) && strings.IndexByte(notIDChars, body[i+n]) < 0 {
		n++
	}
	if n == 0 {
		return token{}, 0, fmt.Errorf("at offset %d: unexpected %q", i, body[i])
	}
	w := body[i : i+n]
	if literalEnd(body, i+n) {
		switch w {
		case "true":
			return token{kind: tokLiteral, text: w, val: true, pos: i}, n, nil
		case "false":
			return token{kind: tokLiteral, text: w, val: false, pos: i}, n, nil
		case "null":
			return token{kind: tokLiteral, text: w, val: nil, pos: i}, n, nil
		case "undefined":
			return token{kind: tokLiteral, text: w, val: undefined, pos: i}, n, nil
		}
		if isNumber(w) {
			f, _ := strconv.ParseFloat(w, 64)
			return token{kind: tokLiteral, text: w, val: f, pos: i}, n, nil
		}
	}
	// A number may be followed by a decimal part: 0.5 lexes as "0" "." "5".
	if isNumber(w) && i+n < len(body) && body[i+n] == '.' {
		m := n + 1
		for i+m < len(body) && body[i+m] >= '0' && body[i+m] <= '9' {
			m++
		}
		if m > n+1 && literalEnd(body, i+m) {
			f, _ := strconv.ParseFloat(body[i:i+m], 64)
			return token{kind: tokLiteral, text: body[i : i+m], val: f, pos: i}, m, nil
		}
	}
	return token{kind: tokID, text: w, pos: i}, n, nil
}

// isNumber matches Handlebars' -?[0-9]+ (the fraction is handled by lexWord).
func isNumber(w string) bool {
	w = strings.TrimPrefix(w, "-")
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// literalEnd is Handlebars' literal lookahead: end, whitespace, ~, } or ).
func literalEnd(body string, i int) bool {
	return i >= len(body) || strings.IndexByte(" \t\r\n\f\v~})", body[i]) >= 0
}

// lookahead is Handlebars' identifier lookahead for "." and "..".
func lookahead(body string, i int) bool {
	return i >= len(body) || strings.IndexByte(" \t\r\n\f\v=~}/.)|", body[i]) >= 0
}

// lexString reads a quoted string at s[0:]; a backslash escapes the quote.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case s[i] == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}
