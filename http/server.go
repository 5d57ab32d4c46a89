package http

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/engine"
)

// DefaultMaxBodyBytes caps request bodies unless Server.MaxBodyBytes is set.
const DefaultMaxBodyBytes = 1 << 20

// Server serves the REST API. Set its fields, then call Handler; the fields
// must not change afterwards. The handler is safe for concurrent use.
type Server struct {
	Applications weir.ApplicationService
	Flows        weir.FlowService
	Versions     weir.FlowVersionService // nil: flows have only develop; version routes fail
	Tokens       weir.TokenService
	Storage      weir.StorageService
	Logs         weir.LogService
	Runs         weir.RunQueue
	Signer       *auth.Signer
	Logger       *slog.Logger
	Now          func() time.Time
	MaxBodyBytes int64

	// ButtonLimiter, when set, throttles virtual button presses; nil means
	// no limit. Losant allows 100 presses per 10 s per button.
	ButtonLimiter Limiter

	// Debug, when set, serves the flows' live debug streams.
	Debug DebugSource
	// DebugRecheck is how often an open debug stream checks its token
	// again; 0 means DefaultDebugRecheck.
	DebugRecheck time.Duration

	// Traces, when set, serves the flows' live trace streams, one batch
	// per TraceInterval (0: DefaultTraceInterval).
	Traces        *engine.TraceHub
	TraceInterval time.Duration

	// Webhooks, when set, serves the webhook resources and the public
	// /webhooks/{token} endpoint (webhook.go, webhook_public.go).
	Webhooks weir.WebhookService
	// WebhookLimiter, when set, throttles requests per webhook; Losant
	// allows 100 per 10 s.
	WebhookLimiter Limiter
	// Replies, when set, lets webhooks that wait for a reply wait; without
	// it they answer 504 at once.
	Replies ReplyWaiter
	// WebhookReplyTimeout is how long a waiting webhook waits for a reply;
	// 0 means DefaultWebhookReplyTimeout.
	WebhookReplyTimeout time.Duration

	// Endpoints, when set, serves the experience endpoint resources and
	// the public /experience/{applicationId}/… routes (endpoint*.go); they
	// wait for replies through Replies.
	Endpoints weir.ExperienceEndpointService
	// EndpointReplyTimeout is how long an endpoint request waits for a
	// reply; 0 means DefaultEndpointReplyTimeout.
	EndpointReplyTimeout time.Duration

	// Cache, when set, answers the webhook endpoint's reads (webhook by
	// token, the flows it triggers) from memory; the routes that change
	// applications, flows, versions or webhooks invalidate it.
	Cache *engine.FlowCache

	// RequestReplyTimeout is how long a request to an edge flow's HTTP
	// request trigger (/edge/{applicationId}/…) waits for an HTTP Response
	// node; 0 means DefaultRequestReplyTimeout.
	RequestReplyTimeout time.Duration

	// BodyReadTimeout is how long a request's body may take to arrive once
	// its headers have; 0 means BodyReadTimeout (see LimitBodyTime).
	BodyReadTimeout time.Duration

	// Devices, States, Commands and Keys, when set, serve the device, state,
	// command and access key resources and POST /auth/device (device*.go,
	// application_key*.go, auth_device.go); all four are needed.
	Devices  weir.DeviceService
	States   weir.DeviceStateService
	Commands weir.DeviceCommandService
	Keys     weir.ApplicationKeyService
	// DeviceLogs, when set beside them, serves the devices' connection logs
	// (device_log.go).
	DeviceLogs weir.DeviceLogService
	// Recipes, when set beside Devices and Keys, serves the device recipe
	// resources (device_recipe*.go).
	Recipes weir.DeviceRecipeService
	// CommandSender, when set, delivers sent commands to connected devices.
	CommandSender weir.CommandSender
	// DeviceStreams, when set beside Devices, serves the devices' live
	// state and command streams (device_stream.go).
	DeviceStreams DeviceStreamSource
	// DeviceLimiter, when set, caps the state messages of each device (keyed
	// by device id, shared with MQTT): over it, sendState answers 429.
	DeviceLimiter Limiter
	// DeviceEvents, when set, hears of accepted state and connection
	// changes (device triggers start runs from them).
	DeviceEvents weir.DeviceEventHandler
	// Events, when set, serves the event resources (event*.go); creations
	// and changes go to EventHandler (the Event triggers) when set, and
	// EventLimiter, when set, caps creations per application (keyed by
	// application id, shared with the Event: Create node): over it, 429.
	Events       weir.EventService
	EventHandler weir.EventHandler
	EventLimiter Limiter

	// Views and Files, when set, serve the experience view and file
	// resources and the files themselves at FilesPath (experience_view*.go,
	// file*.go); ExperienceVersions keeps the develop version's settings
	// (experience_version.go); MaxFileSize caps one file's content (0:
	// weir.DefaultMaxFileSize).
	Views              weir.ExperienceViewService
	Files              weir.ApplicationFileService
	ExperienceVersions weir.ExperienceVersionService
	MaxFileSize        int64
	// Data, when set, answers the data resource's time-series and
	// last-value queries (data.go).
	Data weir.DataService

	// Tables, when set, serves the data table resources (data_table*.go);
	// TableEvents, when set, hears of row changes (the dataTable trigger).
	Tables      weir.DataTableService
	TableEvents weir.DataTableEventHandler
	// Console, when set, holds the console's files (web.Dist), served at
	// /console/ with / redirecting there; nil: no console, / answers 404.
	Console fs.FS

	// ExperienceUsers and ExperienceGroups, when set, serve the experience
	// user and group resources and sign experience users in to the
	// endpoints whose access asks for them (experience_*.go,
	// endpoint_access.go), through ExperienceAuth: when it is not set, an
	// auth.Experience over ExperienceUsers and the Signer's key, counting
	// failed sign-ins in this process.
	ExperienceUsers  weir.ExperienceUserService
	ExperienceGroups weir.ExperienceGroupService
	ExperienceAuth   weir.ExperienceAuth
	defaultAuth      struct {
		once sync.Once
		auth *auth.Experience
	}

	// ExportClient, when set, POSTs export jobs' results to their
	// callbackUrl (export.go); it should obey the HTTP node's egress policy
	// (nodes.NewEgressClient). Without it a callbackUrl is refused (400).
	ExportClient *http.Client
	exports      sync.WaitGroup // the export jobs running

	// Pages, when set, renders the static page replies of endpoints no
	// workflow handles (endpoint_static.go); without it they answer 503.
	Pages *engine.Views

	// Kept, when set, keeps applications' dashboards, notebooks and
	// resource jobs (kept_resource.go).
	Kept weir.KeptResourceService

	// ExperienceDomain, when set, gives each application's experience a
	// host of its own, {applicationId}.{ExperienceDomain} (and
	// {endpointSlug}.{ExperienceDomain} when it has one), serving its
	// endpoints from the root and its files (experience_host.go); ""
	// serves experiences only below /experience/{applicationId}/.
	ExperienceDomain string

	// Metrics, when set, serves GET /metrics (scope metrics.get or a user
	// token's all.User); without it the route answers 404.
	Metrics http.Handler

	streams streams
}

// Limiter decides whether one more use of a key (a flow's virtual button) is
// allowed now, and if not, how long to wait. A refused press is answered 429
// with a Retry-After header and starts no run.
type Limiter = engine.Limiter

// NewServer returns a Server with a 1 MiB body limit, the real clock and a
// logger that discards; set the services before calling Handler.
func NewServer() *Server {
	return &Server{
		Logger:       slog.New(slog.DiscardHandler),
		Now:          time.Now,
		MaxBodyBytes: DefaultMaxBodyBytes,
	}
}

// Handler returns the API's root handler: every route of routes.go, GET
// /health, GET /specs, the console when Console is set, JSON 404/405
// answers, and panic recovery.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	methods := map[string][]string{} // path pattern -> methods
	for _, rt := range s.routes() {
		if _, ok := actionScopes[rt.action]; !ok {
			panic("http: no scopes for action " + rt.action)
		}
		mux.Handle(rt.method+" "+rt.path, s.serve(rt))
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	methods["/health"] = []string{http.MethodGet}
	mux.HandleFunc("GET /specs", s.handleSpecs)
	mux.HandleFunc("POST /specs/check", s.handleSpecsCheck)
	if s.Console != nil {
		mux.Handle("GET "+ConsolePath, consoleHandler(s.Console))
		mux.Handle("GET /{$}", http.RedirectHandler(ConsolePath, http.StatusFound))
	}
	for pattern, h := range s.publicRoutes() {
		mux.Handle(pattern, h)
	}
	// One 405 pattern per unserved method, not one method-less pattern: a
	// method-less "/flows/import" would conflict with "GET /flows/{flowId}".
	for p, ms := range methods {
		for _, m := range allMethods {
			if !slices.Contains(ms, m) && (m != http.MethodHead || !slices.Contains(ms, http.MethodGet)) {
				mux.Handle(m+" "+p, s.methodNotAllowed(ms))
			}
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, weir.Errorf(weir.NotFound, "%s does not exist", r.URL.Path))
	})
	// An application's experience host serves its experience alone
	// (experience_host.go); every other host gets the routes above.
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if label, ok := s.experienceHostLabel(r); ok {
			s.serveExperienceHost(w, r, label)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return s.recoverPanics(LimitBodyTime(root, s.BodyReadTimeout))
}

// allMethods are the methods a known path answers 405 to when it does not
// serve them.
var allMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace,
}

// request is what the pipeline learned about a request before its handler
// runs: validated ids, query values (defaults applied), body and caller.
type request struct {
	appID, flowID, tokenID string
	webhookID              string
	endpointID             string // experienceEndpointId
	deviceID, keyID        string // deviceId, applicationKeyId
	eventID                string // eventId
	flowSource             string // the calling flow, for calls from a run (Caller.CallAPI)
	viewID, fileID         string // experienceViewId, fileId
	tableID, rowID         string // dataTableId, rowId
	userID, groupID        string // experienceUserId, experienceGroupId
	recipeID               string // deviceRecipeId
	runID                  string // runId: a logged run
	versionID              string // the flowVersionId path segment: a version id or name
	query                  map[string]string
	body                   json.RawMessage // nil when absent
	identity               *weir.Identity
	app                    *weir.Application // set on application-scoped routes
	links                  bool              // _links requested
}

// serve runs Losant's processing order for one route: validate params and
// body (400), authenticate (401), authorize (403), then the handler.
func (s *Server) serve(rt route) http.Handler {
	accepted := actionScopes[rt.action]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = s.invalidating(w, rt)
		req, err := s.parse(w, r, rt)
		if err == nil {
			req.identity, err = s.authenticate(r)
		}
		if c := internalCaller(r.Context()); err == nil && c != nil {
			req.flowSource = c.flowID
		}
		if err == nil {
			err = authorize(req.identity, accepted, req.appID != "")
		}
		if err == nil && req.appID != "" {
			req.app, err = s.findVisibleApplication(r, req.identity, req.appID, freshApplication[rt.action])
		}
		if err == nil && req.identity.OwnerType == weir.OwnerDevice && req.deviceID != "" && req.deviceID != req.identity.OwnerID {
			err = weir.Errorf(weir.Forbidden, msgForbidden) // a device token reaches only its own device
		}
		if err == nil {
			err = rt.handle(w, r, req)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// parse validates path ids, query parameters and the body of r.
func (s *Server) parse(w http.ResponseWriter, r *http.Request, rt route) (*request, error) {
	req := &request{links: true}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"applicationId", &req.appID}, {"flowId", &req.flowID}, {"apiTokenId", &req.tokenID}, {"webhookId", &req.webhookID},
		{"experienceEndpointId", &req.endpointID}, {"deviceId", &req.deviceID}, {"applicationKeyId", &req.keyID},
		{"eventId", &req.eventID}, {"experienceViewId", &req.viewID}, {"fileId", &req.fileID},
		{"dataTableId", &req.tableID}, {"rowId", &req.rowID},
		{"experienceUserId", &req.userID}, {"experienceGroupId", &req.groupID}, {"deviceRecipeId", &req.recipeID},
		{"runId", &req.runID}} {
		v := r.PathValue(p.name)
		if v == "" && !strings.Contains(rt.path, "{"+p.name+"}") {
			continue
		}
		if !weir.ValidID(v) {
			return nil, weir.Errorf(weir.Validation, "%s pattern mismatch", p.name)
		}
		*p.dst = strings.ToLower(v)
	}

	if strings.Contains(rt.path, "{flowVersionId}") {
		req.versionID = r.PathValue("flowVersionId")
		if n := len([]rune(req.versionID)); n < 1 || n > 255 {
			return nil, weir.Errorf(weir.Validation, "flowVersionId must be between 1 and 255 characters")
		}
	}

	q := r.URL.Query()
	if v := q.Get("_links"); v != "" && !truthy(v) {
		req.links = false
	}
	var err error
	if req.query, err = parseQuery(q, rt.query); err != nil {
		return nil, err
	}

	if rt.body == nil {
		return req, nil
	}
	if rt.body.multipart {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
			return nil, weir.Errorf(weir.Validation, "%s is required: send a multipart/form-data body with it as a file", rt.body.param)
		}
		return req, nil
	}
	max := s.MaxBodyBytes
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	b, err := readBody(w, r, max, rt.body.param)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if rt.body.required {
			return nil, weir.Errorf(weir.Validation, "%s is required", rt.body.param)
		}
		return req, nil
	}
	req.body, err = decodeBody(b, rt.body.param, rt.body.schema)
	return req, err
}

// methodNotAllowed answers 405 for a known path requested with a method it
// does not serve.
func (s *Server) methodNotAllowed(methods []string) http.Handler {
	allow := slices.Clone(methods)
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	slices.Sort(allow)
	header := strings.Join(allow, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", header)
		s.writeError(w, r, weir.Errorf(weir.MethodNotAllowed, "%s is not allowed", r.Method))
	})
}

// recoverPanics turns a handler panic into a logged 500.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger().Error("http: panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeJSON(w, http.StatusInternalServerError, errorResponse{Type: weir.Internal, Message: "Internal error"})
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// truthy reports whether a boolean query value means true, the way Losant
// reads them ("true", "1", "yes").
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		return true
	}
	return false
}
