package expr

import "strings"

// mustache lexes the {{…}} or {{{…}}} starting at l.pos and records its body
// in the next variable slot. Comments ({{! … }}, {{!-- … --}}) are skipped and
// reported with ok false.
func (l *lexer) mustache() (slot int, ok bool, err error) {
	start := l.pos
	if end, isComment := l.comment(); isComment {
		if end < 0 {
			return 0, false, syntaxErrorf(start, "unclosed comment")
		}
		l.pos = end
		return 0, false, nil
	}
	open, closing := "{{", "}}"
	if strings.HasPrefix(l.src[start:], "{{{") {
		open, closing = "{{{", "}}}"
	}
	end := closeIndex(l.src, start+len(open), closing)
	if end < 0 {
		return 0, false, syntaxErrorf(start, "unclosed %s", open)
	}
	body := trimBody(l.src[start+len(open) : end])
	if isBlock(body) {
		return 0, false, syntaxErrorf(start, "block helpers are not allowed in expressions")
	}
	l.pos = end + len(closing)
	l.mustaches = append(l.mustaches, mustacheSrc{body: body, pos: start})
	return len(l.mustaches) - 1, true, nil
}

// comment reports whether a Handlebars comment starts at l.pos and, if so, the
// offset just past it (-1 when it is not closed).
func (l *lexer) comment() (end int, ok bool) {
	rest := l.src[l.pos:]
	switch {
	case strings.HasPrefix(rest, "{{!--"):
		return indexAfter(rest, 5, "--}}", l.pos), true
	case strings.HasPrefix(rest, "{{~!--"):
		return indexAfter(rest, 6, "--}}", l.pos), true
	case strings.HasPrefix(rest, "{{!"), strings.HasPrefix(rest, "{{~!"):
		return indexAfter(rest, 3, "}}", l.pos), true
	}
	return 0, false
}

// indexAfter returns base plus the offset just past the first sep in s[from:],
// or -1.
func indexAfter(s string, from int, sep string, base int) int {
	i := strings.Index(s[from:], sep)
	if i < 0 {
		return -1
	}
	return base + from + i + len(sep)
}

// closeIndex returns the offset of the first closing delimiter at or after i
// that is not inside a quoted string or a [segment literal], or -1.
func closeIndex(src string, i int, closing string) int {
	for i < len(src) {
		switch c := src[i]; {
		case strings.HasPrefix(src[i:], closing):
			return i
		case c == '\'' || c == '"':
			i = skipQuoted(src, i)
		case c == '[':
			i = skipTo(src, i, ']')
		default:
			i++
		}
		if i < 0 {
			return -1
		}
	}
	return -1
}

// skipQuoted returns the offset just past the string quoted at src[i], or -1.
func skipQuoted(src string, i int) int {
	q := src[i]
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case q:
			return i + 1
		}
	}
	return -1
}

// skipTo returns the offset just past the first c after src[i], or -1.
func skipTo(src string, i int, c byte) int {
	j := strings.IndexByte(src[i+1:], c)
	if j < 0 {
		return -1
	}
	return i + 1 + j + 1
}

// trimBody strips white space and Handlebars whitespace-control tildes.
func trimBody(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "~")
	s = strings.TrimSuffix(s, "~")
	return strings.TrimSpace(s)
}

// isBlock reports whether a mustache body opens, continues or closes a block,
// or is a partial, none of which an expression can hold.
func isBlock(body string) bool {
	if body == "else" || strings.HasPrefix(body, "else ") {
		return true
	}
	return body != "" && strings.ContainsRune("#/^>", rune(body[0]))
}
