package appfile

import (
	"encoding/json"
	"regexp"
	"strings"
)

// refRE matches what an import rewrites: an export placeholder, or a 24-hex
// id that is not part of a longer word.
var refRE = regexp.MustCompile(`~exportplaceholderid-[A-Za-z0-9]+-[A-Za-z0-9_]+~|\b[0-9A-Fa-f]{24}\b`)

// placeholderAnyRE matches an export placeholder in text.
var placeholderAnyRE = regexp.MustCompile(`~exportplaceholderid-[A-Za-z0-9]+-[A-Za-z0-9_]+~`)

// refs maps the template's ids (placeholders, 24-hex ids) to new ones.
type refs map[string]string

// norm lower-cases hex ids, which compare case-insensitively.
func norm(s string) string {
	if len(s) == 24 && !strings.HasPrefix(s, "~") {
		return strings.ToLower(s)
	}
	return s
}

func (m refs) set(from, to string) {
	if from != "" && to != "" {
		m[norm(from)] = to
	}
}

func (m refs) get(from string) (string, bool) {
	to, ok := m[norm(from)]
	return to, ok
}

// replace rewrites every known reference in text; unknown ones stay. Known
// references of another shape (a webhook's token, which its URL holds) are
// replaced wherever they occur.
func (m refs) replace(text string) string {
	text = refRE.ReplaceAllStringFunc(text, func(ref string) string {
		if to, ok := m.get(ref); ok {
			return to
		}
		return ref
	})
	for from, to := range m {
		if len(from) >= minLiteralRef && !refRE.MatchString(from) {
			text = strings.ReplaceAll(text, from, to)
		}
	}
	return text
}

// minLiteralRef is the shortest reference replace finds inside other text:
// webhook tokens are 32 characters, long enough not to occur by chance.
const minLiteralRef = 16

// found returns the references in text that known names and m does not map.
func (m refs) found(text string, known map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, ref := range refRE.FindAllString(text, -1) {
		ref = norm(ref)
		if _, ok := m[ref]; ok || !known[ref] || seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
	}
	return out
}

// rewrite returns a JSON value with every known reference replaced. A
// reference holds no character JSON escapes, so text replacement is safe.
func (m refs) rewrite(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if decode([]byte(m.replace(string(b))), &out) != nil {
		return v
	}
	return out
}

// Placeholder returns the export placeholder for a resource of kind named
// name, the way Losant's exports spell them: the name's words in
// lowerCamelCase, e.g. ~exportplaceholderid-experienceView-cpfLayoutNoNav~
// for "cpf-layout-no-nav".
func Placeholder(kind, name string) string {
	var b strings.Builder
	first := true
	for _, w := range strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if first {
			b.WriteString(strings.ToLower(w[:1]) + w[1:])
			first = false
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	if b.Len() == 0 {
		b.WriteString("unnamed")
	}
	return "~exportplaceholderid-" + kind + "-" + b.String() + "~"
}
