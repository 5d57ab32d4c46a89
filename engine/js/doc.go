// Package js gives payload values JavaScript semantics: conversions to
// string, number and boolean, and the == / === equalities. Losant flows are
// written against JavaScript behaviour, so templates and expressions share
// these rules.
//
// Payload values are nil (null), Undefined, bool, float64, string, []any,
// map[string]any and time.Time (a JavaScript Date).
package js
