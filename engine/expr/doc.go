// Package expr compiles and evaluates Losant expressions, the JavaScript-like
// formulas of Conditional, Math and Latch nodes such as
// "{{data.temp}} > 50 && length({{data.tags}}) === 2".
//
// Each mustache is compiled by a caller-supplied MustacheCompiler and yields
// a raw value bound to a variable; the text around the mustaches is parsed
// once, at Compile time, so payload values are always data and never code.
// Values follow JavaScript semantics as implemented by package js.
package expr
