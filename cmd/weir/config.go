package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/nats"
)

// Config holds every setting of weir serve. Each has a flag and an
// environment twin; a flag wins over the environment, which wins over the
// default.
type Config struct {
	Addr         string
	DataDir      string
	Store        string // "" or "sqlite": SQLite in DataDir; a postgres:// URL: PostgreSQL
	Queue        string // "": the store's own run queue; a nats:// URL: NATS JetStream
	MQTTURL      string // broker for MQTT nodes and MQTT topic triggers; "" for none
	MQTTAddr     string // listen address of the MQTT endpoint for devices; "" for none
	MQTTWSAddr   string // listen address of MQTT over WebSockets for devices; "" for none
	MQTTTLSCert  string // PEM certificate (chain) file: the device listeners serve TLS; "" for none
	MQTTTLSKey   string // PEM private key file of MQTTTLSCert
	LogLevel     string
	LogFormat    string
	Workers      int
	FlowWorkers  int // runs of one flow at once; 0: half of Workers
	AppWorkers   int // runs of one application at once; 0: three quarters of Workers
	RunTimeout   time.Duration
	Sync         bool
	Shutdown     time.Duration
	PressLimit   int           // virtual button presses per button per 10 s; 0: no limit
	WebhookLimit int           // webhook requests per webhook per 10 s; 0: no limit
	DeviceLimit  int           // state messages per device per 15 s; 0: no limit
	EventLimit   int           // events created per application per second; 0: no limit
	LogKeep      int           // run log entries kept per flow; 0: no count limit
	LogMaxAge    time.Duration // run log entries older than this are deleted; 0: no age limit
	StateMaxAge  time.Duration // device state reports older than this are deleted; 0: kept
	HTTPEgress   string        // destinations the HTTP node may reach: all, lan or public
	StorageKeys  int           // keys per flow's storage; 0: no limit
	DebugAddr    string        // listen address of the Go runtime profiles; "" for none
	Console      bool          // serve the web console at /console/
	QuickRuns    bool          // execute runs of contained flows as they are accepted (SQLite, no --queue)

	// ExperienceDomain gives each application's experience a host of its
	// own below it: {applicationId}.{ExperienceDomain}, and
	// {endpointSlug}.{ExperienceDomain} for one with a slug; "" for none.
	ExperienceDomain string

	envErr error // a setting's environment could not be read; reported by Validate
}

// DefaultMQTTAddr is where devices connect over MQTT unless told otherwise.
const DefaultMQTTAddr = "127.0.0.1:1883"

// DefaultDeviceLimit and deviceLimitWindow are Losant's limit of incoming
// messages per device: 30 per 15 s.
const (
	DefaultDeviceLimit = 30
	deviceLimitWindow  = 15 * time.Second
)

// DefaultConfig returns the settings weir serve uses when none are given.
func DefaultConfig() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		MQTTAddr:     DefaultMQTTAddr,
		DataDir:      "./weir-data",
		LogLevel:     "info",
		LogFormat:    "text",
		Workers:      64,
		RunTimeout:   60 * time.Second,
		Shutdown:     30 * time.Second,
		PressLimit:   100,
		WebhookLimit: 100,
		DeviceLimit:  DefaultDeviceLimit,
		EventLimit:   weir.DefaultEventLimit,
		LogKeep:      1000,
		LogMaxAge:    30 * 24 * time.Hour,
		StateMaxAge:  weir.DefaultStateRetention,
		HTTPEgress:   "lan",
		StorageKeys:  weir.DefaultMaxStorageKeys,
		Console:      true,
		QuickRuns:    true,

		ExperienceDomain: weirhttp.DefaultExperienceDomain,
	}
}

// bind registers c's flags on fs, with defaults taken from the environment.
func (c *Config) bind(fs *flag.FlagSet) {
	str(fs, &c.Addr, "addr", "WEIR_ADDR", "listen address")
	str(fs, &c.DataDir, "data", "WEIR_DATA", "data directory (SQLite database)")
	c.secret(fs, &c.Store, "store", "WEIR_STORE", "store: sqlite (in the data directory) or a postgres:// URL")
	c.secret(fs, &c.Queue, "queue", "WEIR_QUEUE", "run dispatch: the store's own queue (default) or a nats:// URL of a NATS server with JetStream")
	str(fs, &c.MQTTAddr, "mqtt-addr", "WEIR_MQTT_ADDR", "listen address of the MQTT endpoint devices connect to; when the default is taken weir says so and serves the rest; \"\" turns it off")
	str(fs, &c.MQTTWSAddr, "mqtt-ws-addr", "WEIR_MQTT_WS_ADDR", "listen address of MQTT over WebSockets for devices, served at /mqtt (default: none)")
	str(fs, &c.MQTTTLSCert, "mqtt-tls-cert", "WEIR_MQTT_TLS_CERT", "PEM certificate file (with its chain): --mqtt-addr and --mqtt-ws-addr serve TLS (mqtts, wss) (default: none)")
	str(fs, &c.MQTTTLSKey, "mqtt-tls-key", "WEIR_MQTT_TLS_KEY", "PEM private key file of --mqtt-tls-cert")
	c.secret(fs, &c.MQTTURL, "mqtt-url", "WEIR_MQTT_URL", "MQTT broker the MQTT node publishes to and MQTT topic triggers subscribe to, e.g. tcp://127.0.0.1:1883 (default: none)")
	str(fs, &c.LogLevel, "log-level", "WEIR_LOG_LEVEL", "log level: debug, info, warn or error")
	str(fs, &c.LogFormat, "log-format", "WEIR_LOG_FORMAT", "log format: text or json")
	integer(fs, &c.Workers, "workers", "WEIR_WORKERS", "runs executed concurrently")
	integer(fs, &c.FlowWorkers, "flow-workers", "WEIR_FLOW_WORKERS", "runs of one flow executed concurrently (default: half of --workers)")
	integer(fs, &c.AppWorkers, "application-workers", "WEIR_APPLICATION_WORKERS", "runs of one application executed concurrently (default: three quarters of --workers)")
	duration(fs, &c.RunTimeout, "run-timeout", "WEIR_RUN_TIMEOUT", "time limit of one run")
	boolean(fs, &c.Sync, "sync", "WEIR_SYNC", "fsync every commit (survives power loss, not only a crash of weir)")
	duration(fs, &c.Shutdown, "shutdown-timeout", "WEIR_SHUTDOWN_TIMEOUT", "how long shutdown waits for in-flight runs")
	integer(fs, &c.PressLimit, "press-limit", "WEIR_PRESS_LIMIT", "virtual button presses allowed per button per 10 s (0: no limit)")
	integer(fs, &c.WebhookLimit, "webhook-limit", "WEIR_WEBHOOK_LIMIT", "requests allowed per webhook per 10 s (0: no limit)")
	integer(fs, &c.DeviceLimit, "device-limit", "WEIR_DEVICE_LIMIT", "state messages allowed per device per 15 s, over MQTT and REST together; a device over it is disconnected (MQTT) or answered 429 (REST) (0: no limit)")
	integer(fs, &c.EventLimit, "event-limit", "WEIR_EVENT_LIMIT", "events created per application per second, over REST and Event: Create nodes together; over it, 429 (REST) or TooManyRequests at the node's result path (0: no limit)")
	integer(fs, &c.LogKeep, "log-keep", "WEIR_LOG_KEEP", "run log entries kept per flow (0: no count limit)")
	duration(fs, &c.LogMaxAge, "log-max-age", "WEIR_LOG_MAX_AGE", "run log entries older than this are deleted (0: keep them)")
	duration(fs, &c.StateMaxAge, "state-max-age", "WEIR_STATE_MAX_AGE", "device state reports older than this are deleted; each attribute's latest value stays (0: keep them)")
	integer(fs, &c.StorageKeys, "storage-keys", "WEIR_STORAGE_KEYS", "keys allowed in one flow's storage (0: no limit)")
	str(fs, &c.DebugAddr, "debug-addr", "WEIR_DEBUG_ADDR", "listen address of Go's runtime profiles (/debug/pprof/), e.g. 127.0.0.1:6060; unauthenticated, so keep it on loopback (default: none)")
	boolean(fs, &c.QuickRuns, "quick-runs", "WEIR_QUICK_RUNS", "execute a run that webhooks, endpoints and presses start as it is accepted, committing it in one write, when its flow reaches only storage, replies, debug and computing nodes (SQLite store, no --queue; --quick-runs=false queues every run)")
	boolean(fs, &c.Console, "console", "WEIR_CONSOLE", "serve the web console at /console/ (--console=false turns it off)")
	str(fs, &c.ExperienceDomain, "experience-domain", "WEIR_EXPERIENCE_DOMAIN", "domain below which each application's experience has its own host, http://{applicationId}.{domain}:{port}/ (and {endpointSlug}.{domain}), serving its endpoints from the root (\"\": only below /experience/{applicationId}/)")
	str(fs, &c.HTTPEgress, "http-egress", "WEIR_HTTP_EGRESS", "destinations the HTTP node may connect to: all; lan (all but link-local and cloud metadata addresses); public (no loopback, private, link-local or other non-public addresses)")
}

// Validate checks cross-option rules.
func (c *Config) Validate() error {
	if c.envErr != nil {
		return c.envErr
	}
	if _, err := c.level(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if c.EventLimit < 0 {
		return fmt.Errorf("--event-limit must not be negative")
	}
	if c.PressLimit < 0 || c.WebhookLimit < 0 || c.DeviceLimit < 0 || c.LogKeep < 0 || c.LogMaxAge < 0 || c.StateMaxAge < 0 || c.StorageKeys < 0 {
		return fmt.Errorf("--press-limit, --webhook-limit, --log-keep, --log-max-age and --storage-keys must not be negative")
	}
	if c.Workers < 1 {
		return fmt.Errorf("--workers must be at least 1")
	}
	if c.FlowWorkers < 0 || c.AppWorkers < 0 {
		return fmt.Errorf("--flow-workers and --application-workers must not be negative")
	}
	if c.RunTimeout <= 0 || c.Shutdown < 0 {
		return fmt.Errorf("--run-timeout must be positive and --shutdown-timeout not negative")
	}
	if c.Store != "" && c.Store != "sqlite" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		return fmt.Errorf("--store must be sqlite or a postgres:// URL")
	}
	if c.Queue != "" {
		if _, _, err := nats.ParseQueueURL(c.Queue); err != nil {
			return fmt.Errorf("--queue: %w", err)
		}
	}
	if c.DataDir == "" {
		return fmt.Errorf("--data is required")
	}
	if (c.MQTTTLSCert == "") != (c.MQTTTLSKey == "") {
		return fmt.Errorf("--mqtt-tls-cert and --mqtt-tls-key go together")
	}
	if _, err := engine.ParseEgress(c.HTTPEgress); err != nil {
		return fmt.Errorf("--http-egress: %w", err)
	}
	if err := weirhttp.ValidExperienceDomain(c.ExperienceDomain); err != nil {
		return fmt.Errorf("--experience-domain: %w", err)
	}
	return nil
}

// Logger builds the process logger on w.
func (c *Config) Logger(w *os.File) *slog.Logger {
	lvl, _ := c.level()
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (c *Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level: %w", err)
	}
	return l, nil
}

func str(fs *flag.FlagSet, p *string, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		*p = v
	}
	fs.StringVar(p, name, *p, usage+" (env "+env+")")
}

// secret is str for a setting that may hold a password (a URL with
// credentials): besides the flag and env, env+"_FILE" may name a file
// holding the value, so that it appears neither in the command line nor in
// the environment of the process.
func (c *Config) secret(fs *flag.FlagSet, p *string, name, env, usage string) {
	if file, ok := os.LookupEnv(env + "_FILE"); ok {
		if _, both := os.LookupEnv(env); both {
			c.envErr = fmt.Errorf("set %s or %s_FILE, not both", env, env)
		} else if b, err := os.ReadFile(file); err != nil {
			c.envErr = fmt.Errorf("%s_FILE: %w", env, err)
		} else {
			*p = strings.TrimSpace(string(b))
		}
	}
	str(fs, p, name, env, usage+"; "+env+"_FILE may name a file holding it")
}

func integer(fs *flag.FlagSet, p *int, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		if n, err := strconv.Atoi(v); err == nil {
			*p = n
		}
	}
	fs.IntVar(p, name, *p, usage+" (env "+env+")")
}

func duration(fs *flag.FlagSet, p *time.Duration, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		if d, err := parseDuration(v); err == nil {
			*p = d
		}
	}
	fs.Func(name, fmt.Sprintf("%s (env %s, default %s)", usage, env, *p), func(s string) error {
		d, err := parseDuration(s)
		*p = d
		return err
	})
}

func boolean(fs *flag.FlagSet, p *bool, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			*p = b
		}
	}
	fs.BoolVar(p, name, *p, usage+" (env "+env+")")
}

// parseDuration is time.ParseDuration that also accepts whole days ("30d").
func parseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
