package template

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// numberSpec is a parsed d3-format specifier:
// [[fill]align][sign][symbol][0][width][,][.precision][~][type].
type numberSpec struct {
	fill, align, sign, symbol string
	zero, comma, trim         bool
	width, precision          int // precision < 0: unset
	typ                       string
}

var specRE = regexp.MustCompile(`^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%]|X)?$`)

// specCache holds parsed specifiers by text.
var specCache sync.Map

// parseNumberSpec parses a d3-format specifier, like d3.formatSpecifier.
func parseNumberSpec(spec string) (*numberSpec, error) {
	if s, ok := specCache.Load(spec); ok {
		return s.(*numberSpec), nil
	}
	m := specRE.FindStringSubmatch(spec)
	if m == nil {
		return nil, fmt.Errorf("invalid number format %q", spec)
	}
	s := &numberSpec{fill: m[1], align: m[2], sign: m[3], symbol: m[4], zero: m[5] != "",
		comma: m[7] != "", trim: m[9] != "", precision: -1, typ: m[10]}
	if s.fill == "" {
		s.fill = " "
	}
	if s.align == "" {
		s.align = ">"
	}
	if s.sign == "" {
		s.sign = "-"
	}
	if m[6] != "" {
		s.width, _ = strconv.Atoi(m[6])
		s.width = min(s.width, 1000)
	}
	if m[8] != "" {
		s.precision, _ = strconv.Atoi(m[8][1:])
		s.precision = min(s.precision, 1000)
	}
	if s.typ == "n" {
		s.comma, s.typ = true, "g"
	}
	if !strings.Contains("efgprs%bodxXc", s.typ) || s.typ == "" {
		if s.precision < 0 {
			s.precision = 12
		}
		s.trim, s.typ = true, "g"
	}
	if s.zero || (s.fill == "0" && s.align == "=") {
		s.zero, s.fill, s.align = true, "0", "="
	}
	switch {
	case s.precision < 0:
		s.precision = 6
	case strings.Contains("gprs", s.typ):
		s.precision = max(1, min(21, s.precision))
	default:
		s.precision = max(0, min(20, s.precision))
	}
	specCache.Store(spec, s)
	return s, nil
}

// formatNumber formats x with a d3-format specifier (d3-format v1, en-US
// locale, "-" as the minus sign).
func formatNumber(x float64, spec string) (string, error) {
	s, err := parseNumberSpec(spec)
	if err != nil {
		return "", err
	}
	prefix, value, suffix := numberParts(s, x)
	if s.comma && !s.zero {
		value = group(value, -1)
	}
	length := utf8.RuneCountInString(prefix) + utf8.RuneCountInString(value) + utf8.RuneCountInString(suffix)
	padding := ""
	if length < s.width {
		padding = strings.Repeat(s.fill, s.width-length)
	}
	if s.comma && s.zero {
		w := -1
		if padding != "" {
			w = s.width - utf8.RuneCountInString(suffix)
		}
		value, padding = group(padding+value, w), ""
	}
	switch s.align {
	case "<":
		return prefix + value + suffix + padding, nil
	case "=":
		return prefix + padding + value + suffix, nil
	case "^":
		half := len(padding) / len(s.fill) / 2 * len(s.fill)
		return padding[:half] + prefix + value + suffix + padding[half:], nil
	}
	return padding + prefix + value + suffix, nil
}

// numberParts formats x per s, split into sign/symbol prefix, digits and
// suffix (decimal part, exponent, SI prefix, %), as d3 does before padding.
func numberParts(s *numberSpec, x float64) (prefix, value, suffix string) {
	switch {
	case s.symbol == "$":
		prefix = "$"
	case s.symbol == "#" && strings.Contains("boxX", s.typ):
		prefix = "0" + strings.ToLower(s.typ)
	}
	if s.typ == "%" {
		suffix = "%"
	}
	if s.typ == "c" {
		value = string(rune(int(x)))
		if !utf8.ValidString(value) || x < 0 || x > utf8.MaxRune || math.IsNaN(x) {
			value = "\uFFFD"
		}
		suffix = ""
	} else {
		neg := x < 0 || (x == 0 && math.Signbit(x))
		var prefixExp int
		if math.IsNaN(x) {
			value = "NaN"
		} else {
			value, prefixExp = formatType(s.typ, math.Abs(x), s.precision)
		}
		if s.trim {
			value = trimZeros(value)
		}
		if neg && isZeroText(value) && s.sign != "+" {
			neg = false
		}
		switch {
		case neg && s.sign == "(":
			prefix = "(" + prefix
		case neg:
			prefix = "-" + prefix
		case s.sign == "+" || s.sign == " ":
			prefix = s.sign + prefix
		}
		if s.typ == "s" {
			suffix = siPrefixes[8+prefixExp/3] + suffix
		}
		if neg && s.sign == "(" {
			suffix += ")"
		}
		if strings.Contains("defgprs%", s.typ) {
			if i := strings.IndexFunc(value, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
				suffix = value[i:] + suffix
				value = value[:i]
			}
		}
	}
	return prefix, value, suffix
}

// siPrefixes are the SI prefixes of the "s" type, from 1e-24 to 1e24.
var siPrefixes = []string{"y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"}

// formatType applies a d3 format type to x >= 0; prefixExp is the SI
// exponent chosen by "s".
func formatType(typ string, x float64, p int) (string, int) {
	switch typ {
	case "%":
		return toFixed(x*100, p), 0
	case "e":
		return toExponential(x, p), 0
	case "f":
		return toFixed(x, p), 0
	case "g":
		return toPrecision(x, p), 0
	case "p":
		return formatRounded(x*100, p), 0
	case "r":
		return formatRounded(x, p), 0
	case "s":
		return formatPrefixAuto(x, p)
	case "d":
		return toFixed(math.Floor(x+0.5), 0), 0
	case "b", "o", "x", "X":
		base := map[string]int{"b": 2, "o": 8, "x": 16, "X": 16}[typ]
		r := math.Floor(x + 0.5)
		if math.IsInf(r, 0) || r >= 1<<63 {
			return toFixed(r, 0), 0
		}
		s := strconv.FormatUint(uint64(r), base)
		if typ == "X" {
			s = strings.ToUpper(s)
		}
		return s, 0
	}
	return toPrecision(x, p), 0
}

// decimalParts is d3's formatDecimalParts: the significant digits of x
// (p of them, or the shortest when p <= 0) and the exponent.
func decimalParts(x float64, p int) (string, int) {
	if x == 0 {
		return strings.Repeat("0", max(p, 1)), 0
	}
	if math.IsInf(x, 0) {
		return "Infinity", 0
	}
	if p <= 0 {
		return shortestDigits(x)
	}
	return expDigits(x, p)
}

// formatRounded is d3's formatRounded (the "r" type).
func formatRounded(x float64, p int) string {
	d, e := decimalParts(x, p)
	switch {
	case d == "Infinity":
		return d
	case e < 0:
		return "0." + strings.Repeat("0", -e-1) + d
	case len(d) > e+1:
		return d[:e+1] + "." + d[e+1:]
	}
	return d + strings.Repeat("0", e-len(d)+1)
}

// formatPrefixAuto is d3's formatPrefixAuto (the "s" type).
func formatPrefixAuto(x float64, p int) (string, int) {
	d, e := decimalParts(x, p)
	if d == "Infinity" {
		return d, 0
	}
	prefixExp := max(-8, min(8, int(math.Floor(float64(e)/3)))) * 3
	i := e - prefixExp + 1
	n := len(d)
	switch {
	case i == n:
		return d, prefixExp
	case i > n:
		return d + strings.Repeat("0", i-n), prefixExp
	case i > 0:
		return d[:i] + "." + d[i:], prefixExp
	}
	d2, _ := decimalParts(x, max(0, p+i-1))
	return "0." + strings.Repeat("0", 1-i) + d2, prefixExp
}

// trimZeros is d3's formatTrim: it drops insignificant trailing zeros.
func trimZeros(s string) string {
	i0, i1 := -1, 0
loop:
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '.':
			i0, i1 = i, i
		case '0':
			if i0 == 0 {
				i0 = i
			}
			i1 = i
		default:
			if s[i] < '1' || s[i] > '9' {
				break loop
			}
			if i0 > 0 {
				i0 = 0
			}
		}
	}
	if i0 > 0 {
		return s[:i0] + s[i1+1:]
	}
	return s
}

// isZeroText reports whether formatted digits denote zero (+value === 0).
func isZeroText(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f == 0
}

// group inserts "," every three integer digits; width >= 0 limits the
// grouped length like d3's formatGroup.
func group(value string, width int) string {
	if width < 0 {
		width = math.MaxInt
	}
	var parts []string
	total := 0
	for i := len(value); i > 0 && total < width; {
		start := max(0, i-3)
		if total+(i-start)+1 > width {
			start = max(0, i-(width-total))
		}
		parts = append(parts, value[start:i])
		total += i - start + 1
		i = start
	}
	for l, r := 0, len(parts)-1; l < r; l, r = l+1, r-1 {
		parts[l], parts[r] = parts[r], parts[l]
	}
	return strings.Join(parts, ",")
}
