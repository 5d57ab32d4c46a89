package nodes

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// bufferSource defines Buffer, a subset of Node's: a Uint8Array subclass
// with from, alloc, concat, isBuffer, isEncoding, byteLength and compare;
// and toString, toJSON, equals, compare and a slice that shares memory, as
// Node's does. Text is converted by the native encode and decode functions
// (utf8, hex, base64, base64url, latin1/binary, ascii, utf16le/ucs2).
const bufferSource = `(function (global, encode, decode, isEncoding) {
'use strict';
var U8 = global.Uint8Array, ArrayBuffer_ = global.ArrayBuffer, isArray = Array.isArray, TypeError_ = TypeError;
var RangeError_ = RangeError, defineProperty = Object.defineProperty;
function enc(e) { return e === undefined || e === null ? 'utf8' : e; }
function clamp(v, len, def) {
	if (v === undefined) return def;
	v = Math.trunc(+v) || 0;
	return v < 0 ? 0 : v > len ? len : v;
}
class Buffer extends U8 {
	static from(value, encodingOrOffset, length) {
		if (typeof value === 'string') return new Buffer(encode(value, enc(encodingOrOffset)));
		if (value instanceof ArrayBuffer_) return new Buffer(value, encodingOrOffset || 0, length === undefined ? value.byteLength - (encodingOrOffset || 0) : length);
		if (value !== null && typeof value === 'object') {
			if (value.type === 'Buffer' && isArray(value.data)) return new Buffer(value.data);
			if (ArrayBuffer_.isView(value) || isArray(value) || typeof value.length === 'number') {
				var b = new Buffer(Math.trunc(+value.length) || 0);
				for (var i = 0; i < b.length; i++) b[i] = value[i] & 255;
				return b;
			}
		}
		throw new TypeError_('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object');
	}
	static alloc(size, fill, encoding) {
		if (typeof size !== 'number' || !(size >= 0)) throw new RangeError_('The "size" argument must be a non-negative number');
		var b = new Buffer(size);
		if (fill !== undefined && fill !== 0) b.fill(fill, 0, b.length, encoding);
		return b;
	}
	static allocUnsafe(size) { return Buffer.alloc(size); }
	static isBuffer(v) { return v instanceof Buffer; }
	static isEncoding(e) { return typeof e === 'string' && isEncoding(e); }
	static byteLength(v, encoding) {
		if (typeof v === 'string') return encode(v, enc(encoding)).byteLength;
		if (v instanceof ArrayBuffer_ || ArrayBuffer_.isView(v)) return v.byteLength;
		throw new TypeError_('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer');
	}
	static concat(list, totalLength) {
		if (!isArray(list)) throw new TypeError_('The "list" argument must be an instance of Array');
		var total = 0, i;
		for (i = 0; i < list.length; i++) {
			if (!(list[i] instanceof U8)) throw new TypeError_('The "list[' + i + ']" argument must be an instance of Buffer or Uint8Array');
			total += list[i].length;
		}
		if (totalLength !== undefined) total = Math.trunc(+totalLength) || 0;
		var out = Buffer.alloc(total), pos = 0;
		for (i = 0; i < list.length && pos < total; i++) {
			var part = list[i].length > total - pos ? list[i].subarray(0, total - pos) : list[i];
			out.set(part, pos);
			pos += part.length;
		}
		return out;
	}
	static compare(a, b) {
		if (!(a instanceof U8) || !(b instanceof U8)) throw new TypeError_('The arguments must be instances of Buffer or Uint8Array');
		for (var i = 0; i < a.length && i < b.length; i++) {
			if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
		}
		return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
	}
	toString(encoding, start, end) {
		var s = clamp(start, this.length, 0), e = clamp(end, this.length, this.length);
		return decode(U8.prototype.subarray.call(this, s, e < s ? s : e), enc(encoding));
	}
	toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
	equals(other) { return Buffer.compare(this, other) === 0; }
	compare(other) { return Buffer.compare(this, other); }
	slice(start, end) { return this.subarray(start, end); }
	fill(value, offset, end, encoding) {
		if (typeof offset === 'string') { encoding = offset; offset = undefined; end = undefined; }
		if (typeof value !== 'string') return U8.prototype.fill.call(this, value, offset, end);
		var bytes = new U8(encode(value, enc(encoding)));
		var s = clamp(offset, this.length, 0), e = clamp(end, this.length, this.length);
		if (bytes.length === 0) return U8.prototype.fill.call(this, 0, s, e);
		for (var i = s; i < e; i++) this[i] = bytes[(i - s) % bytes.length];
		return this;
	}
}
defineProperty(global, 'Buffer', { value: Buffer, writable: true, enumerable: false, configurable: true });
})`

// bufferProgram is bufferSource compiled once.
var bufferProgram = goja.MustCompile("buffer", bufferSource, true)

// installBuffer defines the global Buffer in vm.
func installBuffer(vm *goja.Runtime) error {
	define, err := vm.RunProgram(bufferProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(define)
	_, err = fn(goja.Undefined(), vm.GlobalObject(),
		vm.ToValue(func(c goja.FunctionCall) goja.Value { return bufferEncode(vm, c) }),
		vm.ToValue(func(c goja.FunctionCall) goja.Value { return bufferDecode(vm, c) }),
		vm.ToValue(func(c goja.FunctionCall) goja.Value {
			_, ok := bufferEncoding(c.Argument(0).String())
			return vm.ToValue(ok)
		}))
	return err
}

// bufferEncoding normalises an encoding name; ok is false for unknown ones.
func bufferEncoding(name string) (string, bool) {
	switch n := strings.ToLower(name); n {
	case "utf8", "utf-8":
		return "utf8", true
	case "hex", "base64", "base64url", "ascii":
		return n, true
	case "latin1", "binary":
		return "latin1", true
	case "utf16le", "utf-16le", "ucs2", "ucs-2":
		return "utf16le", true
	}
	return "", false
}

// mustBufferEncoding is bufferEncoding that throws a TypeError for an
// unknown name.
func mustBufferEncoding(vm *goja.Runtime, v goja.Value) string {
	name := v.String()
	e, ok := bufferEncoding(name)
	if !ok {
		panic(vm.NewTypeError("Unknown encoding: %s", name))
	}
	return e
}

// bufferEncode is encode(string, encoding): the string's bytes as an
// ArrayBuffer.
func bufferEncode(vm *goja.Runtime, c goja.FunctionCall) goja.Value {
	s := c.Argument(0)
	e := mustBufferEncoding(vm, c.Argument(1))
	var b []byte
	switch e {
	case "utf8":
		b = []byte(s.String()) // lone surrogates became U+FFFD, as in Node
	case "hex":
		b = decodeHexLenient(s.String())
	case "base64", "base64url":
		b = decodeBase64Lenient(s.String())
	case "latin1", "ascii":
		units := jsUnits(s)
		b = make([]byte, len(units))
		for i, u := range units {
			b[i] = byte(u)
		}
	case "utf16le":
		units := jsUnits(s)
		b = make([]byte, 2*len(units))
		for i, u := range units {
			b[2*i], b[2*i+1] = byte(u), byte(u>>8)
		}
	}
	if len(b) > maxScriptBuffer {
		panic(bufferRangeError(vm, "Array buffer allocation failed"))
	}
	return vm.ToValue(vm.NewArrayBuffer(b))
}

// bufferDecode is decode(uint8Array, encoding): the bytes as a string.
func bufferDecode(vm *goja.Runtime, c goja.FunctionCall) goja.Value {
	b, _ := c.Argument(0).Export().([]byte)
	switch mustBufferEncoding(vm, c.Argument(1)) {
	case "hex":
		return vm.ToValue(hex.EncodeToString(b))
	case "base64":
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	case "base64url":
		return vm.ToValue(base64.RawURLEncoding.EncodeToString(b))
	case "latin1":
		return unitsString(len(b), func(i int) uint16 { return uint16(b[i]) })
	case "ascii":
		return unitsString(len(b), func(i int) uint16 { return uint16(b[i] & 0x7f) })
	case "utf16le":
		return unitsString(len(b)/2, func(i int) uint16 { return uint16(b[2*i]) | uint16(b[2*i+1])<<8 })
	}
	return vm.ToValue(decodeUTF8(b))
}

// bufferRangeError returns a RangeError to throw.
func bufferRangeError(vm *goja.Runtime, msg string) *goja.Object {
	o, err := vm.New(vm.Get("RangeError"), vm.ToValue(msg))
	if err != nil {
		return vm.NewTypeError(msg)
	}
	return o
}

// jsUnits returns the UTF-16 code units of a script string, lone
// surrogates included.
func jsUnits(v goja.Value) []uint16 {
	s, ok := v.ToString().(goja.String)
	if !ok {
		return utf16.Encode([]rune(v.String()))
	}
	out := make([]uint16, s.Length())
	for i := range out {
		out[i] = s.CharAt(i)
	}
	return out
}

// unitsString builds a script string from n UTF-16 code units.
func unitsString(n int, unit func(i int) uint16) goja.Value {
	units := make([]uint16, n)
	for i := range units {
		units[i] = unit(i)
	}
	return goja.StringFromUTF16(units)
}

// decodeUTF8 decodes b, each invalid byte becoming U+FFFD.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		sb.WriteRune(r)
		b = b[size:]
	}
	return sb.String()
}

// decodeHexLenient decodes hex digit pairs up to the first pair that is not
// one, as Node does.
func decodeHexLenient(s string) []byte {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		b, err := hex.DecodeString(s[i : i+2])
		if err != nil {
			break
		}
		out = append(out, b[0])
	}
	return out
}

// decodeBase64Lenient decodes standard or URL-safe base64, skipping
// characters outside the alphabet and stopping at padding, as Node does.
func decodeBase64Lenient(s string) []byte {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			i = len(s)
		case c == '-':
			sb.WriteByte('+')
		case c == '_':
			sb.WriteByte('/')
		case c == '+' || c == '/' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			sb.WriteByte(c)
		}
	}
	clean := sb.String()
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	b, _ := base64.RawStdEncoding.DecodeString(clean)
	return b
}

// exportJSON converts an object with a toJSON method (a Buffer, for one)
// the way JSON.stringify would; ok is false for objects without one.
func (e *exporter) exportJSON(o *goja.Object, depth int) (out any, keep, ok bool, err error) {
	fn, isFn := goja.AssertFunction(o.Get("toJSON"))
	if !isFn {
		return nil, false, false, nil
	}
	v, err := fn(o)
	if err != nil {
		return nil, false, true, err
	}
	out, keep, err = e.value(v, depth+1)
	return out, keep, true, err
}
