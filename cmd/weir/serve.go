package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/metrics"
	"github.com/weirhq/weir/mqtt"
	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/nodes" // registers the node types; the egress client
	"github.com/weirhq/weir/triggers"
	"github.com/weirhq/weir/web"
)

// Main is a running weir server: the wiring of store, engine and API.
type Main struct {
	Config Config
	Stdout io.Writer    // where the first owner token is printed
	Logger *slog.Logger // defaults to Config's logger on stderr

	inst     *instance
	executor *engine.Executor
	timers   *triggers.Timers
	pruner   *logPruner
	mqtt     *mqtt.Publisher
	mqttSub  *mqtt.Subscriber     // nil without --mqtt-url
	topics   *triggers.MQTTTopics // nil with neither --mqtt-url nor the MQTT endpoint for devices
	nats     *nats.Client         // nil unless --queue names a NATS server
	queue    *nats.Queue          // nil unless --queue names a NATS server
	cluster  *cluster             // nil unless --queue names a NATS server
	server   *http.Server
	exports  *weirhttp.Server // its export jobs finish before Close returns
	ln       net.Listener
	debug    *debugServer        // nil without --debug-addr
	broker   *broker.Broker      // nil when the MQTT endpoint for devices is not served
	own      engine.OwnListeners // the listeners above, which the HTTP node never reaches
	metrics  *metrics.Metrics
	served   chan error

	inactivity *triggers.Inactivity // fires the device inactivity triggers

	bodyReadTimeout time.Duration // of both listeners; 0: weirhttp.BodyReadTimeout (tests shorten it)
}

// Open opens the data directory, starts the executor and starts serving.
func (m *Main) Open(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	if m.Logger == nil {
		m.Logger = m.Config.Logger(os.Stderr)
	}
	inst, err := openInstance(m.Config)
	if err != nil {
		return err
	}
	m.inst = inst
	if m.debug, err = openDebugServer(m.Config.DebugAddr, m.bodyReadTimeout); err != nil {
		return err
	}
	if m.debug != nil {
		m.own.Add(m.debug.ln.Addr())
	}
	if m.Config.Queue != "" {
		server, _, err := nats.ParseQueueURL(m.Config.Queue)
		if err != nil {
			return err
		}
		if m.nats, err = nats.Dial(server, "weir-"+weir.NewKey(8)); err != nil {
			return err
		}
	}
	runs, err := m.runQueue(ctx) // every accepted run goes through it
	if err != nil {
		return err
	}
	if err := m.openMetrics(); err != nil {
		return err
	}
	runs = m.metrics.Queue(runs)
	hub := &engine.DebugHub{}
	replies := &engine.ReplyHub{} // webhook requests waiting for a Webhook Reply node
	if m.nats != nil {
		if err := m.openCluster(hub, replies); err != nil {
			return err
		}
	}
	limiter, err := m.countedLimiter(ctx, "presses", m.Config.PressLimit) // for API presses and Workflow Trigger nodes
	if err != nil {
		return err
	}
	if m.Config.MQTTURL != "" {
		// The ledger tells the MQTT topic triggers which messages this
		// process's flows published (relay type flow).
		m.mqtt = &mqtt.Publisher{URL: m.Config.MQTTURL, ClientID: "weir-" + weir.NewKey(8), Ledger: &mqtt.Ledger{}}
	}
	// What webhook requests and runs read on every use; the API's writes
	// invalidate it, other processes' writes are seen within a second (at
	// once in a cluster, see shareCache).
	cache := &engine.FlowCache{Flows: inst.DB, Versions: inst.DB, Applications: inst.DB, Webhooks: inst.DB}
	// The token records that authenticate requests, kept for up to a
	// second; this process's token changes apply at once, other processes'
	// within the second (at once in a cluster, see shareCache).
	tokens := &weirhttp.TokenCache{Tokens: inst.DB}
	// Device state and connection changes start the runs of device triggers;
	// devices connect over MQTT (when served) and get commands through it.
	deviceTriggers := &triggers.Devices{Flows: inst.DB, Versions: inst.DB, Queue: runs, Logger: m.Logger}
	deviceTriggers.Index = cache // the flows' triggers, kept as the flows change
	// The devices' live state and command streams hear every report and
	// command of this process (MQTT, REST and nodes) before the triggers.
	deviceStreams := &engine.DeviceStreams{Next: deviceTriggers}
	deviceLimiter, err := m.limiterPer(ctx, "devices", m.Config.DeviceLimit, deviceLimitWindow)
	if err != nil {
		return err
	}
	if err := m.openDevices(deviceStreams, deviceLimiter, runs); err != nil {
		return err
	}
	devices := &engine.Devices{Devices: inst.DB, States: inst.DB, Commands: inst.DB, Events: deviceStreams, Recipes: inst.DB}
	// Events: created within the per-application limit (REST and nodes
	// alike), their creations and state changes fire Event triggers. The
	// Losant API node calls the API's routes in process, once it is built.
	eventLimiter, err := m.limiterPer(ctx, "events", m.Config.EventLimit, time.Second)
	if err != nil {
		return err
	}
	events := &engine.Events{Events: inst.DB, Limiter: eventLimiter, Devices: inst.DB,
		Handler: &triggers.Events{Flows: inst.DB, Versions: inst.DB, Queue: runs, Logger: m.Logger, Index: cache}}
	apiCaller := &weirhttp.Caller{}
	devices.Data = inst.DB
	if m.broker != nil {
		devices.Sender = m.broker
	}
	// Experience users sign in to endpoints and through the experience
	// nodes.
	experience, err := m.openExperience(ctx)
	if err != nil {
		return err
	}
	var storage weir.StorageService = m.metrics.Storage(inst.DB)
	var quick *engine.QuickRuns
	if _, ok := inst.DB.(weir.RunCommitter); ok && m.Config.Queue == "" && m.Config.QuickRuns {
		// Runs that webhooks, endpoints and presses start execute as they
		// are accepted when their flow allows it, committed in one write
		// (engine.QuickRuns); the others are queued as before. Other
		// storage writes go through it so that it reads what they wrote.
		quick = &engine.QuickRuns{RunQueue: runs, Commits: runs.(weir.RunCommitter)}
		storage = quick.Forgetting(storage)
	}
	m.executor = &engine.Executor{
		Queue: runs, Flows: inst.DB, Versions: inst.DB, Applications: inst.DB, Storage: storage, State: inst.DB,
		Logger: m.Logger, Workers: m.Config.Workers, RunTimeout: m.Config.RunTimeout,
		FlowWorkers: m.Config.FlowWorkers, ApplicationWorkers: m.Config.AppWorkers,
		Debug:   m.debugSink(hub),
		Buttons: &engine.Buttons{Flows: inst.DB, Versions: inst.DB, Runs: runs, Limiter: limiter, Cache: cache},
		Replies: replies,
		Cache:   cache,
		Devices: devices,
		Events:  events, API: apiCaller,
	}
	// Page replies render the application's experience views; {{file}}
	// points at the files the API serves.
	m.executor.Views = &engine.Views{Views: inst.DB, FileURL: weirhttp.FileURL}
	// Row changes, through the API or the data table nodes, start the runs
	// of dataTable triggers.
	tableTriggers := &triggers.DataTables{Flows: inst.DB, Versions: inst.DB, Queue: runs, Logger: m.Logger}
	tableTriggers.Index = cache
	m.executor.Tables = &engine.Tables{Tables: inst.DB, Events: tableTriggers}
	m.executor.Publish = m.publisher()
	m.executor.Egress, _ = engine.ParseEgress(m.Config.HTTPEgress) // checked by Validate
	m.executor.Own = &m.own
	m.executor.Experience = experience
	// Runs an experience endpoint starts see the version's globals.
	m.executor.ExperienceVersions = inst.DB
	// Live trace streams: each completed run's path, to the console's
	// open editors of its flow (in a cluster, every process's runs).
	traces := &engine.TraceHub{}
	m.executor.Traces = traces
	if m.nats != nil {
		if err := m.shareTraces(traces); err != nil {
			return err
		}
	}
	if err := m.executor.Open(); err != nil {
		return err
	}
	m.pruner = &logPruner{logs: inst.DB, keep: m.Config.LogKeep, maxAge: m.Config.LogMaxAge, every: time.Minute, logger: m.Logger,
		states: inst.DB, stateMaxAge: m.Config.StateMaxAge}
	m.pruner.open()
	m.timers = &triggers.Timers{Flows: inst.DB, Versions: inst.DB, Queue: runs, Logger: m.Logger}
	if err := m.timers.Open(); err != nil {
		return err
	}
	m.inactivity = &triggers.Inactivity{Flows: inst.DB, Versions: inst.DB, Devices: inst.DB, Marks: inst.DB, Queue: runs, Logger: m.Logger}
	if err := m.inactivity.Open(); err != nil {
		return err
	}
	if err := m.openMQTTTriggers(cache, runs); err != nil {
		return err
	}
	if m.nats != nil {
		if err := m.shareCache(cache, tokens); err != nil {
			return err
		}
	}
	api := weirhttp.NewServer()
	api.Applications, api.Flows, api.Tokens = inst.DB, inst.DB, tokens
	api.Versions = inst.DB
	api.Storage, api.Logs, api.Runs = storage, inst.DB, runs
	if quick != nil {
		quick.Executor, api.Runs = m.executor, quick
	}
	api.Signer, api.Logger, api.Debug, api.ButtonLimiter = inst.Signer, m.Logger, hub, limiter
	api.Traces = traces
	api.Webhooks, api.Endpoints, api.Replies = inst.DB, inst.DB, replies
	api.Devices, api.States, api.Commands, api.Keys = inst.DB, inst.DB, inst.DB, inst.DB
	api.DeviceLogs, api.Recipes = inst.DB, inst.DB
	api.Data = inst.DB
	api.DeviceEvents, api.CommandSender, api.DeviceLimiter = deviceStreams, devices.Sender, deviceLimiter
	api.DeviceStreams = deviceStreams
	api.Tables, api.TableEvents = inst.DB, tableTriggers
	api.Cache = cache
	api.Events, api.EventHandler, api.EventLimiter = inst.DB, events.Handler, eventLimiter
	api.Views, api.Files, api.ExperienceVersions = inst.DB, inst.DB, inst.DB
	api.ExperienceUsers, api.ExperienceGroups, api.ExperienceAuth = experience.Users, experience.Groups, experience.Auth
	api.BodyReadTimeout = m.bodyReadTimeout
	api.ExperienceDomain = m.Config.ExperienceDomain
	api.Kept = inst.DB
	api.Pages = m.executor.Views
	if m.Config.Console {
		api.Console = web.Dist()
	}
	api.Metrics = m.metrics.Handler()
	// Export jobs' callbacks go out under the HTTP node's egress policy.
	api.ExportClient = nodes.NewEgressClient(m.executor.Egress, &m.own, time.Minute)
	m.exports = api
	if api.WebhookLimiter, err = m.countedLimiter(ctx, "webhooks", m.Config.WebhookLimit); err != nil {
		return err
	}
	apiCaller.Serve(api) // the API is complete: runs' Losant API nodes may call it
	// Against slow clients: headers in 10 s, bodies in 30 s (the handler's
	// LimitBodyTime), 2 minutes idle; no write timeout, which would end
	// debug streams and replies waited for.
	m.server = &http.Server{
		Handler:           m.metrics.Requests(api.Handler()),
		ReadHeaderTimeout: weirhttp.ReadHeaderTimeout,
		IdleTimeout:       weirhttp.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.server.RegisterOnShutdown(api.StopStreams)
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return err
	}
	m.own.Add(m.ln.Addr())
	// Only now that the address is bound: a start that fails before
	// creates no token it would never show again.
	if err := m.printOwnerToken(ctx); err != nil {
		m.ln.Close()
		return err
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.ln) }()
	m.Logger.Info("weir is serving", "addr", m.Addr(), "data", m.Config.DataDir, "console", m.Config.Console)
	return nil
}

// openMQTTTriggers subscribes to the MQTT topic triggers of enabled flows on
// the --mqtt-url broker, when one is given; the API's flow changes reach
// them through the cache's invalidations. Scaled out (--queue), the
// processes subscribe as one shared subscription group, so that each
// message starts its runs once, queued on runs, the queue the executors
// claim from.
func (m *Main) openMQTTTriggers(cache *engine.FlowCache, runs weir.RunQueue) error {
	if m.Config.MQTTURL == "" {
		return m.openLocalMQTTTriggers(cache)
	}
	m.topics = &triggers.MQTTTopics{Flows: m.inst.DB, Versions: m.inst.DB, Queue: runs, Logger: m.Logger,
		Origins: m.mqtt.Ledger}
	m.mqttSub = &mqtt.Subscriber{URL: m.Config.MQTTURL, ClientID: "weir-" + weir.NewKey(8), Logger: m.Logger,
		Handle: m.topics.Deliver}
	if m.nats != nil {
		// Processes sharing a queue split the messages: each starts one run.
		// The group is named after the cluster, so that clusters sharing a
		// broker each get every message.
		m.mqttSub.Share = clusterPrefix(m.Config.Queue)
	}
	m.topics.Broker = m.mqttSub
	if err := m.mqttSub.Open(); err != nil {
		return err
	}
	cache.OnInvalidate = m.topics.Changed
	return m.topics.Open()
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Wait blocks until ctx ends or the server fails.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.served:
		return err
	}
}

// Close stops accepting requests, lets in-flight requests and runs finish
// within the shutdown timeout, and closes the store.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.Shutdown)
	defer cancel()
	var errs []error
	if m.server != nil {
		errs = append(errs, m.server.Shutdown(ctx))
	}
	if m.exports != nil {
		errs = append(errs, m.exports.WaitExports(ctx))
	}
	if m.broker != nil {
		errs = append(errs, m.broker.Close())
	}
	if m.timers != nil {
		errs = append(errs, m.timers.Close())
	}
	if m.inactivity != nil {
		errs = append(errs, m.inactivity.Close())
	}
	if m.topics != nil {
		errs = append(errs, m.topics.Close())
	}
	if m.mqttSub != nil {
		errs = append(errs, m.mqttSub.Close())
	}
	if m.pruner != nil {
		m.pruner.close()
	}
	if m.executor != nil {
		if err := m.executor.Close(ctx); err != nil {
			m.Logger.Warn("shutdown left runs unfinished; they run again at next start", "err", err)
		}
	}
	if m.mqtt != nil {
		errs = append(errs, m.mqtt.Close())
	}
	errs = append(errs, m.closeQueue())
	if m.nats != nil {
		errs = append(errs, m.cluster.close(), m.nats.Close())
	}
	if m.inst != nil {
		errs = append(errs, m.inst.DB.Close())
	}
	errs = append(errs, m.debug.close())
	return errors.Join(errs...)
}

// printOwnerToken prints a token for the owner when the instance has none,
// and a link that opens the console signed in with it.
func (m *Main) printOwnerToken(ctx context.Context) error {
	tok, err := m.inst.ensureOwnerToken(ctx)
	if err != nil || tok == "" {
		return err
	}
	out := m.Stdout
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintf(out, "Owner API token (scope all.User; shown only this once, use it as 'Authorization: Bearer <token>'):\n%s\n", tok)
	if m.Config.Console {
		fmt.Fprintf(out, "Console (signed in with this token): %s\n", consoleLink(m.Addr(), tok))
	}
	return nil
}

// debugSink publishes Debug node output to the flows' live debug streams,
// and also logs it when the log level is debug.
func (m *Main) debugSink(hub *engine.DebugHub) func(engine.DebugMessage) {
	if !m.Logger.Enabled(context.Background(), slog.LevelDebug) {
		return hub.Publish
	}
	return func(d engine.DebugMessage) {
		hub.Publish(d)
		m.Logger.Debug("debug node", "flow_id", d.FlowID, "run_id", d.RunID, "node_id", d.NodeID,
			"level", d.Level, "message", d.Message)
	}
}

// runServe is the serve subcommand.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := &Main{Config: DefaultConfig(), Stdout: stdout}
	fs := flag.NewFlagSet("weir serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m.Config.bind(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	tuneGC(ctx)
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	releaseStartupMemory()
	err := m.Wait(ctx)
	m.Logger.Info("shutting down")
	return errors.Join(err, m.Close())
}
