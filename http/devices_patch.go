package http

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// maxPatchDevices caps the devices one devices.patch updates.
const maxPatchDevices = 1 << 20

// devicesPatchBody is a schema-valid devicesPatch body. The work is done
// before the answer, so email and callbackUrl are not used.
type devicesPatchBody struct {
	Query            json.RawMessage   `json:"query"`
	DeviceIDs        []string          `json:"deviceIds"`
	UpdateFields     json.RawMessage   `json:"updateFields"`
	UpdateOperations []json.RawMessage `json:"updateOperations"`
}

// patchOperation is one schema-valid update operation: operation (set,
// remove or add) on target, with the fields that target takes.
type patchOperation struct {
	Operation     string          `json:"operation"`
	Target        string          `json:"target"`
	Value         json.RawMessage `json:"value"`
	AttributeName string          `json:"attributeName"`
	TagKey        string          `json:"tagKey"`
}

// patchTargets are the targets of each operation weir applies; the others
// the schema allows (systemInterval, attribute tags and system attributes)
// are refused as not supported yet.
var patchTargets = map[string][]string{
	"set": {"name", "deviceClass", "description", "gatewayId", "parentId", "keepDuplicates", "tag",
		"attributeDescription", "attributeContentType", "attributeName"},
	"remove": {"description", "parentId", "tag", "attribute", "attributeDescription"},
	"add":    {"attribute"},
}

// handleDevicesPatch answers PATCH /applications/{applicationId}/devices:
// updateFields (as device.patch takes them), then updateOperations in
// order, are applied to each device that deviceIds or query selects.
// The answer is Losant's devicesUpdated: devices changed (updated), left
// as they were (skipped), and those the change would make invalid or that
// were deleted meanwhile (failed, left unchanged).
func (s *Server) handleDevicesPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in devicesPatchBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "patchInfo is the wrong type")
	}
	if in.DeviceIDs == nil && len(rawOrNil(in.Query)) == 0 {
		return weir.Errorf(weir.Validation, "patchInfo needs deviceIds or query")
	}
	var fields *deviceBody
	if len(rawOrNil(in.UpdateFields)) > 0 {
		sub := *req
		sub.body = in.UpdateFields
		var err error
		if fields, err = decodeDeviceBody(&sub); err != nil {
			return err
		}
	}
	ops, err := decodePatchOperations(in.UpdateOperations)
	if err != nil {
		return err
	}
	if s.Devices == nil {
		return errNoDeviceService
	}
	sel := weir.DeviceSelection{IDs: in.DeviceIDs}
	if len(rawOrNil(in.Query)) > 0 {
		if sel.Query, err = parseDeviceQuery(string(in.Query)); err != nil {
			return weir.Errorf(weir.Validation, "patchInfo.query: %s", weir.ErrorMessage(err))
		}
	}
	if err := s.deviceQueryExperience(r, req.appID, sel.Query); err != nil {
		return err
	}
	ds, err := weir.SelectDevices(r.Context(), s.Devices, req.appID, sel, maxPatchDevices)
	if err != nil {
		return err
	}
	var updated, skipped, failed int
	for _, d := range ds {
		before, _ := json.Marshal(d)
		if fields != nil {
			if err := fields.apply(d); err != nil {
				failed++
				continue
			}
		}
		if err := applyPatchOperations(d, ops); err != nil {
			failed++
			continue
		}
		if after, _ := json.Marshal(d); string(after) == string(before) {
			skipped++
			continue
		}
		switch err := s.Devices.UpdateDevice(r.Context(), d); weir.ErrorTypeOf(err) {
		case "":
			updated++
		case weir.NotFound, weir.Validation: // deleted meanwhile, or invalid as changed
			failed++
		default:
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"updated": updated, "skipped": skipped, "failed": failed})
	return nil
}

// decodePatchOperations reads the update operations, refusing those weir
// does not apply.
func decodePatchOperations(raw []json.RawMessage) ([]patchOperation, error) {
	ops := make([]patchOperation, 0, len(raw))
	for i, b := range raw {
		var op patchOperation
		if err := json.Unmarshal(b, &op); err != nil {
			return nil, weir.Errorf(weir.Validation, "patchInfo.updateOperations[%d] is the wrong type", i)
		}
		if !slices.Contains(patchTargets[op.Operation], op.Target) {
			return nil, weir.Errorf(weir.Validation, "patchInfo.updateOperations[%d]: %s %s is not supported yet", i, op.Operation, op.Target)
		}
		if op.Operation == "add" {
			var a deviceAttributeBody
			if err := json.Unmarshal(op.Value, &a); err != nil {
				return nil, weir.Errorf(weir.Validation, "patchInfo.updateOperations[%d].value is the wrong type", i)
			}
			if !emptyJSON(a.AttributeTags) || len(a.System) > 0 {
				return nil, weir.Errorf(weir.Validation, "patchInfo.updateOperations[%d]: attributeTags and system are not supported yet", i)
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// applyPatchOperations applies ops to d in order and validates the result.
// An operation on an attribute d does not have changes nothing.
func applyPatchOperations(d *weir.Device, ops []patchOperation) error {
	for _, op := range ops {
		var text string
		_ = json.Unmarshal(op.Value, &text) // a string value, for the targets that take one
		attr := slices.IndexFunc(d.Attributes, func(a weir.DeviceAttribute) bool { return a.Name == op.AttributeName })
		switch op.Operation + " " + op.Target {
		case "set name":
			d.Name = text
		case "set deviceClass":
			d.DeviceClass = text
		case "set description":
			d.Description = text
		case "remove description":
			d.Description = ""
		case "set gatewayId":
			d.GatewayID = strings.ToLower(text)
		case "set parentId":
			d.ParentID = strings.ToLower(text)
		case "remove parentId":
			d.ParentID = ""
		case "set keepDuplicates":
			_ = json.Unmarshal(op.Value, &d.KeepDuplicates)
		case "set tag":
			var t weir.DeviceTag
			_ = json.Unmarshal(op.Value, &t)
			d.Tags = append(slices.DeleteFunc(d.Tags, func(x weir.DeviceTag) bool { return x.Key == t.Key }), t)
		case "remove tag":
			d.Tags = slices.DeleteFunc(d.Tags, func(x weir.DeviceTag) bool { return x.Key == op.TagKey })
		case "add attribute":
			var a weir.DeviceAttribute
			_ = json.Unmarshal(op.Value, &a)
			if i := slices.IndexFunc(d.Attributes, func(x weir.DeviceAttribute) bool { return x.Name == a.Name }); i >= 0 {
				d.Attributes[i] = a // an attribute of that name is replaced
			} else {
				d.Attributes = append(d.Attributes, a)
			}
		case "remove attribute":
			if attr >= 0 {
				d.Attributes = slices.Delete(d.Attributes, attr, attr+1)
			}
		case "set attributeDescription", "remove attributeDescription":
			if attr >= 0 {
				d.Attributes[attr].Description = text
			}
		case "set attributeContentType":
			if attr >= 0 {
				d.Attributes[attr].ContentType = text
			}
		case "set attributeName":
			if attr >= 0 {
				d.Attributes[attr].Name = text
			}
		}
	}
	return d.Validate()
}
