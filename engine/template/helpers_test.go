package template_test

import (
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/engine/template"
)

// helperCases cover every implemented helper as rendered text.
var helperCases = []renderCase{
	// math
	{"add", "{{add 1 '2'}}", "3"},
	{"add NaN", "{{add data.name 1}}", "NaN"},
	{"add null", "{{add data.null 1}}", "1"},
	{"subtract", "{{subtract 5 2}}", "3"},
	{"multiply", "{{multiply 2 '3'}}", "6"},
	{"divide", "{{divide 0.3 0.1}}", "2.9999999999999996"},
	{"divide by zero", "{{divide 1 0}}", "Infinity"},
	{"ceil", "{{ceil 1.2}}", "2"},
	{"floor", "{{floor -1.2}}", "-2"},
	{"max", "{{max 1 5 3}}", "5"},
	{"min", "{{min 1 5}}", "1"},
	{"max NaN", "{{max 1 data.name}}", "NaN"},
	{"scaleLinear", "{{scaleLinear 0 10 0 100 5}}", "50"},
	{"scaleLinear no clamp", "{{scaleLinear 0 10 32 212 20}}", "392"},
	// strings
	{"upper", "{{upper data.s}}", "HELLO WORLD"},
	{"lower", "{{lower data.s}}", "hello world"},
	{"lower missing", "[{{lower data.nope}}]", "[]"},
	{"titleCase", "{{titleCase 'hello wORLD  again'}}", "Hello WORLD  Again"},
	{"trim", "[{{trim '  x y \t'}}]", "[x y]"},
	{"substring", "{{substring data.s 0 5}}|{{substring data.s 6}}|{{substring data.s 5 0}}|{{substring data.s -3 2}}", "Hello|World|Hello|He"},
	{"length", "{{length data.nums}} {{length data.obj}} {{length data.s}} [{{length data.n}}]", "3 2 11 []"},
	{"join", "{{join data.nums '-'}} {{join data.nums}}", "1-2-3 1,2,3"},
	{"defaultTo", "{{defaultTo data.nope 'd'}} {{defaultTo data.null 'd'}} {{defaultTo data.empty 'd'}} {{defaultTo data.zero 'd'}} {{defaultTo data.nan 'd'}}", "d d d 0 d"},
	{"typeof", "{{typeof data.s}} {{typeof data.n}} {{typeof data.t}} {{typeof data.null}} {{typeof data.nope}} {{typeof data.nums}} {{typeof time}} {{typeof data.obj}}",
		"string number boolean null undefined array date object"},
	{"or", "{{or data.f data.empty 'x'}} {{or data.n 'x'}}", "x 42"},
	// encoding
	{"encodeURI", "{{{encodeURI 'http://x.com/a b?q=1&r=é#f'}}}", "http://x.com/a%20b?q=1&r=%C3%A9#f"},
	{"encodeURIComponent", "{{encodeURIComponent 'a b&c=d/é(x)'}}", "a%20b%26c%3Dd%2F%C3%A9(x)"},
	{"decodeURIComponent", "{{{decodeURIComponent 'a%20b%26c%C3%A9'}}}", "a b&cé"},
	{"decodeURI keeps reserved", "{{{decodeURI 'a%20b%26c'}}}", "a b%26c"},
	{"encodeBase64", "{{encodeBase64 'hello'}}", "aGVsbG8&#x3D;"},
	{"decodeBase64", "{{decodeBase64 'aGVsbG8='}} {{decodeBase64 'aGVsbG8'}}", "hello hello"},
	{"queryStringEncode", "{{{queryStringEncode (obj b='x y' a=1 c=(array 1 2) d=null)}}}", "a=1&b=x%20y&c=1&c=2&d="},
	{"queryStringEncode escaped", "{{queryStringEncode (obj a=1 b=2)}}", "a&#x3D;1&amp;b&#x3D;2"},
	{"jsonEncode array", "{{jsonEncode data.nums}}", "[1,2,3]"},
	{"jsonEncode spacer", "{{jsonEncode (obj a=1 b=(array 1)) 2}}", "{\n  \"a\": 1,\n  \"b\": [\n    1\n  ]\n}"},
	{"jsonEncode undefined", "[{{jsonEncode data.nope}}]", "[]"},
	{"jsonEncode holes", "{{jsonEncode (array 1 undefined data.nan)}}", "[1,null,null]"},
	{"jsonEncode skips undefined keys", "{{jsonEncode (obj a=undefined b=null)}}", `{"b":null}`},
	{"jsonEncode escapes", `{{jsonEncode "a\"b<"}}`, `"a\"b<"`},
	{"jsonDecode", `{{lookup (jsonDecode '{"a":5}') 'a'}}`, "5"},
	// collections
	{"obj", "{{jsonEncode (obj a=1 b='x')}}", `{"a":1,"b":"x"}`},
	{"array", "{{jsonEncode (array 1 'x' true null)}}", `[1,"x",true,null]`},
	{"merge", "{{jsonEncode (merge data.obj (obj a=9 c=3))}}", `{"a":9,"b":2,"c":3}`},
	{"lookup array", "{{lookup data.nums 2}}", "3"},
	{"lookup missing", "[{{lookup data.nope 'x'}}]", "[]"},
	{"last", "{{last data.nums}} {{last data.s}} [{{last data.none}}]", "3 d []"},
	{"indexByKey", "{{indexByKey data.kv 'hum' 'key'}} {{indexByKey data.kv 'x' 'key'}}", "1 -1"},
	{"valueByKey", "{{valueByKey data.kv 'temp'}} {{valueByKey data.kv 'hum' 'key' 'value'}} [{{valueByKey data.kv 'x'}}]", "21.5 40 []"},
	// gps
	{"gpsDistance", "{{floor (gpsDistance '0,0' '0,1')}}", "111194"},
	{"gpsDistance same", "{{gpsDistance '44.97, -93.26' '44.97,-93.26'}}", "0"},
	{"gpsDistance DMS and NMEA", `{{floor (gpsDistance '48°7\'2.28"N 11°31\'0"E' '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47')}}`, "0"},
	{"formatGps", "{{formatGps '37.33233141, -122.0312186'}}", "37.33233141,-122.0312186"},
	{"formatGps decimal digits", "{{formatGps '37.33233141,-122.0312186' 'decimal' 4}}", "37.3323,-122.0312"},
	{"formatGps DMS to decimal", `{{formatGps '37°19\'56.39"N,122°1\'52.38"W' 'decimal' 5}}`, "37.33233,-122.03122"},
	{"formatGps NMEA", "{{formatGps '$GPGLL,3719.940,N,12201.873,W,225444,A,*1C' 'decimal' 3}}", "37.332,-122.031"},
	{"formatGps array and object", "{{formatGps (array 1 2)}} {{formatGps (obj lat=-1.5 lng=2)}}", "1,2 -1.5,2"},
	{"formatGps dms", "{{formatGps '37.33233141,-122.0312186' 'dms'}}", `37°19&#x27;56.39&quot;N,122°1&#x27;52.39&quot;W`},
	{"formatGps dms carries", "{{{formatGps '0.9999999,-0.5' 'dms' 1}}}", `1°0'0.0"N,0°30'0.0"W`},
	{"formatGps not a point", "[{{formatGps 'nowhere'}}][{{formatGps data.none}}][{{formatGps '91,0'}}]{{#if (formatGps 'x')}}yes{{else}}no{{/if}}", "[][][]no"},
}

// formatCases cover format, formatDate, formatDateRelative.
var formatCases = []renderCase{
	{"format spec", "{{format 1234.56789 ',.5'}}", "1,234.6"},
	{"format default", "{{format 1234.56789}}", "1,234.57"},
	{"format default large", "{{format 1234567}}", "1.23457e+6"},
	{"format .2f", "{{format 3.14159 '.2f'}}", "3.14"},
	{"format 0.2f", "{{format 3.14159 '0.2f'}}", "3.14"},
	{"format ,.2f", "{{format 1234567.891 ',.2f'}}", "1,234,567.89"},
	{"format percent", "{{format 0.123 '.1%'}}", "12.3%"},
	{"format currency", "{{format 1234.5 '$,.2f'}}", "$1,234.50"},
	{"format d", "{{format 42.5 'd'}}", "43"},
	{"format e", "{{format 12345 'e'}}", "1.234500e+4"},
	{"format .2e", "{{format 0.000123 '.2e'}}", "1.23e-4"},
	{"format s", "{{format 1500 's'}}", "1.50000k"},
	{"format .2s", "{{format 1500 '.2s'}}", "1.5k"},
	{"format .3s micro", "{{format 0.0000123 '.3s'}}", "12.3µ"},
	{"format r", "{{format 0.000123 'r'}}", "0.000123000"},
	{"format .2r", "{{format 1234 '.2r'}}", "1200"},
	{"format g", "{{format 1234.5 '.3g'}}", "1.23e+3"},
	{"format tie rounds up", "{{format 0.5 '.0f'}} {{format 2.5 '.0f'}} {{format 1.005 '.2f'}}", "1 3 1.00"},
	{"format negative zero", "{{format -0.0001 '.2f'}}", "0.00"},
	{"format negative", "{{format -1234.5 ',.1f'}}", "-1,234.5"},
	{"format zero pad", "{{format 1234 '08.1f'}}", "001234.0"},
	{"format width align", "[{{format 42 '<6d'}}] [{{format 42 '^6d'}}] [{{format 42 '6d'}}]", "[42    ] [  42  ] [    42]"},
	{"format zero comma", "{{format 1234 '010,d'}}", "00,001,234"},
	{"format sign", "{{format 42 '+d'}} {{format -42 '(d'}}", "+42 (42)"},
	{"format hex", "{{format 255 'x'}} {{format 255 '#x'}} {{format 5 'b'}}", "ff 0xff 101"},
	{"format trim", "{{format 1.5 '.3~f'}}", "1.5"},
	{"format string", "{{format 'abc'}}", "abc"},
	{"format object", "{{{format data.obj}}}", `{"a":1,"b":2}`},
	{"format date", "{{format time 'YYYY'}} {{format time}}", "2016 02/19/2016 10:26:00 PM"},
	{"formatDate x", "{{formatDate time 'x'}}", "1455920760000"},
	{"formatDate X", "{{formatDate time 'X'}}", "1455920760"},
	{"formatDate layout", "{{formatDate time 'YYYY-MM-DD HH:mm:ss'}}", "2016-02-19 22:26:00"},
	{"formatDate tz", "{{formatDate time 'YYYY-MM-DD HH:mm:ss Z ZZ z' tz='America/Chicago'}}", "2016-02-19 16:26:00 -06:00 -0600 CST"},
	{"formatDate default", "{{formatDate time}}", "02/19/2016 10:26:00 PM"},
	{"formatDate epoch ms", "{{formatDate 0 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}", "1970-01-01T00:00:00.000Z"},
	{"formatDate ISO string", "{{formatDate '2016-02-19T16:26:00.123-06:00' 'x SSS'}}", "1455920760123 123"},
	{"formatDate date only", "{{formatDate '2016-02-19' 'X'}}", "1455840000"},
	{"formatDate numeric string", "{{formatDate '1455920760000' 'YYYY'}}", "2016"},
	{"formatDate names", "{{formatDate time 'dddd, MMMM Do YYYY, h:mm:ss a'}}", "Friday, February 19th 2016, 10:26:00 pm"},
	{"formatDate short names", "{{formatDate time 'ddd MMM D YY dd'}}", "Fri Feb 19 16 Fr"},
	{"formatDate 12h", "{{formatDate time 'M/D H h hh A k'}}", "2/19 22 10 10 PM 22"},
	{"formatDate literal", "{{formatDate time '[Today is] dddd'}}", "Today is Friday"},
	{"formatDate locale", "{{formatDate time 'LT|LTS|L|LL|LLL|LLLL|l|ll'}}",
		"10:26 PM|10:26:00 PM|02/19/2016|February 19, 2016|February 19, 2016 10:26 PM|Friday, February 19, 2016 10:26 PM|2/19/2016|Feb 19, 2016"},
	{"formatDate weeks", "{{formatDate time 'Q DDD DDDD w ww W E e Do gggg GGGG'}}", "1 50 050 8 08 7 5 5 19th 2016 2016"},
	{"formatDate week year", "{{formatDate '2016-01-01' 'w gggg W GGGG'}}", "1 2016 53 2015"},
	{"formatDate invalid", "{{formatDate 'garbage' 'x'}} {{formatDate data.nope}}", "Invalid date Invalid date"},
	{"formatDateRelative past", "{{formatDateRelative '2016-02-19T22:21:00Z' time}}", "5 minutes ago"},
	{"formatDateRelative future", "{{formatDateRelative '2016-02-20T00:26:00Z' time}}", "in 2 hours"},
	{"formatDateRelative seconds", "{{formatDateRelative time time}}", "a few seconds ago"},
	{"formatDateRelative days", "{{formatDateRelative '2016-02-09T22:26:00Z' time}}", "10 days ago"},
	{"formatDateRelative years", "{{formatDateRelative '2014-02-19T22:26:00Z' time}}", "2 years ago"},
}

func TestHelpers(t *testing.T) {
	for _, tc := range helperCases {
		t.Run(tc.name, func(t *testing.T) {
			got := mustRender(t, tc.src, payload())
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.src, got, tc.want)
			}
		})
	}
}

func TestFormatHelpers(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			got := mustRender(t, tc.src, payload())
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.src, got, tc.want)
			}
		})
	}
}

func TestCurrentDateTime(t *testing.T) {
	fixed := time.Date(2024, 3, 10, 7, 8, 9, 10e6, time.UTC)
	restore := template.SetNow(func() time.Time { return fixed })
	defer restore()
	tests := []renderCase{
		{"x", "{{currentDateTime 'x'}}", "1710054489010"},
		{"X", "{{currentDateTime 'X'}}", "1710054489"},
		{"default", "{{currentDateTime}}", "03/10/2024 7:08:09 AM"},
		{"tz", "{{currentDateTime 'YYYY-MM-DD HH:mm' tz='Asia/Tokyo'}}", "2024-03-10 16:08"},
		{"relative default now", "{{formatDateRelative '2024-03-10T07:07:09Z'}}", "a minute ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustRender(t, tc.src, payload())
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.src, got, tc.want)
			}
		})
	}
}

func TestHelperErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"bad regexp", "{{#match data.s '(?=x)'}}y{{/match}}", "invalid regular expression"},
		{"bad URI", "{{decodeURIComponent '%E0%A4%A'}}", "URIError"},
		{"bad JSON", "{{jsonDecode '{bad'}}", "not valid JSON"},
		{"bad zone", "{{formatDate time 'x' tz='Mars/Base'}}", "unknown time zone"},
		{"bad number format", "{{format 1 'zz'}}", "invalid number format"},
		{"bad GPS", "{{gpsDistance 'x' '0,0'}}", "invalid GPS point"},
		{"GPS out of range", "{{gpsDistance '91,0' '0,0'}}", "out of range"},
		{"formatGps unknown format", "{{formatGps '1,2' 'utm'}}", "unknown format"},
		{"formatGps bad decimals", "{{formatGps '1,2' 'decimal' -1}}", "decimals"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := template.Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.src, err)
			}
			_, err = tpl.Render(payload())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Render(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
			}
		})
	}
}
