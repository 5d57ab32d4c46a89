package nodes

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// momentAdd is Moment's add: calendar units are rounded to whole units and
// clamp the day to the target month; time units add exact durations.
func momentAdd(t time.Time, unit string, f float64) time.Time {
	switch unit {
	case "year", "quarter", "month":
		months := map[string]float64{"year": 12, "quarter": 3, "month": 1}[unit]
		return addMonths(t, int(absRound(f*months)))
	case "week":
		return t.AddDate(0, 0, int(absRound(f*7)))
	case "day", "dayOfYear", "dayOfWeek":
		return t.AddDate(0, 0, int(absRound(f)))
	}
	ms := map[string]float64{"hour": 36e5, "minute": 6e4, "second": 1e3, "millisecond": 1}[unit]
	return t.Add(time.Duration(math.Round(f*ms)) * time.Millisecond)
}

// momentSet is Moment's set(unit, value); day is the day of the month.
func momentSet(t time.Time, unit string, f float64) time.Time {
	v := int(f)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ns := t.Nanosecond()
	switch unit {
	case "year":
		return time.Date(v, mo, min(d, daysIn(v, mo)), h, mi, s, ns, t.Location())
	case "quarter":
		return addMonths(t, (v-1)*3-(int(mo)-1)/3*3)
	case "month":
		return addMonths(t, v-(int(mo)-1))
	case "week":
		return t.AddDate(0, 0, (v-momentGet(t, "week"))*7)
	case "dayOfYear":
		return t.AddDate(0, 0, v-t.YearDay())
	case "dayOfWeek":
		return t.AddDate(0, 0, v-int(t.Weekday()))
	case "day":
		d = v
	case "hour":
		h = v
	case "minute":
		mi = v
	case "second":
		s = v
	case "millisecond":
		ns = v * 1e6
	}
	return time.Date(y, mo, d, h, mi, s, ns, t.Location())
}

// momentGet is Moment's get(unit): months 0-based, week the en locale week.
func momentGet(t time.Time, unit string) int {
	switch unit {
	case "year":
		return t.Year()
	case "quarter":
		return (int(t.Month())-1)/3 + 1
	case "month":
		return int(t.Month()) - 1
	case "week":
		// en locale: weeks start on Sunday, week 1 holds January 1.
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if sat := day.AddDate(0, 0, 6-int(day.Weekday())); sat.Year() > day.Year() {
			return 1
		}
		jan1 := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		start := jan1.AddDate(0, 0, -int(jan1.Weekday()))
		return int(day.Sub(start).Hours()/24)/7 + 1
	case "dayOfYear":
		return t.YearDay()
	case "dayOfWeek":
		return int(t.Weekday())
	case "day":
		return t.Day()
	case "hour":
		return t.Hour()
	case "minute":
		return t.Minute()
	case "second":
		return t.Second()
	}
	return t.Nanosecond() / 1e6
}

// momentStartOf is Moment's startOf(unit) in t's zone; weeks start on Sunday.
func momentStartOf(t time.Time, unit string) time.Time {
	y, mo, d := t.Date()
	loc := t.Location()
	switch unit {
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	case "quarter":
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, loc)
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case "week":
		return time.Date(y, mo, d-int(t.Weekday()), 0, 0, 0, 0, loc)
	case "day", "dayOfYear", "dayOfWeek":
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case "hour":
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case "minute":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), 0, 0, loc)
	case "second":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), 0, loc)
	}
	return t.Truncate(time.Millisecond)
}

// momentDiff is Moment's a.diff(b, unit), truncated toward zero.
func momentDiff(a, b time.Time, unit string) float64 {
	var out float64
	switch unit {
	case "year", "quarter", "month":
		out = monthDiff(a, b) / map[string]float64{"year": 12, "quarter": 3, "month": 1}[unit]
	default:
		delta := float64(a.UnixMilli() - b.UnixMilli())
		_, ao := a.Zone()
		_, bo := b.Zone()
		zoneDelta := float64(bo-ao) * 1e3
		switch unit {
		case "week":
			out = (delta - zoneDelta) / 6048e5
		case "day", "dayOfYear", "dayOfWeek":
			out = (delta - zoneDelta) / 864e5
		case "hour":
			out = delta / 36e5
		case "minute":
			out = delta / 6e4
		case "second":
			out = delta / 1e3
		default:
			out = delta
		}
	}
	return math.Trunc(out) + 0 // + 0 turns -0 into 0
}

// monthDiff is Moment's fractional month difference a − b.
func monthDiff(a, b time.Time) float64 {
	if a.Day() < b.Day() {
		return -monthDiff(b, a)
	}
	whole := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	anchor := addMonths(a, whole)
	var adjust float64
	if b.Before(anchor) {
		prev := addMonths(a, whole-1)
		adjust = float64(b.Sub(anchor)) / float64(anchor.Sub(prev))
	} else {
		next := addMonths(a, whole+1)
		adjust = float64(b.Sub(anchor)) / float64(next.Sub(anchor))
	}
	return -(float64(whole) + adjust)
}

// addMonths adds whole months, clamping the day to the target month's end.
func addMonths(t time.Time, months int) time.Time {
	y, mo, d := t.Date()
	total := y*12 + int(mo) - 1 + months
	ny, nm := floorDivInt(total, 12), time.Month(total-floorDivInt(total, 12)*12+1)
	h, mi, s := t.Clock()
	return time.Date(ny, nm, min(d, daysIn(ny, nm)), h, mi, s, t.Nanosecond(), t.Location())
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// absRound rounds half away from zero, as Moment does for calendar units.
func absRound(f float64) float64 {
	if f < 0 {
		return -math.Round(-f)
	}
	return math.Round(f)
}

// parseMoment parses s with Moment format tokens (YYYY YY M MM MMM MMMM D DD
// Do DDD DDDD H HH h hh k kk m mm s ss S… A a Z ZZ x X); other characters
// and [bracketed] text must match loosely. Times without an offset are in
// loc.
func parseMoment(s, layout string, loc *time.Location) (time.Time, bool) {
	year, month, day, hour, minute, sec, ns := 1970, 1, 1, 0, 0, 0, 0
	pm, hasAMPM, offset, hasOffset := false, false, 0, false
	i := 0
	for j := 0; j < len(layout); {
		if layout[j] == '[' {
			if k := strings.IndexByte(layout[j:], ']'); k > 0 {
				lit := layout[j+1 : j+k]
				i += len(lit)
				j += k + 1
				continue
			}
		}
		tok := ""
		for _, cand := range momentParseTokens {
			if strings.HasPrefix(layout[j:], cand) {
				tok = cand
				break
			}
		}
		if tok == "" {
			if i < len(s) && !isDigit(s[i]) {
				i++
			}
			j++
			continue
		}
		j += len(tok)
		switch tok {
		case "MMMM", "MMM":
			m, n := matchMonth(s[i:])
			if m == 0 {
				return time.Time{}, false
			}
			month, i = m, i+n
			continue
		case "A", "a":
			if i+2 > len(s) {
				return time.Time{}, false
			}
			hasAMPM, pm = true, strings.EqualFold(s[i:i+2], "pm")
			i += 2
			continue
		case "Z", "ZZ":
			o, n, ok := parseOffset(s[i:])
			if !ok {
				return time.Time{}, false
			}
			offset, hasOffset, i = o, true, i+n
			continue
		}
		maxDigits := map[string]int{"YYYY": 4, "YY": 2, "x": 16, "X": 13, "DDD": 3, "DDDD": 3}[tok]
		if maxDigits == 0 {
			maxDigits = 2
		}
		if tok[0] == 'S' {
			maxDigits = 9
		}
		neg := (tok == "x" || tok == "X") && i < len(s) && s[i] == '-'
		if neg {
			i++
		}
		start := i
		for i < len(s) && i-start < maxDigits && isDigit(s[i]) {
			i++
		}
		if i == start {
			return time.Time{}, false
		}
		v, _ := strconv.Atoi(s[start:i])
		if neg {
			v = -v
		}
		if tok == "Do" { // skip the ordinal suffix
			i = min(i+2, len(s))
		}
		switch tok {
		case "YYYY":
			year = v
		case "YY":
			year = 1900 + v
			if v <= 68 {
				year = 2000 + v
			}
		case "M", "MM":
			month = v
		case "D", "DD", "Do":
			day = v
		case "DDD", "DDDD":
			month, day = 1, v
		case "H", "HH", "h", "hh", "k", "kk":
			hour = v % 24
		case "m", "mm":
			minute = v
		case "s", "ss":
			sec = v
		case "x":
			return time.UnixMilli(int64(v)), true
		case "X":
			return time.Unix(int64(v), 0), true
		default: // S…: fraction of a second
			ns = v * int(math.Pow10(9-(i-start)))
		}
	}
	if hasAMPM {
		if pm && hour < 12 {
			hour += 12
		} else if !pm && hour == 12 {
			hour = 0
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 366 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if hasOffset {
		loc = time.FixedZone("", offset)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ns, loc), true
}

var momentParseTokens = []string{"MMMM", "YYYY", "DDDD", "SSS", "MMM", "DDD", "YY", "MM", "DD", "Do", "HH", "hh", "kk",
	"mm", "ss", "SS", "ZZ", "M", "D", "H", "h", "k", "m", "s", "S", "A", "a", "Z", "x", "X"}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// matchMonth matches an English month name or its three-letter abbreviation.
func matchMonth(s string) (month, n int) {
	names := []string{"january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december"}
	low := strings.ToLower(s)
	for i, name := range names {
		if strings.HasPrefix(low, name) {
			return i + 1, len(name)
		}
	}
	for i, name := range names {
		if strings.HasPrefix(low, name[:3]) {
			return i + 1, 3
		}
	}
	return 0, 0
}

// parseOffset reads Z, ±HH:mm or ±HHmm and returns the offset in seconds.
func parseOffset(s string) (sec, n int, ok bool) {
	if strings.HasPrefix(s, "Z") {
		return 0, 1, true
	}
	if len(s) < 5 || (s[0] != '+' && s[0] != '-') {
		return 0, 0, false
	}
	rest := strings.Replace(s[1:min(len(s), 6)], ":", "", 1)
	if len(rest) < 4 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(rest[:2])
	m, err2 := strconv.Atoi(rest[2:4])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	n = 5
	if s[3] == ':' {
		n = 6
	}
	sec = h*3600 + m*60
	if s[0] == '-' {
		sec = -sec
	}
	return sec, n, true
}
