package template

import (
	"regexp"
	"strings"
)

var (
	standalonePrev = regexp.MustCompile(`(^|\n)[ \t]*$`)
	standaloneNext = regexp.MustCompile(`^[ \t]*(\r?\n|$)`)
	trailingBlank  = regexp.MustCompile(`[ \t]*$`)
	leadingLine    = regexp.MustCompile(`^[ \t]*\r?\n?`)
)

// stripWhitespace applies Handlebars whitespace control to the text items:
// ~ markers trim all adjacent whitespace, and block, else and comment tags
// alone on their line remove that line ("standalone" tags).
func stripWhitespace(items []item) {
	for i := range items {
		it := &items[i]
		if it.kind == itemText {
			continue
		}
		if it.stripLeft && i > 0 && items[i-1].kind == itemText {
			items[i-1].text = strings.TrimRight(items[i-1].text, " \t\r\n\f\v")
		}
		if it.stripRight && i+1 < len(items) && items[i+1].kind == itemText {
			items[i+1].text = strings.TrimLeft(items[i+1].text, " \t\r\n\f\v")
		}
	}
	for i := range items {
		switch items[i].kind {
		case itemOpen, itemInverse, itemClose, itemElse, itemComment:
		default:
			continue
		}
		prevOK := i == 0 || (items[i-1].kind == itemText && standalonePrev.MatchString(items[i-1].text))
		nextOK := i == len(items)-1 || (items[i+1].kind == itemText && standaloneNext.MatchString(items[i+1].text))
		if !prevOK || !nextOK {
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
