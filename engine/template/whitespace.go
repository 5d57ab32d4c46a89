package template

import (
	"regexp"
)

// jsSpace is JavaScript's \s: what Handlebars' whitespace control trims.
const jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`

var (
	// A standalone tag's line: the text before it ends a line (or, at the
	// very start of the template, may be all blank), and the text after it
	// starts with the end of the line (or, at the very end, may be blank).
	prevLine        = regexp.MustCompile(`\r?\n` + jsSpace + `*$`)
	prevLineOrStart = regexp.MustCompile(`(^|\r?\n)` + jsSpace + `*$`)
	nextLine        = regexp.MustCompile(`^` + jsSpace + `*\r?\n`)
	nextLineOrEnd   = regexp.MustCompile(`^` + jsSpace + `*(\r?\n|$)`)
	trailingBlank   = regexp.MustCompile(`[ \t]+$`)
	leadingLine     = regexp.MustCompile(`^[ \t]*\r?\n?`)
	trailingSpace   = regexp.MustCompile(jsSpace + `+$`)
	leadingSpace    = regexp.MustCompile(`^` + jsSpace + `+`)
)

// stripWhitespace applies Handlebars whitespace control to the text items:
// ~ markers trim all adjacent whitespace, and block, else and comment tags
// alone on their line remove that line ("standalone" tags). As in
// handlebars.js, whether a tag stands alone is judged on the text as
// written, before any ~ trimming.
func stripWhitespace(items []item) {
	orig := make([]string, len(items))
	for i, it := range items {
		orig[i] = it.text
	}
	for i := range items {
		it := &items[i]
		if it.kind == itemText {
			continue
		}
		if it.stripLeft && i > 0 && items[i-1].kind == itemText {
			items[i-1].text = trailingSpace.ReplaceAllString(items[i-1].text, "")
		}
		if it.stripRight && i+1 < len(items) && items[i+1].kind == itemText {
			items[i+1].text = leadingSpace.ReplaceAllString(items[i+1].text, "")
		}
	}
	for i := range items {
		switch items[i].kind {
		case itemOpen, itemInverse, itemClose, itemElse, itemComment:
		default:
			continue
		}
		if !standalone(items, orig, i) {
			continue
		}
		if i > 0 {
			items[i-1].text = trailingBlank.ReplaceAllString(items[i-1].text, "")
		}
		if i+1 < len(items) {
			items[i+1].text = leadingLine.ReplaceAllString(items[i+1].text, "")
		}
	}
}

// standalone reports whether tag i is alone on its line. Only at the edges
// of the template may the line start or end without a line break.
func standalone(items []item, orig []string, i int) bool {
	prev := i == 0
	if i > 0 && items[i-1].kind == itemText {
		re := prevLine
		if i == 1 {
			re = prevLineOrStart
		}
		prev = re.MatchString(orig[i-1])
	}
	next := i == len(items)-1
	if i+1 < len(items) && items[i+1].kind == itemText {
		re := nextLine
		if i+2 == len(items) {
			re = nextLineOrEnd
		}
		next = re.MatchString(orig[i+1])
	}
	return prev && next
}
