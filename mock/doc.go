// Package mock holds function-field mocks of weir's service interfaces for
// tests: set the Fn fields a test needs; calling an unset one panics.
package mock
