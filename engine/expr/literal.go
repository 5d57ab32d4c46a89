package expr

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// str lexes a '…' or "…" string literal. A mustache inside it becomes a
// variable part whose value is interpolated as text at evaluation time.
func (l *lexer) str() error {
	start, q := l.pos, l.src[l.pos]
	l.pos++
	var parts []strPart
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, strPart{text: b.String()})
			b.Reset()
		}
	}
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q:
			l.pos++
			flush()
			l.toks = append(l.toks, token{kind: tStr, pos: start, parts: parts})
			return nil
		case c == '\n' || c == '\r':
			return syntaxErrorf(start, "unterminated string")
		case c == '\\':
			if err := l.escape(&b); err != nil {
				return err
			}
		case strings.HasPrefix(l.src[l.pos:], "{{"):
			flush()
			slot, ok, err := l.mustache()
			if err != nil {
				return err
			}
			if ok {
				parts = append(parts, strPart{slot: slot, isVar: true})
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return syntaxErrorf(start, "unterminated string")
}

// escapes maps single-character escape sequences to their values.
var escapes = map[byte]string{
	'n': "\n", 't': "\t", 'r': "\r", 'b': "\b", 'f': "\f", 'v': "\v", '0': "\x00",
	'\n': "", // line continuation
}

// escape decodes the backslash escape at l.pos into b. Unknown escapes stand
// for the escaped character itself, as in sloppy-mode JavaScript.
func (l *lexer) escape(b *strings.Builder) error {
	start := l.pos
	l.pos++
	if l.pos >= len(l.src) {
		return syntaxErrorf(start, "unterminated string")
	}
	c := l.src[l.pos]
	if s, ok := escapes[c]; ok {
		b.WriteString(s)
		l.pos++
		return nil
	}
	switch c {
	case '\r':
		l.pos++
		if l.pos < len(l.src) && l.src[l.pos] == '\n' {
			l.pos++
		}
		return nil
	case 'x':
		l.pos++
		r, ok := l.hex(2)
		if !ok {
			return syntaxErrorf(start, "invalid hexadecimal escape sequence")
		}
		b.WriteRune(r)
		return nil
	case 'u':
		return l.unicodeEscape(b, start)
	}
	r, size := utf8.DecodeRuneInString(l.src[l.pos:])
	b.WriteRune(r)
	l.pos += size
	return nil
}

// unicodeEscape decodes \uXXXX (joining a surrogate pair written as two
// escapes) or \u{X…} at l.pos, which is on the 'u'.
func (l *lexer) unicodeEscape(b *strings.Builder, start int) error {
	l.pos++
	r, ok := l.codePoint()
	if !ok {
		return syntaxErrorf(start, "invalid Unicode escape sequence")
	}
	if utf16.IsSurrogate(r) && strings.HasPrefix(l.src[l.pos:], `\u`) {
		save := l.pos
		l.pos += 2
		if lo, ok := l.codePoint(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
			r = utf16.DecodeRune(r, lo)
		} else {
			l.pos = save
		}
	}
	b.WriteRune(r) // a lone surrogate becomes U+FFFD
	return nil
}

// codePoint reads XXXX or {X…} after \u.
func (l *lexer) codePoint() (rune, bool) {
	if l.pos >= len(l.src) || l.src[l.pos] != '{' {
		return l.hex(4)
	}
	end := strings.IndexByte(l.src[l.pos:], '}')
	if end < 2 || end > 7 {
		return 0, false
	}
	l.pos++
	r, ok := l.hex(end - 1)
	l.pos++
	return r, ok && r <= utf8.MaxRune
}

// hex reads exactly n hexadecimal digits.
func (l *lexer) hex(n int) (rune, bool) {
	if l.pos+n > len(l.src) {
		return 0, false
	}
	var r rune
	for i := range n {
		d, ok := digitValue(l.src[l.pos+i], 16)
		if !ok {
			return 0, false
		}
		r = r*16 + rune(d)
	}
	l.pos += n
	return r, true
}
