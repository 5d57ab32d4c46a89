package template

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/weirhq/weir/engine/js"
)

func init() {
	register(map[string]func(a args) (any, error){
		"encodeURI":          encoder(uriReserved + uriUnescaped),
		"encodeURIComponent": encoder(uriUnescaped),
		"decodeURI":          decoder(uriReserved + "#"),
		"decodeURIComponent": decoder(""),
		"encodeBase64": func(a args) (any, error) {
			return base64.StdEncoding.EncodeToString([]byte(toText(a.at(0)))), nil
		},
		"decodeBase64":      helperDecodeBase64,
		"queryStringEncode": helperQueryStringEncode,
		"jsonEncode":        helperJSONEncode,
		"jsonDecode":        helperJSONDecode,
	})
}

const (
	// uriUnescaped are the characters encodeURIComponent leaves alone.
	uriUnescaped = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
	// uriReserved are the extra characters encodeURI leaves alone.
	uriReserved = ";/?:@&=+$,#"
	// qsUnescaped are the characters Node's querystring.escape leaves alone.
	qsUnescaped = uriUnescaped
)

// encoder builds encodeURI / encodeURIComponent: UTF-8 percent-encoding of
// every byte outside keep.
func encoder(keep string) func(a args) (any, error) {
	return func(a args) (any, error) {
		return percentEncode(toText(a.at(0)), keep), nil
	}
}

// percentEncode percent-encodes the UTF-8 bytes of s outside keep.
func percentEncode(s, keep string) string {
	const hex = "0123456789ABCDEF"
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// errURI is JavaScript's URIError for malformed escapes.
var errURI = errors.New("URIError: URI malformed")

// decoder builds decodeURI / decodeURIComponent: escapes of characters in
// reserved are kept as written.
func decoder(reserved string) func(a args) (any, error) {
	return func(a args) (any, error) {
		s := toText(a.at(0))
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] != '%' {
				b.WriteByte(s[i])
				continue
			}
			c, ok := unhex2(s, i+1)
			if !ok {
				return nil, errURI
			}
			if c < utf8.RuneSelf {
				if strings.IndexByte(reserved, c) >= 0 {
					b.WriteString(s[i : i+3])
				} else {
					b.WriteByte(c)
				}
				i += 2
				continue
			}
			// A multi-byte sequence: collect its continuation escapes.
			n := utf8Len(c)
			buf := []byte{c}
			for k := 1; k < n; k++ {
				j := i + 3*k
				if j >= len(s) || s[j] != '%' {
					return nil, errURI
				}
				cc, ok := unhex2(s, j+1)
				if !ok {
					return nil, errURI
				}
				buf = append(buf, cc)
			}
			if n == 0 || !utf8.Valid(buf) {
				return nil, errURI
			}
			b.Write(buf)
			i += 3*n - 1
		}
		return b.String(), nil
	}
}

// utf8Len is the sequence length announced by a UTF-8 lead byte, or 0.
func utf8Len(c byte) int {
	switch {
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// unhex2 decodes the two hex digits at s[i:].
func unhex2(s string, i int) (byte, bool) {
	if i+2 > len(s) {
		return 0, false
	}
	h, ok1 := unhex(s[i])
	l, ok2 := unhex(s[i+1])
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// helperDecodeBase64 decodes like Node's Buffer.from(s, "base64"): it
// accepts the URL-safe alphabet and missing padding, and ignores other
// characters. Invalid UTF-8 in the result becomes U+FFFD.
func helperDecodeBase64(a args) (any, error) {
	s := toText(a.at(0))
	var clean []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		case c == '=':
			i = len(s) // padding ends the data
		case c == '+' || c == '/' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		return nil, err
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

// helperQueryStringEncode is Node's querystring.stringify on an object:
// keys in sorted order, arrays repeat their key, and values other than
// strings, finite numbers and booleans encode as empty.
func helperQueryStringEncode(a args) (any, error) {
	obj, ok := a.at(0).(map[string]any)
	if !ok {
		return "", nil
	}
	var parts []string
	for _, k := range sortedKeys(obj) {
		ek := percentEncode(k, qsUnescaped) + "="
		if arr, ok := obj[k].([]any); ok {
			for _, e := range arr {
				parts = append(parts, ek+percentEncode(qsPrimitive(e), qsUnescaped))
			}
			continue
		}
		parts = append(parts, ek+percentEncode(qsPrimitive(obj[k]), qsUnescaped))
	}
	return strings.Join(parts, "&"), nil
}

// qsPrimitive is Node's querystring stringifyPrimitive.
func qsPrimitive(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return js.ToString(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return js.FormatNumber(x)
	}
	return ""
}

// helperJSONEncode is JSON.stringify(v, null, spacer) returned as a
// SafeString; undefined (and functions) encode as "".
func helperJSONEncode(a args) (any, error) {
	s, ok := jsonStringify(a.at(0), jsonIndent(a.at(1)))
	if !ok {
		return safeString(""), nil
	}
	return safeString(s), nil
}

// jsonIndent is the gap JSON.stringify derives from its space argument.
func jsonIndent(v any) string {
	switch x := v.(type) {
	case float64:
		if !(x >= 1) {
			return ""
		}
		return strings.Repeat(" ", int(min(10, x)))
	case string:
		if len(x) > 10 {
			return x[:10]
		}
		return x
	}
	return ""
}

// helperJSONDecode is JSON.parse(String(v)); null and undefined pass
// through unchanged, invalid JSON is an error.
func helperJSONDecode(a args) (any, error) {
	switch v := a.at(0).(type) {
	case nil, js.Undefined:
		return v, nil
	}
	v, err := parseJSON(js.ToString(a.at(0)))
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: rendered text is "))
	}
	return v, nil
}
