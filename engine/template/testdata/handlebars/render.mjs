// Renders templates with handlebars.js, for the differential test of
// engine/template. Reads {"roots": [tagged value], "cases": [{"src", "root"}]}
// on stdin (root indexes roots) and writes one result per case:
// {"ok": text}, {"missing": helper} when the template calls a helper
// handlebars.js does not have (one of Losant's), or {"error": message}.
// Values are tagged ({"t","v"}) so that undefined, NaN, -0 and dates survive
// JSON.
import Handlebars from 'handlebars';
import { dec, readStdin } from '../../../../internal/nodejs/tagged.mjs';

const { roots, cases, helpers } = await readStdin();
// Losant's own helpers are not handlebars.js's: a template that calls one
// is reported, not compared.
class LosantHelper extends Error {}
for (const name of helpers) {
  Handlebars.registerHelper(name, () => { throw new LosantHelper(name); });
}
const data = roots.map(dec);
const out = cases.map(({ src, root }) => {
  try {
    return { ok: Handlebars.compile(src)(data[root]) };
  } catch (e) {
    if (e instanceof LosantHelper) return { missing: e.message };
    const m = /^Missing helper: "(.*)"/.exec(e.message);
    if (m) return { missing: m[1] };
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(out));
