package template

import (
	"regexp"
	"strings"
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
	chains := elseChains(items)
	for close, elses := range chains {
		// handlebars.js also trims, for {{~/if}}, the end of every branch
		// of an {{else if}} chain after the first.
		if items[close].stripLeft {
			for _, e := range elses[1:] {
				if items[e-1].kind == itemText {
					items[e-1].text = trailingSpace.ReplaceAllString(items[e-1].text, "")
				}
			}
		}
	}
	for i := range items {
		switch items[i].kind {
		case itemOpen, itemInverse, itemClose, itemElse, itemComment, itemPartial:
		default:
			continue
		}
		prev := i - 1
		if elses, ok := chains[i]; ok {
			// handlebars.js judges the close tag of an {{else if}} chain
			// by the end of the chain's first branch, and then leaves the
			// last branch's end alone.
			prev = elses[1] - 1
		}
		if !standalone(items, orig, prev, i) {
			continue
		}
		if prev == i-1 && i > 0 {
			items[i-1].text = trailingBlank.ReplaceAllString(items[i-1].text, "")
		}
		if i+1 < len(items) {
			items[i+1].text = leadingLine.ReplaceAllString(items[i+1].text, "")
		}
	}
}

// elseChains maps the close tag of each block whose first else is an
// {{else if …}} followed by more elses to the indexes of its else tags.
func elseChains(items []item) map[int][]int {
	var chains map[int][]int
	var stack [][]int // the else tags of each open block
	for i, it := range items {
		switch it.kind {
		case itemOpen, itemInverse:
			stack = append(stack, nil)
		case itemElse:
			if n := len(stack); n > 0 {
				stack[n-1] = append(stack[n-1], i)
			}
		case itemClose:
			n := len(stack)
			if n == 0 {
				continue
			}
			elses := stack[n-1]
			stack = stack[:n-1]
			if len(elses) >= 2 && strings.TrimSpace(items[elses[0]].body) != "" {
				if chains == nil {
					chains = map[int][]int{}
				}
				chains[i] = elses
			}
		}
	}
	return chains
}

// standalone reports whether tag i is alone on its line, judging the line
// before it by item p (normally i-1). Only at the edges of the template may
// the line start or end without a line break.
func standalone(items []item, orig []string, p, i int) bool {
	prev := p < 0
	if p >= 0 && items[p].kind == itemText {
		re := prevLine
		if p == 0 {
			re = prevLineOrStart
		}
		prev = re.MatchString(orig[p])
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
