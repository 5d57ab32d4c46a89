// Package path reads and writes payload values at Losant payload paths such
// as "data.items.[0].name", "data.[a key with spaces]" or "." (the whole
// payload).
//
// Reading never fails: a missing step yields js.Undefined. Writing creates
// missing intermediate objects (an array when the next step is an index), as
// lodash's set does.
package path
