package template

import (
	"strconv"
	"strings"
	"time"
)

// localeFormats are Moment's long date formats in the en locale.
var localeFormats = map[string]string{
	"LTS": "h:mm:ss A", "LT": "h:mm A",
	"L": "MM/DD/YYYY", "LL": "MMMM D, YYYY", "LLL": "MMMM D, YYYY h:mm A", "LLLL": "dddd, MMMM D, YYYY h:mm A",
	"l": "M/D/YYYY", "ll": "MMM D, YYYY", "lll": "MMM D, YYYY h:mm A", "llll": "ddd, MMM D, YYYY h:mm A",
}

// momentTokens are Moment format tokens, longest first so that scanning
// takes the longest match at each position.
var momentTokens = []string{
	"YYYYYY", "YYYYY", "SSSSSSSSS", "SSSSSSSS", "SSSSSSS", "SSSSSS", "SSSSS",
	"YYYY", "MMMM", "DDDD", "DDDo", "dddd", "gggg", "GGGG", "SSSS", "LLLL", "llll",
	"MMM", "DDD", "ddd", "LTS", "SSS", "LLL", "lll",
	"YY", "MM", "Mo", "DD", "Do", "dd", "do", "Qo", "ww", "wo", "WW", "Wo", "gg", "GG",
	"HH", "hh", "kk", "mm", "ss", "SS", "ZZ", "zz", "LT", "LL", "ll",
	"Y", "Q", "M", "D", "d", "e", "E", "w", "W", "H", "h", "k", "m", "s", "S",
	"A", "a", "Z", "z", "x", "X", "L", "l",
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// formatMoment formats t with a Moment.js format string in the en locale.
// Text in [brackets] is literal, as is any character that is not a token.
func formatMoment(t time.Time, layout string) string {
	var b strings.Builder
	formatMomentTo(&b, t, layout, 0)
	return b.String()
}

func formatMomentTo(b *strings.Builder, t time.Time, layout string, depth int) {
	for i := 0; i < len(layout); {
		if layout[i] == '[' {
			if k := strings.IndexByte(layout[i+1:], ']'); k >= 0 {
				b.WriteString(layout[i+1 : i+1+k])
				i += k + 2
				continue
			}
		}
		if layout[i] == '\\' && i+1 < len(layout) {
			b.WriteByte(layout[i+1])
			i += 2
			continue
		}
		tok := ""
		for _, cand := range momentTokens {
			if strings.HasPrefix(layout[i:], cand) {
				tok = cand
				break
			}
		}
		if tok == "" {
			b.WriteByte(layout[i])
			i++
			continue
		}
		i += len(tok)
		if f, ok := localeFormats[tok]; ok {
			if depth < 3 {
				formatMomentTo(b, t, f, depth+1)
			}
			continue
		}
		b.WriteString(momentToken(t, tok))
	}
}

// momentToken renders one Moment token.
func momentToken(t time.Time, tok string) string {
	switch tok {
	case "Y":
		return strconv.Itoa(t.Year())
	case "YY":
		return pad(t.Year()%100, 2)
	case "YYYY":
		return pad(t.Year(), 4)
	case "YYYYY", "YYYYYY":
		y := t.Year()
		s := pad(abs(y), len(tok))
		if y < 0 {
			return "-" + s
		}
		if len(tok) == 6 || y > 9999 {
			return "+" + s
		}
		return s
	case "Q":
		return strconv.Itoa((int(t.Month())-1)/3 + 1)
	case "Qo":
		return ordinal((int(t.Month())-1)/3 + 1)
	case "M":
		return strconv.Itoa(int(t.Month()))
	case "MM":
		return pad(int(t.Month()), 2)
	case "Mo":
		return ordinal(int(t.Month()))
	case "MMM":
		return monthNames[t.Month()-1][:3]
	case "MMMM":
		return monthNames[t.Month()-1]
	case "D":
		return strconv.Itoa(t.Day())
	case "DD":
		return pad(t.Day(), 2)
	case "Do":
		return ordinal(t.Day())
	case "DDD":
		return strconv.Itoa(t.YearDay())
	case "DDDD":
		return pad(t.YearDay(), 3)
	case "DDDo":
		return ordinal(t.YearDay())
	case "d", "e":
		return strconv.Itoa(int(t.Weekday()))
	case "do":
		return ordinal(int(t.Weekday()))
	case "dd":
		return dayNames[t.Weekday()][:2]
	case "ddd":
		return dayNames[t.Weekday()][:3]
	case "dddd":
		return dayNames[t.Weekday()]
	case "E":
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1)
	case "w", "ww", "wo", "gg", "gggg":
		week, year := localeWeek(t)
		return weekToken(tok, week, year)
	case "W", "WW", "Wo", "GG", "GGGG":
		year, week := t.ISOWeek()
		return weekToken(strings.ToLower(strings.ReplaceAll(tok, "G", "g")), week, year)
	case "H":
		return strconv.Itoa(t.Hour())
	case "HH":
		return pad(t.Hour(), 2)
	case "h", "hh":
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(h, len(tok))
	case "k", "kk":
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return pad(h, len(tok))
	case "m", "mm":
		return pad(t.Minute(), len(tok))
	case "s", "ss":
		return pad(t.Second(), len(tok))
	case "A", "a":
		m := "AM"
		if t.Hour() >= 12 {
			m = "PM"
		}
		if tok == "a" {
			return strings.ToLower(m)
		}
		return m
	case "Z", "ZZ":
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		sep := ":"
		if tok == "ZZ" {
			sep = ""
		}
		return sign + pad(off/3600, 2) + sep + pad(off%3600/60, 2)
	case "z", "zz":
		name, _ := t.Zone()
		return name
	case "x":
		return strconv.FormatInt(t.UnixMilli(), 10)
	case "X":
		return strconv.FormatInt(floorDiv(t.UnixMilli(), 1000), 10)
	}
	if tok[0] == 'S' { // fractional seconds, truncated
		ms := t.Nanosecond() / 1e6
		s := pad(ms, 3) + strings.Repeat("0", 6)
		return s[:len(tok)]
	}
	return tok
}

// weekToken renders a week (w, ww, wo) or week-year (gg, gggg) token.
func weekToken(tok string, week, year int) string {
	switch tok {
	case "w", "W":
		return strconv.Itoa(week)
	case "ww", "WW":
		return pad(week, 2)
	case "wo", "Wo":
		return ordinal(week)
	case "gg":
		return pad(year%100, 2)
	}
	return pad(year, 4)
}

// localeWeek is Moment's week of year in the en locale (weeks start on
// Sunday; the week containing January 1st is week 1).
func localeWeek(t time.Time) (week, year int) {
	const dow, doy = 0, 6
	year = t.Year()
	offset := firstWeekOffset(year, dow, doy)
	week = (t.YearDay()-offset-1)/7 + 1
	if t.YearDay()-offset-1 < 0 {
		week = 0 // floor for negatives
	}
	switch {
	case week < 1:
		year--
		week += weeksInYear(year, dow, doy)
	case week > weeksInYear(year, dow, doy):
		week -= weeksInYear(year, dow, doy)
		year++
	}
	return week, year
}

// firstWeekOffset is Moment's offset of the first week's start from
// January 1st.
func firstWeekOffset(year, dow, doy int) int {
	fwd := 7 + dow - doy
	wd := int(time.Date(year, 1, fwd, 0, 0, 0, 0, time.UTC).Weekday())
	fwdlw := (7 + wd - dow) % 7
	return -fwdlw + fwd - 1
}

// weeksInYear is the number of locale weeks in year.
func weeksInYear(year, dow, doy int) int {
	days := 365
	if time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366 {
		days = 366
	}
	return (days - firstWeekOffset(year, dow, doy) + firstWeekOffset(year+1, dow, doy)) / 7
}

// ordinal is the en locale ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st.
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// pad formats n with at least width digits.
func pad(n, width int) string {
	s := strconv.Itoa(abs(n))
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if n < 0 {
		return "-" + s
	}
	return s
}

// floorDiv is a / b rounded toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
