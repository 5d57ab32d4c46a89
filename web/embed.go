// Package web holds the console's built files, embedded in the binary. It
// has no logic: the source is in src/ (TypeScript and React), bundled into
// dist/ by `go generate ./web` (see build/), and the http package serves it.
package web

import (
	"embed"
	"io/fs"
)

//go:generate go run ./build

//go:embed dist
var dist embed.FS

// Dist returns the console's files: index.html and the assets it names.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path; fs.Sub fails only on invalid ones
	}
	return sub
}
