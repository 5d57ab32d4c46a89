package http

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// Export jobs (dataTableRows.export, events.export, devices.export,
// device.export, data.export) answer 202 with
// Losant's jobEnqueuedResult at once and build their file in the
// background: a CSV (events and devices: CSV or JSON) stored as an application file
// under ExportDirectory, served at its public file URL like every
// application file. With a callbackUrl the job then POSTs exportCallback to
// it through Server.ExportClient (the HTTP node's egress rules); without
// one, the file's URL is logged. weir sends no email: a request that names
// only an email is refused (400) before any work starts. A job that fails
// is logged at error level and, with a callbackUrl, reported to it.
const (
	// ExportDirectory is the application file directory exports go to.
	ExportDirectory = "/exports/"
	// MaxExportRows caps the rows (or events) of one export; a job that
	// matches more stores the first MaxExportRows and says truncated.
	MaxExportRows = 100_000
	// exportTimeout bounds one job, callback included.
	exportTimeout = 10 * time.Minute
	// exportPageSize is how many rows or events a job reads at a time.
	exportPageSize = 1000
)

// exportDestination is where a job's result goes: the body's callbackUrl
// or email (Losant's export options).
type exportDestination struct {
	Email       string `json:"email"`
	CallbackURL string `json:"callbackUrl"`
}

// check refuses, as Validation, a request weir cannot serve: an email
// alone, or a callback URL that is not absolute http(s) or that this
// server has no client for.
func (d exportDestination) check(s *Server) error {
	if d.CallbackURL == "" {
		if d.Email != "" {
			return weir.Errorf(weir.Validation, "weir sends no email: give a callbackUrl to be told the export's URL, or neither to find it under %s in the application's files", ExportDirectory)
		}
		return nil
	}
	u, err := url.Parse(d.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return weir.Errorf(weir.Validation, "callbackUrl must be an absolute http or https URL")
	}
	if s.ExportClient == nil {
		return weir.Errorf(weir.Validation, "this server makes no export callbacks: leave callbackUrl out and find the export under %s in the application's files", ExportDirectory)
	}
	return nil
}

// exportFile is a file a job built.
type exportFile struct {
	content     []byte
	contentType string
	count       int  // rows or events written
	truncated   bool // more matched than MaxExportRows or the file size cap
}

// exportCallback is the body POSTed to a job's callbackUrl: the job, and
// either the file's URL or the error.
type exportCallback struct {
	JobID     string `json:"jobId"`
	Success   bool   `json:"success"`
	URL       string `json:"url,omitempty"`
	FileID    string `json:"fileId,omitempty"`
	Count     int    `json:"count"`
	Truncated bool   `json:"truncated"`
	Error     string `json:"error,omitempty"`
}

// startExport answers 202 with a new job id and runs build in the
// background; name is the file's name without the job id and extension.
func (s *Server) startExport(w http.ResponseWriter, r *http.Request, req *request, dest exportDestination, name, ext string,
	build func(ctx context.Context) (*exportFile, error)) error {
	if s.Files == nil {
		return weir.Errorf(weir.Validation, "this server keeps no application files, where exports are stored")
	}
	job := weir.NewKey(21) // Losant's 21 characters; random, so the public file URL cannot be guessed
	base := baseURL(r)
	appID := req.appID
	s.exports.Add(1)
	go func() {
		defer s.exports.Done()
		s.runExport(appID, job, base, dest.CallbackURL, name+"-"+job+"."+ext, build)
	}()
	writeJSON(w, http.StatusAccepted, map[string]any{"jobQueued": true, "jobId": job, "success": true})
	return nil
}

// WaitExports waits until the export jobs running have ended, or ctx is
// done; a graceful shutdown calls it after the listener has closed, so that
// an accepted job is not cut off.
func (s *Server) WaitExports(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.exports.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("export jobs still running: %w", ctx.Err())
	}
}

// runExport builds, stores and reports one job; every failure is logged.
func (s *Server) runExport(appID, job, base, callback, fileName string, build func(ctx context.Context) (*exportFile, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
	defer cancel()
	log := s.logger().With("applicationId", appID, "jobId", job)
	res := exportCallback{JobID: job}
	f, err := build(ctx)
	if err == nil {
		res.Count, res.Truncated = f.count, f.truncated
		var stored *weir.ApplicationFile
		stored, err = s.storeExport(ctx, appID, fileName, f)
		if err == nil {
			res.Success, res.FileID, res.URL = true, stored.ID, base+FileURL(appID, stored.Path())
		}
	}
	if err != nil {
		res.Error = err.Error()
		log.Error("export failed", "error", err)
	} else {
		log.Info("export stored", "url", res.URL, "count", res.Count, "truncated", res.Truncated)
	}
	if callback == "" {
		return
	}
	if err := s.postExportCallback(ctx, callback, &res); err != nil {
		log.Error("export callback failed", "callbackUrl", callback, "error", err)
	}
}

// storeExport stores f as fileName in ExportDirectory.
func (s *Server) storeExport(ctx context.Context, appID, fileName string, f *exportFile) (*weir.ApplicationFile, error) {
	af := &weir.ApplicationFile{ApplicationID: appID, Name: fileName, ParentDirectory: ExportDirectory, Type: weir.FileTypeFile}
	if err := s.Files.CreateApplicationFile(ctx, af); err != nil {
		return nil, err
	}
	return s.Files.SetApplicationFileContent(ctx, appID, af.ID, f.contentType, f.content)
}

// postExportCallback POSTs res to callback; anything but a 2xx is an error.
func (s *Server) postExportCallback(ctx context.Context, callback string, res *exportCallback) error {
	body, _ := json.Marshal(res)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, callback, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("User-Agent", "weir-export")
	resp, err := s.ExportClient.Do(hr)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback answered %s", resp.Status)
	}
	return nil
}

// exportFileName makes s safe as part of a file name: letters, digits,
// '-' and '_' kept, the rest '_'.
func exportFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// csvCell is a JSON value as a CSV cell: strings as they are, null and
// absent empty, anything else its JSON text.
func csvCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// csvBuilder writes an export's CSV within MaxExportRows and the file size
// cap.
type csvBuilder struct {
	buf bytes.Buffer
	w   *csv.Writer
	max int64
	f   exportFile
}

func (s *Server) newCSV(header []string) *csvBuilder {
	b := &csvBuilder{max: s.maxFileSize()}
	b.w = csv.NewWriter(&b.buf)
	b.w.Write(header)
	b.w.Flush()
	return b
}

// add writes one record; false, and truncated, when the file is full.
func (b *csvBuilder) add(rec []string) bool {
	if b.f.count >= MaxExportRows {
		b.f.truncated = true
		return false
	}
	n := b.buf.Len()
	b.w.Write(rec)
	b.w.Flush()
	if int64(b.buf.Len()) > b.max {
		b.buf.Truncate(n)
		b.f.truncated = true
		return false
	}
	b.f.count++
	return true
}

// file returns the finished CSV.
func (b *csvBuilder) file() *exportFile {
	b.f.content, b.f.contentType = b.buf.Bytes(), "text/csv; charset=utf-8"
	return &b.f
}

// jsonBuilder writes an export's JSON array within MaxExportRows and the
// file size cap.
type jsonBuilder struct {
	f   exportFile
	max int64
}

func (s *Server) newJSON() *jsonBuilder {
	return &jsonBuilder{f: exportFile{contentType: "application/json", content: []byte("[")}, max: s.maxFileSize()}
}

// add appends v; false, and truncated, when the file is full.
func (b *jsonBuilder) add(v any) bool {
	if b.f.count >= MaxExportRows {
		b.f.truncated = true
		return false
	}
	j, _ := json.Marshal(v)
	if int64(len(b.f.content)+len(j)+2) > b.max {
		b.f.truncated = true
		return false
	}
	if b.f.count > 0 {
		b.f.content = append(b.f.content, ',')
	}
	b.f.content = append(b.f.content, j...)
	b.f.count++
	return true
}

// file returns the finished array.
func (b *jsonBuilder) file() *exportFile {
	b.f.content = append(b.f.content, ']')
	return &b.f
}

// exportExt is the file extension of an export format: json, else csv.
func exportExt(format string) string {
	if format == "json" {
		return "json"
	}
	return "csv"
}

// given reports whether a body field was given and is not null.
func given(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}
