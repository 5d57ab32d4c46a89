package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// keyListParams are applicationKeys.get's query parameters.
var keyListParams = []queryParam{
	{name: "sortField", kind: paramEnum, def: "key", enum: []string{"key", "status", "id", "creationDate", "lastUpdated"}},
	{name: "sortDirection", kind: paramEnum, def: "asc", enum: []string{"asc", "desc"}},
	{name: "page", kind: paramInt, def: "0", min: 0, max: 1 << 31},
	{name: "perPage", kind: paramInt, def: "100", min: 1, max: 1000},
	{name: "filterField", kind: paramEnum, enum: []string{"key", "status"}},
	{name: "filter", kind: paramString},
}

// keyResponse is an access key as the API returns it; Secret is set only in
// the answer to its creation.
type keyResponse struct {
	*weir.ApplicationKey
	ApplicationKeyID string   `json:"applicationKeyId"`
	DeviceIDs        []string `json:"deviceIds"`
	DeviceTags       any      `json:"deviceTags"`
	Secret           string   `json:"secret,omitempty"`
	Type             string   `json:"_type"`
	Links            links    `json:"_links,omitempty"`
}

func newKeyResponse(k *weir.ApplicationKey, withLinks bool) *keyResponse {
	ids := k.DeviceIDs
	if ids == nil {
		ids = []string{}
	}
	var tags any = k.DeviceTags
	if k.DeviceTags == nil {
		tags = []weir.DeviceTag{}
	}
	return &keyResponse{
		ApplicationKey:   k,
		ApplicationKeyID: k.ID,
		DeviceIDs:        ids,
		DeviceTags:       tags,
		Type:             "applicationKey",
		Links: linksFor(withLinks, pathKey, map[string]string{"application": pathApplication, "applicationKeys": pathKeys},
			"{applicationId}", k.ApplicationID, "{applicationKeyId}", k.ID),
	}
}

// keysResponse is a page of an application's access keys.
type keysResponse struct {
	Items []*keyResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// keyBody is a schema-valid applicationKeyPost or applicationKeyPatch body.
type keyBody struct {
	Status      *string          `json:"status"`
	Description *string          `json:"description"`
	DeviceIDs   []string         `json:"deviceIds"`
	DeviceTags  []weir.DeviceTag `json:"deviceTags"`
	FilterType  *string          `json:"filterType"`
	PubTopics   *[]string        `json:"pubTopics"`
	SubTopics   *[]string        `json:"subTopics"`
}

func decodeKeyBody(req *request) (*keyBody, error) {
	var in keyBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "applicationKey is the wrong type")
	}
	for _, t := range in.DeviceTags {
		if t.Key == "" && t.Value == "" {
			return nil, weir.Errorf(weir.Validation, "applicationKey.deviceTags items need a key or a value")
		}
	}
	return &in, nil
}

// apply sets the patchable fields present in b on k.
func (b *keyBody) apply(k *weir.ApplicationKey) {
	if b.Status != nil {
		k.Status = *b.Status
	}
	if b.Description != nil {
		k.Description = *b.Description
	}
	if b.FilterType != nil {
		k.FilterType = *b.FilterType
	}
	if b.PubTopics != nil {
		k.PubTopics = *b.PubTopics
	}
	if b.SubTopics != nil {
		k.SubTopics = *b.SubTopics
	}
}

// handleKeysGet answers GET /applications/{applicationId}/keys.
func (s *Server) handleKeysGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Keys == nil {
		return errNoDeviceService
	}
	if r.URL.Query().Get("query") != "" {
		return weir.Errorf(weir.Validation, "query is not supported yet; use filterField and filter")
	}
	opts := listOptions(req.query)
	if opts.Filter != "" && req.query["filterField"] == "" {
		opts.FilterField = "key"
	}
	ks, total, err := s.Keys.FindApplicationKeys(r.Context(), weir.ApplicationKeyFilter{ApplicationID: req.appID, ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &keysResponse{
		Items:         make([]*keyResponse, 0, len(ks)),
		listPage:      newListPage(len(ks), total, opts),
		ApplicationID: req.appID,
		Type:          "applicationKeys",
		Links:         linksFor(req.links, pathKeys, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, k := range ks {
		resp.Items = append(resp.Items, newKeyResponse(k, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleKeysPost answers POST /applications/{applicationId}/keys with 201,
// the new key and its secret: the only time the secret is shown. Only its
// argon2id hash is stored.
func (s *Server) handleKeysPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeKeyBody(req)
	if err != nil {
		return err
	}
	if s.Keys == nil {
		return errNoDeviceService
	}
	secret := weir.NewAccessSecret()
	hash, err := auth.HashSecret(secret)
	if err != nil {
		return err
	}
	k := &weir.ApplicationKey{ApplicationID: req.appID, Key: weir.NewAccessKey(), SecretHash: hash,
		Status: weir.KeyActive, DeviceIDs: in.DeviceIDs, DeviceTags: in.DeviceTags, FilterType: "none"}
	in.apply(k)
	if err := s.Keys.CreateApplicationKey(r.Context(), k); err != nil {
		return err
	}
	resp := newKeyResponse(k, req.links)
	resp.Secret = secret
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// handleKeyGet answers GET …/keys/{applicationKeyId}.
func (s *Server) handleKeyGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Keys == nil {
		return errNoDeviceService
	}
	k, err := s.Keys.FindApplicationKeyByID(r.Context(), req.appID, req.keyID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newKeyResponse(k, req.links))
	return nil
}

// handleKeyPatch answers PATCH …/keys/{applicationKeyId}: status,
// description, filter type and topics may change; the key, secret and
// device restrictions never do.
func (s *Server) handleKeyPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeKeyBody(req)
	if err != nil {
		return err
	}
	if s.Keys == nil {
		return errNoDeviceService
	}
	k, err := s.Keys.FindApplicationKeyByID(r.Context(), req.appID, req.keyID)
	if err != nil {
		return err
	}
	in.apply(k)
	if err := s.Keys.UpdateApplicationKey(r.Context(), k); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newKeyResponse(k, req.links))
	return nil
}

// handleKeyDelete answers DELETE …/keys/{applicationKeyId}; devices can no
// longer authenticate with the key, and its device tokens stop working.
func (s *Server) handleKeyDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Keys == nil {
		return errNoDeviceService
	}
	if err := s.Keys.DeleteApplicationKey(r.Context(), req.appID, req.keyID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
