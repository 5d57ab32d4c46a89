// Package nodejs runs Node scripts for the tests that hold weir's
// JavaScript dialects (engine/expr, engine/template) to JavaScript itself:
// it installs pinned npm packages, and passes values that JSON cannot carry
// (undefined, NaN, -0, dates) in a tagged form that tagged.mjs decodes.
package nodejs
