// The tagged form of values in which the Go tests and Node scripts exchange
// what JSON cannot carry: {"t": type, "v": value}. See nodejs.go's Tag.

// dec turns a tagged value into a JavaScript value.
export function dec(x) {
  switch (x.t) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'boolean': case 'string': return x.v;
    case 'number': return Number(x.v);
    case 'date': return new Date(Number(x.v));
    case 'array': return x.v.map(dec);
    case 'object': return Object.fromEntries(Object.entries(x.v).map(([k, v]) => [k, dec(v)]));
  }
  throw new Error('unknown tag ' + x.t);
}

// enc tags a JavaScript value; object keys are sorted.
export function enc(v) {
  if (v === undefined) return { t: 'undefined' };
  if (v === null) return { t: 'null' };
  switch (typeof v) {
    case 'number': return { t: 'number', v: Object.is(v, -0) ? '-0' : String(v) };
    case 'string': return { t: 'string', v };
    case 'boolean': return { t: 'boolean', v };
  }
  if (v instanceof Date) return { t: 'date', v: String(v.getTime()) };
  if (Array.isArray(v)) return { t: 'array', v: v.map(enc) };
  return { t: 'object', v: Object.fromEntries(Object.keys(v).sort().map((k) => [k, enc(v[k])])) };
}

// readStdin returns the standard input parsed as JSON.
export async function readStdin() {
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) input += chunk;
  return JSON.parse(input);
}
