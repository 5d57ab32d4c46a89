package flowfile

import (
	"regexp"
	"sort"
)

// placeholderRE matches an export placeholder: Losant's stand-in for the id
// of another resource in a template, e.g. ~exportplaceholderid-flow-alerting~.
var placeholderRE = regexp.MustCompile(`~exportplaceholderid-[A-Za-z0-9]+-[A-Za-z0-9_]+~`)

// IsPlaceholder reports whether s is exactly one export placeholder.
func IsPlaceholder(s string) bool {
	loc := placeholderRE.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// PlaceholderKind returns the resource kind of a placeholder ("flow" for
// ~exportplaceholderid-flow-x~), or "" if s is not a placeholder.
func PlaceholderKind(s string) string {
	if !IsPlaceholder(s) {
		return ""
	}
	const prefix = len("~exportplaceholderid-")
	for i := prefix; i < len(s); i++ {
		if s[i] == '-' {
			return s[prefix:i]
		}
	}
	return ""
}

// findPlaceholders returns the distinct placeholders in text, sorted.
func findPlaceholders(text []byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAll(text, -1) {
		if s := string(m); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
