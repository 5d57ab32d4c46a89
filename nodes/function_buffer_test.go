package nodes_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
)

func TestFunctionNode_Buffer(t *testing.T) {
	tests := []struct {
		name, script string
		want         any // payload.r
	}{
		{"UTF8RoundTrip", `const b = Buffer.from('héllo ✓'); return {r: [b.length, b.toString(), b.toString('utf-8'), b[1], b[2]]}`,
			[]any{10.0, "héllo ✓", "héllo ✓", 195.0, 169.0}},
		{"Hex", `return {r: [Buffer.from('hi!').toString('hex'), Buffer.from('6869zz21', 'hex').toString(), Buffer.from('ABC', 'HEX').length]}`,
			[]any{"686921", "hi", 1.0}},
		{"Base64", `return {r: [Buffer.from('hello?').toString('base64'), Buffer.from('aGVsbG8/', 'base64').toString(),
			Buffer.from('aGVsbG8_', 'base64url').toString(), Buffer.from('aGV sbG8', 'base64').toString(), Buffer.from('hello?').toString('base64url')]}`,
			[]any{"aGVsbG8/", "hello?", "hello?", "hello", "aGVsbG8_"}},
		{"Latin1AndASCII", `return {r: [Buffer.from('é', 'latin1')[0], Buffer.from([0xe9]).toString('latin1'), Buffer.from([0xe9]).toString('ascii')]}`,
			[]any{233.0, "é", "i"}},
		{"UTF16LE", `const b = Buffer.from('a€', 'utf16le'); return {r: [Array.from(b), b.toString('ucs2')]}`,
			[]any{[]any{97.0, 0.0, 172.0, 32.0}, "a€"}},
		{"InvalidUTF8", `return {r: Buffer.from([0x61, 0xff, 0x62]).toString()}`, "a\uFFFDb"},
		{"ByteAccess", `const b = Buffer.alloc(3); b[0] = 0x41; b[1] = 300; b[2] = -1; return {r: [b.toString('hex'), b[1], b[5]]}`,
			[]any{"412cff", 44.0, js.Undefined{}}},
		{"FromArrayAndBuffer", `const a = Buffer.from([104, 105, 256 + 33]); const c = Buffer.from(a); c[0] = 72;
			return {r: [a.toString(), c.toString(), Buffer.from({type: 'Buffer', data: [111, 107]}).toString()]}`,
			[]any{"hi!", "Hi!", "ok"}},
		{"Concat", `const b = Buffer.concat([Buffer.from('ab'), new Uint8Array([99]), Buffer.from('de')]);
			return {r: [b.toString(), Buffer.concat([Buffer.from('abc')], 2).toString(), Buffer.concat([]).length, Buffer.isBuffer(b)]}`,
			[]any{"abcde", "ab", 0.0, true}},
		{"IsBuffer", `return {r: [Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x'), Buffer.isBuffer(null)]}`,
			[]any{true, false, false, false}},
		{"SliceSharesMemory", `const b = Buffer.from('hello'); const s = b.slice(1, 3); s[0] = 69;
			return {r: [b.toString(), s.toString(), Buffer.isBuffer(s), b.toString('utf8', 1, 4)]}`,
			[]any{"hEllo", "El", true, "Ell"}},
		{"EqualsCompareByteLength", `return {r: [Buffer.from('a').equals(Buffer.from('a')), Buffer.compare(Buffer.from('a'), Buffer.from('b')),
			Buffer.byteLength('✓'), Buffer.byteLength('00ff', 'hex'), Buffer.isEncoding('UTF8'), Buffer.isEncoding('nope')]}`,
			[]any{true, -1.0, 3.0, 2.0, true, false}},
		{"AllocFill", `return {r: [Buffer.alloc(5, 'ab').toString(), Buffer.alloc(2, 7).toString('hex'), Buffer.alloc(0).length]}`,
			[]any{"ababa", "0707", 0.0}},
		{"ToJSONInPayload", `return {r: Buffer.from('hi')}`, map[string]any{"type": "Buffer", "data": []any{104.0, 105.0}}},
		{"Stringify", `return {r: JSON.stringify({b: Buffer.from([1, 2])})}`, `{"b":{"type":"Buffer","data":[1,2]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPayload()
			if _, err := mustFunction(t, tc.script, "").Exec(t.Context(), &engine.Env{}, p); err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if diff := cmp.Diff(tc.want, p["r"]); diff != "" {
				t.Errorf("payload.r mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctionNode_BufferErrors(t *testing.T) {
	tests := []struct {
		name, script string
		wantName     string
		wantMessage  string
	}{
		{"UnknownEncoding", `Buffer.from('x', 'klingon')`, "FunctionNodeTypeError", "Unknown encoding: klingon"},
		{"UnknownDecoding", `Buffer.from('x').toString('nope')`, "FunctionNodeTypeError", "Unknown encoding: nope"},
		{"FromNumber", `Buffer.from(5)`, "FunctionNodeTypeError",
			"The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object"},
		{"ConcatNotArray", `Buffer.concat('ab')`, "FunctionNodeTypeError", `The "list" argument must be an instance of Array`},
		{"ConcatBadItem", `Buffer.concat([Buffer.from('a'), 'b'])`, "FunctionNodeTypeError", `The "list[1]" argument must be an instance of Buffer or Uint8Array`},
		{"AllocNegative", `Buffer.alloc(-1)`, "FunctionNodeRangeError", `The "size" argument must be a non-negative number`},
		{"AllocHuge", `Buffer.alloc(2 ** 31)`, "FunctionNodeRangeError", "Array buffer allocation failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustFunction(t, tc.script, "").Exec(t.Context(), &engine.Env{}, testPayload())
			var ne *engine.NodeError
			if !errors.As(err, &ne) {
				t.Fatalf("Exec error = %v, want a NodeError", err)
			}
			if ne.Name != tc.wantName || ne.Message != tc.wantMessage {
				t.Errorf("Exec error = %s: %s, want %s: %s", ne.Name, ne.Message, tc.wantName, tc.wantMessage)
			}
		})
	}
}
