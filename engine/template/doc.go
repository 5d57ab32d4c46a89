// Package template renders Losant's Handlebars dialect against workflow
// payloads: string templates, JSON templates and single-mustache value
// templates, with Losant's helper set.
//
// Templates are compiled once by Parse (or ParseValue) into immutable values
// that are safe for concurrent use; rendering parses nothing and never fails
// on missing data. Values follow JavaScript semantics via package js.
//
// Choices where Losant's behaviour is not documented: eq and ne use strict
// equality (===); objects are iterated (#each) and serialized (jsonEncode,
// queryStringEncode) in sorted key order, since payload maps keep no
// insertion order; defaultTo treats null, undefined, "" and NaN as empty;
// formatDate of an unparseable or missing value prints "Invalid date".
//
// The core is held to handlebars.js by a differential test. Where it
// differs, on purpose: adjacent unescaped numbers are concatenated
// (handlebars.js 4.7.8 adds them), and a path ending in a keyword or
// number ({{data.null}}) or a mustache followed by a third brace
// ({{x}}}) renders where Handlebars reports a parse error.
package template
