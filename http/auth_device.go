package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// deviceTokenScope is the scope of a device token when none is requested:
// what Losant gives a device.
const deviceTokenScope = "all.Device"

// deviceCredentials is a schema-valid POST /auth/device body.
type deviceCredentials struct {
	DeviceID        string   `json:"deviceId"`
	Key             string   `json:"key"`
	Secret          string   `json:"secret"`
	TokenTTL        *int64   `json:"tokenTTL"`
	RequestedScopes []string `json:"requestedScopes"`
}

// authedDevice is the answer to POST /auth/device.
type authedDevice struct {
	ApplicationID string   `json:"applicationId"`
	DeviceID      string   `json:"deviceId"`
	DeviceClass   string   `json:"deviceClass"`
	FilterType    string   `json:"filterType,omitempty"`
	PubTopics     []string `json:"pubTopics,omitempty"`
	SubTopics     []string `json:"subTopics,omitempty"`
	Token         string   `json:"token"`
}

// handleAuthDevice answers POST /auth/device: a device's access key and
// secret buy a token that reaches only that device, with the requested
// scopes (default all.Device) and, with tokenTTL, an expiry in seconds.
// The token stops working when the key is deleted, deactivated or no longer
// reaches the device, or the device is deleted.
func (s *Server) handleAuthDevice(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeError(w, r, weir.Errorf(weir.MethodNotAllowed, "%s is not allowed", r.Method))
		return
	}
	if err := s.authDevice(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) authDevice(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return weir.Errorf(weir.PayloadTooLarge, "Request body is larger than %d bytes", 64<<10)
	} else if err != nil {
		return weir.Errorf(weir.Validation, "credentials could not be read")
	}
	body, err := decodeBody(b, "credentials", "deviceCredentials")
	if err != nil {
		return err
	}
	var in deviceCredentials
	if err := json.Unmarshal(body, &in); err != nil {
		return weir.Errorf(weir.Validation, "credentials is the wrong type")
	}
	if s.Keys == nil || s.Devices == nil || s.Signer == nil {
		return errNoDeviceService
	}
	d, k, err := auth.AuthenticateDevice(r.Context(), s.Keys, s.Devices, in.DeviceID, in.Key, in.Secret)
	if err != nil {
		return err
	}
	scope := in.RequestedScopes
	if len(scope) == 0 {
		scope = []string{deviceTokenScope}
	}
	t := &weir.Token{ID: k.ID, OwnerID: d.ID, OwnerType: weir.OwnerDevice, Scope: scope}
	if in.TokenTTL != nil && *in.TokenTTL > 0 {
		exp := s.now().Add(time.Duration(*in.TokenTTL) * time.Second)
		t.ExpirationDate = &exp
	}
	token, err := s.Signer.Sign(t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authedDevice{
		ApplicationID: d.ApplicationID, DeviceID: d.ID, DeviceClass: d.DeviceClass,
		FilterType: k.FilterType, PubTopics: k.PubTopics, SubTopics: k.SubTopics, Token: token,
	})
	return nil
}

// authenticateDevice checks a device token's claims against the store: its
// key (the token id) still exists, is active and reaches the device (the
// owner), which still exists.
func (s *Server) authenticateDevice(ctx context.Context, c *auth.Claims) (*weir.Identity, error) {
	invalid := weir.Errorf(weir.Unauthorized, msgInvalidToken)
	if s.Keys == nil || s.Devices == nil {
		return nil, invalid
	}
	k, err := s.Keys.FindApplicationKeyByID(ctx, "", c.TokenID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	d, err := s.Devices.FindDeviceByID(ctx, k.ApplicationID, c.OwnerID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	if !k.Allows(d) {
		return nil, invalid
	}
	return &weir.Identity{TokenID: k.ID, OwnerType: weir.OwnerDevice, OwnerID: d.ID, Scope: c.Scope,
		ApplicationID: k.ApplicationID}, nil
}

// gatewayActions are the device actions a gateway's (or edge compute
// device's) token may take for its peripherals and floating devices: report
// their state, set their connection status, and send and receive their
// commands, as it may on their MQTT topics (weir.Device.ActsFor).
var gatewayActions = map[string]bool{
	"device.sendState": true, "device.setConnectionStatus": true,
	"device.sendCommand": true, "device.getCommand": true, "device.commandStream": true,
}

// deviceReaches answers a device token's request for another device of its
// application: nil when the token's device acts for it on this action,
// else Forbidden (the other device unknown included, so a token learns
// nothing of devices it cannot reach).
func (s *Server) deviceReaches(r *http.Request, action string, req *request) error {
	forbidden := weir.Errorf(weir.Forbidden, msgForbidden)
	if !gatewayActions[action] || s.Devices == nil {
		return forbidden
	}
	own, err := s.Devices.FindDeviceByID(r.Context(), req.appID, req.identity.OwnerID)
	if err != nil {
		return notFoundAs(err, forbidden)
	}
	if own.DeviceClass != weir.DeviceGateway && own.DeviceClass != weir.DeviceEdgeCompute {
		return forbidden
	}
	other, err := s.Devices.FindDeviceByID(r.Context(), req.appID, req.deviceID)
	if err != nil {
		return notFoundAs(err, forbidden)
	}
	if !own.ActsFor(other) {
		return forbidden
	}
	return nil
}

// notFoundAs returns instead for a NotFound err, and err otherwise.
func notFoundAs(err, instead error) error {
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return instead
	}
	return err
}
