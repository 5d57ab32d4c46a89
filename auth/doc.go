// Package auth signs and verifies weir's API access tokens (HS256 JWTs) and
// keeps the server's signing key. It is the only package that imports
// golang-jwt.
package auth
