// Package auth signs and verifies weir's API access tokens (HS256 JWTs) and
// makes and reads signing keys. It is the only package that imports
// golang-jwt.
package auth
