// Package sqlstore holds the logic of weir's platform resources (devices,
// their state history and commands, access keys) once, over database/sql,
// for every SQL store: validation, paging, sorting, filtering, tag queries,
// state merging and composite state live here; store/sqlite and
// store/postgres supply only a Dialect (transactions, clock, error
// classification). store/storetest judges both.
//
// Statements are written with ? placeholders and the same text for every
// dialect; times are Unix milliseconds and JSON is stored as text.
package sqlstore
