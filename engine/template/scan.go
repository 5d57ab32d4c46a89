package template

import (
	"fmt"
	"strings"
)

// itemKind classifies the flat items a template source is split into.
type itemKind int

const (
	itemText     itemKind = iota
	itemMustache          // {{x}}
	itemRaw               // {{{x}}} or {{&x}}
	itemOpen              // {{#x}}
	itemInverse           // {{^x}}
	itemClose             // {{/x}}
	itemElse              // {{else}}, {{^}} or {{else x}}
	itemComment           // {{! x}}
	itemPartial           // {{> x}} (views only)
)

// item is a text run or one tag. For tags, body is the text between the
// opening and closing delimiters, without sigils and strip markers.
type item struct {
	kind       itemKind
	text       string // itemText
	body       string
	pos        int  // byte offset of the tag in the source
	stripLeft  bool // {{~
	stripRight bool // ~}}
}

// scan splits src into text and tag items, handling \{{ escapes.
func scan(src string) ([]item, error) {
	var items []item
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			items = append(items, item{kind: itemText, text: text.String()})
			text.Reset()
		}
	}
	i := 0
	for i < len(src) {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			text.WriteString(src[i:])
			break
		}
		j += i
		if j > i && src[j-1] == '\\' && (j-1 == i || src[j-2] != '\\') {
			// \{{ is a literal mustache up to the next {{.
			text.WriteString(src[i : j-1])
			k := strings.Index(src[j+2:], "{{")
			if k < 0 {
				text.WriteString(src[j:])
				break
			}
			k += j + 2
			// The escaped text also ends before the backslashes of a
			// following \{{ or \\{{, which the loop handles.
			for n := 0; n < 2 && k > j+2 && src[k-1] == '\\'; n++ {
				k--
			}
			text.WriteString(src[j:k])
			i = k
			continue
		}
		if j > i && src[j-1] == '\\' {
			text.WriteString(src[i : j-1]) // \\{{ is a backslash and a mustache
		} else {
			text.WriteString(src[i:j])
		}
		flush()
		it, end, err := scanTag(src, j)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		i = end
	}
	flush()
	return items, nil
}

// scanTag reads the tag starting at src[start:] ("{{") and returns it with
// the offset just past its closing delimiter.
func scanTag(src string, start int) (item, int, error) {
	it := item{pos: start}
	i := start + 2
	closer := "}}"
	if strings.HasPrefix(src[i:], "~") {
		it.stripLeft = true
		i++
	}
	if strings.HasPrefix(src[i:], "{") {
		it.kind, closer = itemRaw, "}}}"
		i++
	}
	if it.kind != itemRaw && i < len(src) {
		switch src[i] {
		case '!':
			return scanComment(src, it, i+1)
		case '#':
			it.kind = itemOpen
			i++
		case '/':
			it.kind = itemClose
			i++
		case '^':
			it.kind = itemInverse
			i++
		case '&':
			it.kind = itemRaw
			i++
		case '>':
			it.kind = itemPartial
			i++
		default:
			it.kind = itemMustache
		}
	}
	end, bodyEnd, ok := findClose(src, i, closer)
	if !ok {
		return it, 0, errorAt(src, start, "unclosed mustache: missing %q", closer)
	}
	it.body = src[i:bodyEnd]
	it.stripRight = src[end-len(closer)-1] == '~' || (closer == "}}}" && src[end-3] == '~')
	if it.kind == itemInverse && strings.HasPrefix(it.body, "*") {
		return it, 0, errorAt(src, start, "decorators are not supported")
	}
	if it.kind == itemOpen && strings.HasPrefix(it.body, ">") {
		return it, 0, errorAt(src, start, "partial blocks are not supported")
	}
	switch {
	case it.kind == itemInverse && strings.TrimSpace(it.body) == "":
		it.kind = itemElse
	case it.kind == itemMustache && isElse(it.body):
		it.kind = itemElse
		it.body = strings.TrimSpace(it.body)[len("else"):]
	}
	return it, end, nil
}

// isElse reports whether a mustache body is "else" or "else <call>".
func isElse(body string) bool {
	b := strings.TrimLeft(body, " \t\r\n")
	if !strings.HasPrefix(b, "else") {
		return false
	}
	rest := b[len("else"):]
	return rest == "" || strings.ContainsAny(rest[:1], " \t\r\n")
}

// findClose finds closer from src[i:], skipping quoted strings and segment
// literals. It returns the offset past closer and the end of the body (before
// any ~ strip marker).
func findClose(src string, i int, closer string) (end, bodyEnd int, ok bool) {
	for i < len(src) {
		switch c := src[i]; c {
		case '"', '\'':
			k := i + 1
			for k < len(src) && src[k] != c {
				if src[k] == '\\' {
					k++
				}
				k++
			}
			i = k + 1
			continue
		case '[':
			if k := strings.IndexByte(src[i:], ']'); k >= 0 {
				i += k + 1
				continue
			}
		case '~':
			if strings.HasPrefix(src[i+1:], closer) {
				return i + 1 + len(closer), i, true
			}
		case '}':
			if closer == "}}}" && strings.HasPrefix(src[i:], "}~}}") {
				return i + 4, i, true
			}
			if strings.HasPrefix(src[i:], closer) {
				return i + len(closer), i, true
			}
		}
		i++
	}
	return 0, 0, false
}

// scanComment reads {{! … }} or {{!-- … --}} whose text starts at src[i:].
func scanComment(src string, it item, i int) (item, int, error) {
	it.kind = itemComment
	if strings.HasPrefix(src[i:], "--") {
		for k := i + 2; k < len(src); k++ {
			if strings.HasPrefix(src[k:], "--}}") {
				return it, k + 4, nil
			}
			if strings.HasPrefix(src[k:], "--~}}") {
				it.stripRight = true
				return it, k + 5, nil
			}
		}
		return it, 0, errorAt(src, it.pos, "unclosed comment")
	}
	k := strings.Index(src[i:], "}}")
	if k < 0 {
		return it, 0, errorAt(src, it.pos, "unclosed comment")
	}
	it.stripRight = k > 0 && src[i+k-1] == '~'
	return it, i + k + 2, nil
}

// errorAt formats a parse error with the line and column of offset pos.
func errorAt(src string, pos int, format string, args ...any) error {
	if pos > len(src) {
		pos = len(src)
	}
	line := strings.Count(src[:pos], "\n") + 1
	col := pos - strings.LastIndexByte(src[:pos], '\n')
	return fmt.Errorf("template: line %d col %d: %s", line, col, fmt.Sprintf(format, args...))
}
