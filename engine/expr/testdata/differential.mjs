// Evaluates expressions as JavaScript, for the differential test of
// engine/expr. Reads {"cases":[{"src","vals"}]} on stdin; each src refers
// to its mustache values as $m[0], $m[1], …; Losant's expression functions
// and constants are in scope. Writes one result per case: {"ok": value} or
// {"error": "SyntaxError" | message}. Values are tagged ({"t","v"}) so that
// undefined, NaN, -0 and dates survive JSON.

import { dec, enc, readStdin } from '../../../internal/nodejs/tagged.mjs';

const fns = {
  abs: Math.abs, ceil: Math.ceil, floor: Math.floor, round: Math.round, trunc: Math.trunc,
  sqrt: Math.sqrt, log: Math.log, log10: Math.log10, exp: Math.exp,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  pow: Math.pow, atan2: Math.atan2, min: Math.min, max: Math.max,
  // Losant's: the length of an array, object or string, else undefined.
  length: (x) => typeof x === 'string' || Array.isArray(x) ? x.length
    : x !== null && typeof x === 'object' && !(x instanceof Date) ? Object.keys(x).length : undefined,
  // Losant's: Array.prototype.includes or String.prototype.includes, else false.
  includes: (c, v) => typeof c === 'string' || Array.isArray(c) ? c.includes(v) : false,
  PI: Math.PI, E: Math.E,
};
const names = Object.keys(fns);
const args = names.map((n) => fns[n]);

const out = (await readStdin()).cases.map(({ src, vals }) => {
  let fn;
  try {
    fn = new Function(...names, '$m', '"use strict"; return (\n' + src + '\n);');
  } catch (e) {
    return { error: e.name === 'SyntaxError' ? 'SyntaxError' : String(e) };
  }
  try {
    return { ok: enc(fn(...args, vals.map(dec))) };
  } catch (e) {
    return { error: String(e) };
  }
});
process.stdout.write(JSON.stringify(out));
