package weir

import (
	"context"
	"slices"
	"strings"
)

// SelectDevices returns the devices of the application that sel picks,
// ordered by id: the query's matches, or the union of the ids and of each
// tag's matches, or every device of the application. More than max
// devices is Validation.
func SelectDevices(ctx context.Context, ds DeviceService, applicationID string, sel DeviceSelection, max int) ([]*Device, error) {
	base := DeviceFilter{ApplicationID: applicationID, ListOptions: ListOptions{PerPage: max + 1}}
	var filters []DeviceFilter
	switch {
	case sel.Query != nil:
		f := base
		f.Query = sel.Query
		filters = append(filters, f)
	case sel.IDs == nil && len(sel.Tags) == 0:
		filters = append(filters, base)
	default:
		if len(sel.IDs) > 0 {
			f := base
			f.IDs = make([]string, len(sel.IDs))
			for i, id := range sel.IDs {
				f.IDs[i] = strings.ToLower(id)
			}
			filters = append(filters, f)
		}
		for _, t := range sel.Tags {
			f := base
			f.Tags = []TagFilter{t}
			filters = append(filters, f)
		}
	}
	seen := map[string]bool{}
	var out []*Device
	for _, f := range filters {
		found, _, err := ds.FindDevices(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, d := range found {
			if !seen[d.ID] && (sel.Only == "" || d.ID == sel.Only) {
				seen[d.ID] = true
				out = append(out, d)
			}
		}
		if len(out) > max {
			return nil, Errorf(Validation, "the query selects more than %d devices; narrow it", max)
		}
	}
	slices.SortFunc(out, func(a, b *Device) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
