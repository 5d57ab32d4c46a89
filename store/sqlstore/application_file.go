package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

const fileColumns = `id, application_id, parent_directory, name, type, status, file_size, content_type,
	creation_date, last_updated`

// fileList is what files may be sorted and filtered by.
var fileList = listSpec{
	sort: map[string]string{"": "last_updated", "lastUpdated": "last_updated", "name": "name", "type": "type",
		"creationDate": "creation_date"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	plain:       map[string]bool{"creation_date": true, "last_updated": true},
	sortNames:   "lastUpdated, name, type, creationDate",
	filterNames: "name",
}

// FindApplicationFileByID returns the application's file with id, or
// NotFound.
func (s *Store) FindApplicationFileByID(ctx context.Context, applicationID, id string) (*weir.ApplicationFile, error) {
	f, err := viewOne(ctx, s, func(q Querier) (*weir.ApplicationFile, error) { return findFile(ctx, q, applicationID, id) })
	if err != nil {
		return nil, fmt.Errorf("find file %s: %w", id, err)
	}
	return f, nil
}

// FindApplicationFiles returns one page of the files the filter selects and
// how many it selects.
func (s *Store) FindApplicationFiles(ctx context.Context, filter weir.ApplicationFileFilter) ([]*weir.ApplicationFile, int, error) {
	where, args := []string{"application_id = ?"}, []any{filter.ApplicationID}
	for col, v := range map[string]string{"parent_directory": filter.Directory, "type": filter.Type, "status": filter.Status} {
		if v != "" {
			where, args = append(where, col+" = ?"), append(args, v)
		}
	}
	cond, args, tail, tailArgs, err := s.listClause(filter.ListOptions, fileList, where, args)
	if err != nil {
		return nil, 0, err
	}
	fs, n, err := findPage(ctx, s, "application_files", fileColumns, cond, args, tail, tailArgs, scanFile)
	if err != nil {
		return nil, 0, fmt.Errorf("find files: %w", err)
	}
	return fs, n, nil
}

// CreateApplicationFile stores f, pending when a file, with every missing
// parent directory.
func (s *Store) CreateApplicationFile(ctx context.Context, f *weir.ApplicationFile) error {
	if err := f.Validate(); err != nil {
		return err
	}
	f.ID, f.Status, f.FileSize = weir.NewID(), weir.FilePending, 0
	if f.Type == weir.FileTypeDirectory {
		f.Status, f.ContentType = weir.FileCompleted, ""
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		f.CreationDate, f.LastUpdated = now, now
		segs, _ := weir.SplitFilePath(f.ParentDirectory) // validated
		parent := "/"
		for _, seg := range segs {
			var typ string
			err := q.QueryRowContext(ctx, `SELECT type FROM application_files WHERE application_id = ? AND parent_directory = ? AND name = ?`,
				f.ApplicationID, parent, seg).Scan(&typ)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				dir := &weir.ApplicationFile{ID: weir.NewID(), ApplicationID: f.ApplicationID, ParentDirectory: parent, Name: seg,
					Type: weir.FileTypeDirectory, Status: weir.FileCompleted, CreationDate: now, LastUpdated: now}
				if err := s.insertFile(ctx, q, dir); err != nil {
					return err
				}
			case err != nil:
				return err
			case typ != weir.FileTypeDirectory:
				return weir.Errorf(weir.Validation, "%s%s is a file, not a directory", parent, seg)
			}
			parent += seg + "/"
		}
		return s.insertFile(ctx, q, f)
	})
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	return nil
}

func (s *Store) insertFile(ctx context.Context, q Querier, f *weir.ApplicationFile) error {
	_, err := q.ExecContext(ctx, `INSERT INTO application_files (`+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.ApplicationID, f.ParentDirectory, f.Name, f.Type, f.Status, f.FileSize, f.ContentType,
		millis(f.CreationDate), millis(f.LastUpdated))
	switch {
	case s.d.IsForeignKey(err):
		return weir.Errorf(weir.NotFound, "Application was not found")
	case s.d.IsUnique(err):
		return weir.Errorf(weir.Validation, "A file or directory already exists at %s", f.Path())
	}
	return err
}

// SetApplicationFileContent stores a file's content and marks it
// completed.
func (s *Store) SetApplicationFileContent(ctx context.Context, applicationID, id, contentType string, content []byte) (*weir.ApplicationFile, error) {
	var f *weir.ApplicationFile
	err := s.d.Update(ctx, func(q Querier, now time.Time) (err error) {
		if f, err = findFile(ctx, q, applicationID, id); err != nil {
			return err
		}
		if f.Type != weir.FileTypeFile {
			return weir.Errorf(weir.Validation, "A directory has no content")
		}
		if contentType != "" {
			f.ContentType = contentType
		}
		f.Status, f.FileSize, f.LastUpdated = weir.FileCompleted, int64(len(content)), now
		_, err = q.ExecContext(ctx, `UPDATE application_files SET status = ?, file_size = ?, content_type = ?, content = ?,
			last_updated = ? WHERE id = ?`, f.Status, f.FileSize, f.ContentType, content, millis(now), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set content of file %s: %w", id, err)
	}
	return f, nil
}

// ApplicationFileContent returns the completed file at path and its
// content.
func (s *Store) ApplicationFileContent(ctx context.Context, applicationID, path string) (*weir.ApplicationFile, []byte, error) {
	segs, err := weir.SplitFilePath(path)
	if err != nil || len(segs) == 0 {
		return nil, nil, errFileNotFound()
	}
	dir := "/" + strings.Join(segs[:len(segs)-1], "/")
	if len(segs) > 1 {
		dir += "/"
	}
	var (
		f       *weir.ApplicationFile
		content []byte
	)
	err = s.d.View(ctx, func(q Querier) error {
		row := q.QueryRowContext(ctx, `SELECT `+fileColumns+`, content FROM application_files
			WHERE application_id = ? AND parent_directory = ? AND name = ? AND type = ? AND status = ?`,
			applicationID, dir, segs[len(segs)-1], weir.FileTypeFile, weir.FileCompleted)
		var err error
		f, err = scanFileWith(row, &content)
		if errors.Is(err, sql.ErrNoRows) {
			return errFileNotFound()
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read file %s: %w", path, err)
	}
	return f, content, nil
}

// DeleteApplicationFile removes a file, or a directory and everything
// below it.
func (s *Store) DeleteApplicationFile(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		f, err := findFile(ctx, q, applicationID, id)
		if err != nil {
			return err
		}
		if f.Type == weir.FileTypeDirectory {
			prefix := f.Path() + "/"
			if _, err := q.ExecContext(ctx, `DELETE FROM application_files WHERE application_id = ? AND
				substr(parent_directory, 1, ?) = ?`, applicationID, len(prefix), prefix); err != nil {
				return err
			}
		}
		_, err = q.ExecContext(ctx, `DELETE FROM application_files WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete file %s: %w", id, err)
	}
	return nil
}

func errFileNotFound() error { return weir.Errorf(weir.NotFound, "File was not found") }

func findFile(ctx context.Context, q Querier, applicationID, id string) (*weir.ApplicationFile, error) {
	f, err := scanFile(q.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM application_files WHERE id = ? AND application_id = ?`,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errFileNotFound()
	}
	return f, err
}

func scanFile(s scanner) (*weir.ApplicationFile, error) { return scanFileWith(s) }

// scanFileWith scans fileColumns and then extra.
func scanFileWith(s scanner, extra ...any) (*weir.ApplicationFile, error) {
	var (
		f            weir.ApplicationFile
		created, upd int64
	)
	dest := append([]any{&f.ID, &f.ApplicationID, &f.ParentDirectory, &f.Name, &f.Type, &f.Status, &f.FileSize,
		&f.ContentType, &created, &upd}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	f.CreationDate, f.LastUpdated = fromMillis(created), fromMillis(upd)
	return &f, nil
}
