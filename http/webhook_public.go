package http

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// Webhook endpoint limits.
const (
	// DefaultWebhookReplyTimeout is how long a webhook set to wait for a
	// reply waits unless Server.WebhookReplyTimeout is set.
	DefaultWebhookReplyTimeout = 30 * time.Second
	// MaxWebhookBodyBytes caps webhook request bodies, as Losant does.
	MaxWebhookBodyBytes = 256 << 10
)

// Values every webhook run carries.
const (
	triggerWebhook = engine.TriggerWebhook
	relayPublic    = "public"
	relayPublicID  = "000000000000000000000000"
)

// ReplyWaiter lets a webhook request wait for the reply one of its runs
// sends; engine.ReplyHub is one. Register returns the channel the first
// reply arrives on and a cancel func to call when the wait ends.
type ReplyWaiter interface {
	Register(replyID string) (<-chan engine.Reply, func(), error)
}

// webhookData is a webhook run's data (engine.md §3).
type webhookData struct {
	*requestData `json:"-"` // encoded by requestData.encode
	ReplyID      string     `json:"replyId,omitempty"`
}

// handleWebhookRequest answers ANY /webhooks/{token}[/{path...}], without an
// API token: it checks basic auth when the webhook has it (401) and the
// webhook's rate limit (429), then durably enqueues one run for each enabled
// cloud flow whose selected version (X-Flow-Version, else the default
// version) has a webhook trigger keyed by the webhook's id. Without
// waitForReply it answers the webhook's response code with
// {"success":true} once every run is stored; with it, the first Webhook
// Reply of any of those runs, or 504 after the reply timeout.
func (s *Server) handleWebhookRequest(w http.ResponseWriter, r *http.Request) {
	if err := s.serveWebhook(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) error {
	if s.Webhooks == nil {
		return weir.Errorf(weir.NotFound, "Webhook was not found")
	}
	wh, err := s.webhookByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	if !basicAuthOK(wh, r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="webhook", charset="UTF-8"`)
		return weir.Errorf(weir.Unauthorized, "Unauthorized")
	}
	if s.WebhookLimiter != nil {
		if ok, wait := s.WebhookLimiter.Allow(wh.ID); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return weir.Errorf(weir.TooManyRequests, "Over rate limit, request throttled")
		}
	}
	rd, err := readRequestData(w, r)
	if err != nil {
		return err
	}
	data := &webhookData{requestData: rd}

	var replies <-chan engine.Reply
	if wh.WaitForReply && s.Replies != nil {
		data.ReplyID = wh.ID + "." + weir.NewID()
		ch, cancel, err := s.Replies.Register(data.ReplyID)
		if err != nil {
			return err
		}
		defer cancel()
		replies = ch
	}
	if err := s.enqueueWebhookRuns(r, wh, data); err != nil {
		return err
	}
	if !wh.WaitForReply {
		writeStatusJSON(w, wh.ResponseCode, success)
		return nil
	}
	return s.awaitReply(w, r, replies, s.WebhookReplyTimeout)
}

// basicAuthOK reports whether r passes the webhook's verification: always
// for none, matching credentials for basic.
func basicAuthOK(wh *weir.Webhook, r *http.Request) bool {
	if wh.VerificationType != weir.VerificationBasic {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(wh.BasicAuthUsername))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(wh.BasicAuthPassword))
	return u&p == 1
}

// awaitReply answers with the first reply on replies, or 504 when none
// comes within timeout (0: DefaultWebhookReplyTimeout; at once when there
// is no reply hub). A caller that goes away gets nothing.
func (s *Server) awaitReply(w http.ResponseWriter, r *http.Request, replies <-chan engine.Reply, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultWebhookReplyTimeout
	}
	if replies == nil {
		timeout = 0
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case rep := <-replies:
		writeReply(w, rep)
	case <-t.C:
		writeJSON(w, http.StatusGatewayTimeout, errorResponse{
			Type: "Timeout", Message: fmt.Sprintf("No reply was received within %s", timeout)})
	case <-r.Context().Done():
	}
	return nil
}

// writeReply writes a Webhook Reply or Endpoint Reply node's answer.
func writeReply(w http.ResponseWriter, rep engine.Reply) {
	for k, v := range rep.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range rep.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	status := rep.StatusCode
	if status < 200 || status > 599 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if bodyAllowed(status) {
		_, _ = w.Write(rep.Body)
	}
}

// writeStatusJSON is writeJSON for any status, leaving the body out when
// the status forbids one (204, 304).
func writeStatusJSON(w http.ResponseWriter, status int, v any) {
	if bodyAllowed(status) {
		writeJSON(w, status, v)
		return
	}
	w.WriteHeader(status)
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// enqueueWebhookRuns stores one run of data for every flow the webhook
// triggers; it returns once all are stored.
func (s *Server) enqueueWebhookRuns(r *http.Request, wh *weir.Webhook, data *webhookData) error {
	raw, err := data.encode(data)
	if err != nil {
		return fmt.Errorf("http: encode webhook data: %w", err)
	}
	targets, err := s.webhookTargets(r.Context(), wh, strings.TrimSpace(r.Header.Get("X-Flow-Version")))
	if err != nil {
		return err
	}
	at := time.UnixMilli(s.now().UnixMilli()).UTC()
	for _, t := range targets {
		run := &weir.Run{
			ID: weir.NewID(), ApplicationID: t.Flow.ApplicationID, FlowID: t.Flow.ID, FlowVersion: t.Version,
			TriggerType: triggerWebhook, TriggerKey: wh.ID, TriggerID: wh.ID,
			RelayType: relayPublic, RelayID: relayPublicID, Time: at, Data: raw,
		}
		if err := s.Runs.EnqueueRun(r.Context(), run); err != nil {
			return err
		}
	}
	return nil
}

// runnableVersion resolves the version of f an HTTP request runs: the one
// named (develop, a version id or name), else the flow's default version.
// It returns a nil definition when the flow has no such version or the
// version is disabled: that flow does not run.
func (s *Server) runnableVersion(ctx context.Context, f *weir.Flow, named string) (string, *weir.Definition, error) {
	v, err := engine.ResolveVersion(ctx, s.Versions, f, named)
	if weir.ErrorTypeOf(err) == weir.NotFound || err == nil && !v.Enabled {
		return "", nil, nil
	} else if err != nil {
		return "", nil, err
	}
	return v.Name, v.Def, nil
}
