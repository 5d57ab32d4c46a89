// Package template renders Losant's Handlebars dialect against workflow
// payloads: string templates, JSON templates and single-mustache value
// templates, with Losant's helper set.
//
// Templates are compiled once by Parse (or ParseValue) into immutable values
// that are safe for concurrent use; rendering parses nothing and never fails
// on missing data. Values follow JavaScript semantics via package js.
package template
