package weir

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// Application file types and upload states, as Losant names them.
const (
	FileTypeFile      = "file"
	FileTypeDirectory = "directory"
	FilePending       = "pending"
	FileCompleted     = "completed"
)

// Limits of application files.
const (
	// DefaultMaxFileSize is the most bytes one file may hold unless the
	// server is configured otherwise.
	DefaultMaxFileSize = 10 << 20
	maxFileNameLen     = 1024
	maxFileDepth       = 32
)

// ApplicationFile is a file or directory of an application's file store:
// the CSS, images and scripts its experience pages reference. Path is
// ParentDirectory + Name; ParentDirectory is "/" at the root and ends with
// "/" ("/images/").
type ApplicationFile struct {
	ID              string    `json:"id"`
	ApplicationID   string    `json:"applicationId"`
	Name            string    `json:"name"`
	ParentDirectory string    `json:"parentDirectory"`
	Type            string    `json:"type"`
	Status          string    `json:"status"`
	FileSize        int64     `json:"fileSize"`
	ContentType     string    `json:"contentType,omitempty"`
	CreationDate    time.Time `json:"creationDate"`
	LastUpdated     time.Time `json:"lastUpdated"`
}

// Path returns the file's path within its application ("/images/logo.png").
func (f *ApplicationFile) Path() string { return f.ParentDirectory + f.Name }

// Validate checks a file's name and parent directory and its type.
func (f *ApplicationFile) Validate() error {
	if err := ValidFileName(f.Name); err != nil {
		return err
	}
	dir, err := CleanFileDirectory(f.ParentDirectory)
	if err != nil {
		return err
	}
	f.ParentDirectory = dir
	if f.Type != FileTypeFile && f.Type != FileTypeDirectory {
		return Errorf(Validation, "type must be one of file, directory")
	}
	if len(f.ContentType) > 1024 || strings.ContainsAny(f.ContentType, "\r\n\x00") {
		return Errorf(Validation, "contentType is not valid")
	}
	return nil
}

// ValidFileName returns Validation unless name can name one file or
// directory: 1–1024 characters, no "/" or "\", no control characters, not
// "." or "..", no leading or trailing space.
func ValidFileName(name string) error {
	if n := len([]rune(name)); n < 1 || n > maxFileNameLen {
		return Errorf(Validation, "name must be between 1 and %d characters", maxFileNameLen)
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.TrimSpace(name) != name {
		return Errorf(Validation, "name %q is not a valid file name", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return Errorf(Validation, "name %q is not a valid file name", name)
		}
	}
	return nil
}

// CleanFileDirectory returns dir in its stored form ("/" or "/a/b/"): ""
// is the root, and the leading and trailing "/" are optional. Every
// segment must be a valid file name: "..", "." and empty segments are
// refused, never resolved.
func CleanFileDirectory(dir string) (string, error) {
	segs, err := SplitFilePath(dir)
	if err != nil {
		return "", Errorf(Validation, "parentDirectory %q is not a valid directory", dir)
	}
	if len(segs) == 0 {
		return "/", nil
	}
	return "/" + strings.Join(segs, "/") + "/", nil
}

// SplitFilePath splits a path of an application's file store into its
// segments, refusing any that is not a valid file name (path tricks such as
// "..", "//" or "\"). "" and "/" are the root (no segments).
func SplitFilePath(p string) ([]string, error) {
	if strings.Contains(p, "//") {
		return nil, Errorf(Validation, "path %q has an empty segment", p)
	}
	p = strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	if p == "" {
		return nil, nil
	}
	segs := strings.Split(p, "/")
	if len(segs) > maxFileDepth {
		return nil, Errorf(Validation, "path %q is nested more than %d levels", p, maxFileDepth)
	}
	for _, s := range segs {
		if err := ValidFileName(s); err != nil {
			return nil, err
		}
	}
	return segs, nil
}

// ApplicationFileFilter selects files of one application.
type ApplicationFileFilter struct {
	ApplicationID string
	Directory     string // "": any; else only files directly in it ("/", "/images/")
	Type          string // "": any
	Status        string // "": any
	ListOptions          // SortField lastUpdated (default), name, type, creationDate; FilterField name
}

// ApplicationFileService manages application files and their contents.
type ApplicationFileService interface {
	// FindApplicationFileByID returns NotFound ("File was not found")
	// unless the application has a file with that id.
	FindApplicationFileByID(ctx context.Context, applicationID, id string) (*ApplicationFile, error)

	// FindApplicationFiles returns one page of the files the filter selects
	// and the number selected across pages.
	FindApplicationFiles(ctx context.Context, filter ApplicationFileFilter) ([]*ApplicationFile, int, error)

	// CreateApplicationFile stores a new file (pending, without content) or
	// directory (completed), creating missing parent directories, and sets
	// ID, Status and the dates. It returns Validation when f does not
	// validate or its path is taken, NotFound when the application does not
	// exist.
	CreateApplicationFile(ctx context.Context, f *ApplicationFile) error

	// SetApplicationFileContent stores the content of a file, its size and
	// content type, and marks it completed. It returns NotFound like
	// FindApplicationFileByID and Validation for a directory.
	SetApplicationFileContent(ctx context.Context, applicationID, id, contentType string, content []byte) (*ApplicationFile, error)

	// ApplicationFileContent returns the completed file at path (as
	// ApplicationFile.Path gives it) and its content; NotFound when there is
	// none.
	ApplicationFileContent(ctx context.Context, applicationID, path string) (*ApplicationFile, []byte, error)

	// DeleteApplicationFile removes a file, or a directory with everything
	// below it. It returns NotFound like FindApplicationFileByID.
	DeleteApplicationFile(ctx context.Context, applicationID, id string) error
}
