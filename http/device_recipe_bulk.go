package http

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// bulkCreateBody is a schema-valid deviceRecipeBulkCreatePost body. Email
// is accepted and ignored: the result is in the answer, and weir sends no
// email.
type bulkCreateBody struct {
	CSV                 string `json:"csv"`
	NameColumn          string `json:"nameColumn"`
	DescriptionColumn   string `json:"descriptionColumn"`
	MakeUniqueKeySecret bool   `json:"makeUniqueKeySecret"`
}

// bulkCreateResult is deviceRecipeBulkCreate: the counts and the CSV given
// with the outcome of each row appended.
type bulkCreateResult struct {
	Created   int    `json:"created"`
	Failed    int    `json:"failed"`
	CSVResult string `json:"csvResult"`
}

// handleRecipeBulkCreate answers POST …/device-recipes/{deviceRecipeId}/bulkCreate
// with 201: one device from the recipe per CSV row (after the header), at
// most weir.MaxBulkCreateRows, named by nameColumn (else the recipe's device
// name), described by descriptionColumn, and tagged with the row's other
// non-empty cells (header = tag key). With makeUniqueKeySecret each device
// gets an access key of its own. csvResult repeats the CSV with columns id,
// accessKey, accessSecret (with makeUniqueKeySecret) and error appended; a
// row that fails is counted and changes nothing.
func (s *Server) handleRecipeBulkCreate(w http.ResponseWriter, r *http.Request, req *request) error {
	var in bulkCreateBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "bulkInfo is the wrong type")
	}
	header, rows, err := readBulkCSV(in)
	if err != nil {
		return err
	}
	rc, err := s.findRecipe(r, req)
	if err != nil {
		return err
	}
	if s.Devices == nil || s.Keys == nil {
		return errNoRecipeService
	}
	out := append(slices.Clone(header), "id")
	if in.MakeUniqueKeySecret {
		out = append(out, "accessKey", "accessSecret")
	}
	result := [][]string{append(out, "error")}
	var res bulkCreateResult
	for _, row := range rows {
		cells, err := s.bulkCreateRow(r, rc, in, header, row)
		if err != nil {
			if weir.ErrorTypeOf(err) == weir.Internal {
				return err
			}
			res.Failed++
			cells = append(make([]string, len(out)-len(header)), weir.ErrorMessage(err))
		} else {
			res.Created++
			cells = append(cells, "")
		}
		result = append(result, append(slices.Clone(row), cells...))
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(result); err != nil {
		return err
	}
	res.CSVResult = buf.String()
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// bulkCreateRow creates the device of one row (and its key) and returns
// the cells appended to the row: id, and the key and secret when asked.
func (s *Server) bulkCreateRow(r *http.Request, rc *weir.DeviceRecipe, in bulkCreateBody, header, row []string) ([]string, error) {
	var (
		name, description string
		tags              []weir.DeviceTag
	)
	for i, col := range header {
		switch {
		case col == in.NameColumn:
			name = row[i]
		case col == in.DescriptionColumn:
			description = row[i]
		case row[i] != "":
			tags = append(tags, weir.DeviceTag{Key: col, Value: row[i]})
		}
	}
	if in.NameColumn != "" && name == "" {
		return nil, weir.Errorf(weir.Validation, "the %s column is empty", in.NameColumn)
	}
	d := rc.NewDevice(name, description)
	d.Tags = append(d.Tags, tags...)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var hash, secret string
	if in.MakeUniqueKeySecret {
		secret = weir.NewAccessSecret()
		var err error
		if hash, err = auth.HashSecret(secret); err != nil {
			return nil, err
		}
	}
	if err := s.Devices.CreateDevice(r.Context(), d); err != nil {
		return nil, err
	}
	if !in.MakeUniqueKeySecret {
		return []string{d.ID}, nil
	}
	k := &weir.ApplicationKey{ApplicationID: d.ApplicationID, Key: weir.NewAccessKey(), SecretHash: hash,
		Status: weir.KeyActive, Description: "bulk created with recipe " + rc.Name, DeviceIDs: []string{d.ID}, FilterType: "none"}
	if err := s.Keys.CreateApplicationKey(r.Context(), k); err != nil {
		// The row fails whole: its device goes again.
		if derr := s.Devices.DeleteDevice(r.Context(), d.ApplicationID, d.ID); derr != nil {
			return nil, errors.Join(err, derr)
		}
		return nil, err
	}
	return []string{d.ID, k.Key, secret}, nil
}

// readBulkCSV parses the CSV of a bulk creation: a header of distinct
// names naming nameColumn and descriptionColumn when given, then 1 to
// weir.MaxBulkCreateRows rows of as many cells.
func readBulkCSV(in bulkCreateBody) ([]string, [][]string, error) {
	cr := csv.NewReader(bytes.NewReader([]byte(in.CSV)))
	cr.FieldsPerRecord = 0 // every row as long as the header
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv has no header row")
	}
	if err != nil {
		return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv is not valid CSV: %v", err)
	}
	for i, col := range header {
		if slices.Contains(header[:i], col) {
			return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv names the column %q twice", col)
		}
	}
	for _, c := range []struct{ field, col string }{{"nameColumn", in.NameColumn}, {"descriptionColumn", in.DescriptionColumn}} {
		if c.col != "" && !slices.Contains(header, c.col) {
			return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.%s %q is not a column of the CSV", c.field, c.col)
		}
	}
	var rows [][]string
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv is not valid CSV: %v", err)
		}
		if len(rows) == weir.MaxBulkCreateRows {
			return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv has more than %d rows", weir.MaxBulkCreateRows)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, weir.Errorf(weir.Validation, "bulkInfo.csv has no rows after its header")
	}
	return header, rows, nil
}
