package appfile

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Limits of a zipped template.
const (
	// MaxZipFiles is the most entries a zipped template may hold.
	MaxZipFiles = 20000
	// MaxZipUnzipped is the most its files may hold unzipped.
	MaxZipUnzipped = 256 << 20
)

// ErrNotTemplateZip is returned by ZipFS for a zip it will not read.
var ErrNotTemplateZip = errors.New("appfile: not a template zip")

// ZipFS returns the template directory a zip holds, for Read: the zip's
// root, or its one top folder when application.yaml is there (as an
// export's zip has it). It refuses a zip of more than MaxZipFiles entries
// or MaxZipUnzipped bytes unzipped (the sizes the zip declares, which its
// reader holds it to).
func ZipFS(zr *zip.Reader) (fs.FS, error) {
	if len(zr.File) > MaxZipFiles {
		return nil, fmt.Errorf("%w: it holds more than %d files", ErrNotTemplateZip, MaxZipFiles)
	}
	var total uint64
	tops := map[string]bool{}
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		tops[strings.SplitN(zf.Name, "/", 2)[0]] = true
	}
	if total > MaxZipUnzipped {
		return nil, fmt.Errorf("%w: it holds more than %d bytes unzipped", ErrNotTemplateZip, MaxZipUnzipped)
	}
	if _, err := fs.Stat(zr, "application.yaml"); err != nil && len(tops) == 1 {
		for top := range tops {
			if _, err := fs.Stat(zr, path.Join(top, "application.yaml")); err == nil {
				return fs.Sub(zr, top)
			}
		}
	}
	return zr, nil
}
