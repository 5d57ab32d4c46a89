package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/flowfile"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/nodes"
	"github.com/weirhq/weir/triggers"
)

// corpusDir holds Losant's public application templates, the workflow
// files the flowfile tests parse.
const corpusDir = "../../flowfile/testdata/losant-library-templates"

// corpusRunnableFiles is how many corpus workflow files use only node and
// trigger types weir implements (and Losant API actions weir serves);
// asserted so that a regression shows up.
const corpusRunnableFiles = 105

// silentCorpusFiles are the corpus workflow files one of whose endpoint
// flows answers nothing to the bodiless request the run gives it, by the
// template's design, and why.
var silentCorpusFiles = map[string]string{
	"experiences/boilerplates/connected-product-foundation/experience/develop/workflows/cpf-page-profile.yaml": "" +
		"POST /me/profile switches on data.body.user-action and its Switch has no default path",
}

// startedTriggers are the trigger types the corpus run starts runs from.
var startedTriggers = map[string]bool{
	engine.TriggerVirtualButton: true, "webhook": true, "endpoint": true, engine.TriggerRequest: true,
	triggers.TriggerMQTTTopic: true,
}

// localHTTP answers every HTTP node request with 200 {"ok":true} and
// records the hosts asked, so that no run reaches the network.
type localHTTP struct {
	mu    sync.Mutex
	hosts map[string]int
}

func (l *localHTTP) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	l.mu.Lock()
	l.hosts[r.URL.Host]++
	l.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(`{"ok":true}`)),
		Request: r,
	}, nil
}

// corpusRun is one run the test started and what became of it.
type corpusRun struct {
	file, flow, trigger string
	run                 *weir.Run
	reply               <-chan engine.Reply // endpoint and request runs: the request's reply
}

// TestCorpusRuns imports every corpus workflow file whose node and trigger
// types weir implements into one application, starts a run from each of
// its virtual button, webhook, endpoint, HTTP request and MQTT topic
// triggers through the real executor, and checks that every run completes
// without an engine error: a run that does not finish, a node that panics
// or does not build, a node type weir lacks, an endpoint or HTTP request
// that neither the flow nor its Workflow Error handlers answer. Node errors
// the templates' data provokes (an experience user that does not exist, a
// payload missing a field) are logged, not failed.
func TestCorpusRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and runs the whole corpus")
	}
	local := &localHTTP{hosts: map[string]int{}}
	nodes.SetHTTPTransport(local)
	t.Cleanup(func() { nodes.SetHTTPTransport(nil) })

	ctx := t.Context()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	inst, err := openInstance(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.DB.Close()
	app := &weir.Application{Name: "corpus", OwnerID: inst.OwnerID, OwnerType: "user"}
	if err := inst.DB.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	buttons := &engine.Buttons{Flows: inst.DB, Versions: inst.DB, Runs: inst.DB}
	hub := &engine.ReplyHub{}
	ex := &engine.Executor{
		Queue: inst.DB, Flows: inst.DB, Versions: inst.DB, Applications: inst.DB, Storage: inst.DB, State: inst.DB,
		Logger: slog.New(slog.DiscardHandler), RunTimeout: 20 * time.Second, Buttons: buttons, Replies: hub,
		Publish: func(context.Context, string, string, string, []byte) error { return nil },
		Devices: &engine.Devices{Devices: inst.DB, States: inst.DB, Commands: inst.DB, Recipes: inst.DB},
		Events:  &engine.Events{Events: inst.DB},
		API:     corpusAPI(inst),
		Tables:  &engine.Tables{Tables: inst.DB},
		Experience: &engine.Experience{Users: inst.DB, Groups: inst.DB,
			Auth: &auth.Experience{Users: inst.DB, Key: inst.Signer.Key}},
	}
	if err := ex.Open(); err != nil {
		t.Fatal(err)
	}
	defer ex.Close(context.Background())

	files, skipped := runnableCorpusFiles(t)
	if len(files) != corpusRunnableFiles {
		t.Errorf("%d corpus workflow files use only implemented node and trigger types, want %d", len(files), corpusRunnableFiles)
	}
	templates := map[string][]string{}
	for _, name := range files {
		templates[templateOf(name)] = append(templates[templateOf(name)], name)
	}
	// Every template is in place before the first run: a Workflow Error
	// handler of one template may answer another's failed request.
	var targets []corpusTarget
	for _, names := range templates {
		targets = append(targets, importCorpusTemplate(t, inst, app.ID, names)...)
	}
	runs := startCorpusRuns(t, inst, buttons, hub, targets)
	entries := awaitCorpusRuns(t, inst.DB, runs)

	nodeErrors := map[string]int{}
	clean, requests, replied := 0, 0, 0
	replyDeadline := time.Now().Add(10 * time.Second)
	for _, r := range runs {
		e := entries[r.run.ID]
		if e == nil {
			t.Errorf("%s: flow %q trigger %s: the run did not complete", r.file, r.flow, r.trigger)
			continue
		}
		if len(e.Errors) == 0 {
			clean++
		}
		if r.reply != nil {
			requests++
			if answered(r.reply, replyDeadline) {
				replied++
			} else if why, ok := silentCorpusFiles[strings.TrimPrefix(r.file, corpusDir+"/")]; ok {
				t.Logf("%s: flow %q trigger %s: not answered, as expected: %s", r.file, r.flow, r.trigger, why)
			} else {
				t.Errorf("%s: flow %q trigger %s: nothing answered the request", r.file, r.flow, r.trigger)
			}
		}
		if os.Getenv("WEIR_CORPUS_VERBOSE") != "" {
			t.Logf("%s: flow %q trigger %s: %d paths completed, %d failed, %.1f ms", r.file, r.flow, r.trigger, e.PathsCompleted, e.PathsFailed, e.WallTime)
		}
		for _, re := range e.Errors {
			if engineError(re) {
				t.Errorf("%s: flow %q trigger %s: node %s (%s): %s: %s", r.file, r.flow, r.trigger, re.NodeID, re.NodeType, re.Error.Name, re.Error.Message)
				continue
			}
			nodeErrors[re.NodeType+" "+re.Error.Name]++
			t.Logf("%s: flow %q trigger %s: node error %s (%s): %s: %s", r.file, r.flow, r.trigger, re.NodeID, re.NodeType, re.Error.Name, re.Error.Message)
		}
	}
	t.Logf("corpus: %d of %d workflow files runnable (%d use unimplemented types); %d runs started, %d without node errors; "+
		"%d of %d endpoint and request runs answered; node errors: %v; HTTP node hosts answered locally: %v",
		len(files), len(files)+skipped, skipped, len(runs), clean, replied, requests, nodeErrors, local.hosts)
}

// answered reports whether a reply is on ch or arrives before deadline (a
// Workflow Error run may still be answering).
func answered(ch <-chan engine.Reply, deadline time.Time) bool {
	select {
	case <-ch:
		return true
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// engineError reports whether a run error is the engine's fault rather
// than the data's: a panic, a node that did not build or is not
// implemented, or the run time limit.
func engineError(re weir.RunError) bool {
	switch re.Error.Name {
	case "UnsupportedNode", "TimeoutError":
		return true
	}
	return strings.Contains(re.Error.Message, "failed unexpectedly")
}

// runnableCorpusFiles lists the corpus workflow files whose every node
// builds and whose triggers weir fires, and how many other workflow files
// there are.
func runnableCorpusFiles(t *testing.T) (runnable []string, skipped int) {
	t.Helper()
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := flowfile.Parse(data)
		if err != nil || f.NoWorkflows != "" {
			return err
		}
		c := &checker{nodes: map[string]int{}, triggers: map[string]int{}}
		for _, fl := range f.Flows {
			c.definition("flow", &fl.Definition)
		}
		for _, v := range f.Versions {
			c.definition("version", &v.Definition)
		}
		if len(c.nodes)+len(c.triggers)+len(c.problems) > 0 {
			skipped++
			return nil
		}
		runnable = append(runnable, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(runnable)
	return runnable, skipped
}

// corpusAPI is the REST API the corpus's Losant API nodes call, in
// process, over the instance's store.
func corpusAPI(inst *instance) engine.APICaller {
	api := weirhttp.NewServer()
	api.Applications, api.Flows, api.Versions, api.Tokens = inst.DB, inst.DB, inst.DB, inst.DB
	api.Storage, api.Logs, api.Runs = inst.DB, inst.DB, inst.DB
	api.Webhooks, api.Endpoints, api.Events = inst.DB, inst.DB, inst.DB
	api.Devices, api.States, api.Commands, api.Keys = inst.DB, inst.DB, inst.DB, inst.DB
	api.DeviceLogs, api.Recipes = inst.DB, inst.DB
	api.Tables, api.Views, api.Files, api.ExperienceVersions = inst.DB, inst.DB, inst.DB, inst.DB
	api.Data = inst.DB
	c := &weirhttp.Caller{}
	c.Serve(api)
	return c
}

// templateOf names the template a corpus file belongs to: its first three
// path components (experiences/pages/internationalization).
func templateOf(name string) string {
	parts := strings.SplitN(strings.TrimPrefix(name, corpusDir+"/"), "/", 4)
	return strings.Join(parts[:min(3, len(parts))], "/")
}

// corpusTarget is a flow version the corpus run starts runs of.
type corpusTarget struct {
	file    string
	flow    *weir.Flow
	version string
	def     *weir.Definition
}

// importCorpusTemplate imports the flows and versions of one template's
// files into the application together, as a user imports a template, so
// that custom nodes and Workflow Trigger nodes find the flows they name;
// flows are enabled. It returns the flow versions to run.
func importCorpusTemplate(t *testing.T, inst *instance, appID string, names []string) []corpusTarget {
	t.Helper()
	ctx := t.Context()
	f := &flowfile.File{}
	source := map[*weir.Definition]string{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		g, err := flowfile.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(name, corpusDir+"/")
		for _, fl := range g.Flows {
			source[&fl.Definition] = rel
		}
		for _, v := range g.Versions {
			source[&v.Definition] = rel
		}
		f.Merge(g)
	}
	if _, err := f.Remap(appID, weir.NewID); err != nil {
		t.Fatalf("%s: Remap: %v", names, err)
	}
	inFile := map[string]*weir.Flow{}
	for _, fl := range f.Flows {
		fl.ApplicationID, fl.Enabled, fl.DefaultVersionID = appID, true, nil
		fl.CreatedByType, fl.CreatedByID = "user", inst.OwnerID
		fl.Definition.AssignTriggerKeys(fl.ID)
		if err := inst.DB.CreateFlow(ctx, fl); err != nil {
			t.Fatalf("%s: flow %q: %v", source[&fl.Definition], fl.Name, err)
		}
		inFile[fl.ID] = fl
	}
	var targets []corpusTarget
	for _, fl := range f.Flows {
		targets = append(targets, corpusTarget{source[&fl.Definition], fl, weir.DevelopVersion, &fl.Definition})
	}
	for _, v := range f.Versions {
		rel := source[&v.Definition]
		fl := inFile[v.FlowID]
		if fl == nil { // a version whose flow the file does not hold: run it as a flow of its own
			fl = &weir.Flow{ID: weir.NewID(), ApplicationID: appID, Name: v.Version, Enabled: true,
				FlowClass: weir.FlowClassExperience, Definition: v.Definition, CreatedByType: "user", CreatedByID: inst.OwnerID}
			fl.Definition.AssignTriggerKeys(fl.ID)
			if err := inst.DB.CreateFlow(ctx, fl); err != nil {
				t.Fatalf("%s: version %q as a flow: %v", rel, v.Version, err)
			}
			targets = append(targets, corpusTarget{rel, fl, weir.DevelopVersion, &fl.Definition})
			continue
		}
		fv := &weir.FlowVersion{ID: v.ID, ApplicationID: appID, FlowID: fl.ID, Version: v.Version, Enabled: true,
			FlowClass: fl.FlowClass, Definition: v.Definition, CreatedByType: "user", CreatedByID: inst.OwnerID}
		fv.Definition.AssignTriggerKeys(fl.ID)
		if err := inst.DB.CreateFlowVersion(ctx, fv, false); err != nil {
			t.Fatalf("%s: version %q: %v", rel, v.Version, err)
		}
		targets = append(targets, corpusTarget{rel, fl, v.Version, &fv.Definition})
	}
	return targets
}

// startCorpusRuns starts one run per started trigger of the targets; the
// requests of endpoint and HTTP request runs wait on hub.
func startCorpusRuns(t *testing.T, inst *instance, buttons *engine.Buttons, hub *engine.ReplyHub, targets []corpusTarget) []corpusRun {
	t.Helper()
	var out []corpusRun
	for _, tg := range targets {
		for _, tr := range tg.def.Triggers {
			if !startedTriggers[tr.Type] || tr.Key == "" {
				continue
			}
			cr := corpusRun{file: tg.file, flow: tg.flow.Name + "@" + tg.version, trigger: tr.Type}
			replyID := weir.NewID()
			if tr.Type == "endpoint" || tr.Type == engine.TriggerRequest {
				ch, cancel, err := hub.Register(replyID)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(cancel)
				cr.reply = ch
			}
			var err error
			if cr.run, err = startCorpusRun(t.Context(), inst, buttons, tg.flow, tg.version, tr, replyID); err != nil {
				t.Errorf("%s: flow %q trigger %s: start: %v", tg.file, tg.flow.Name, tr.Type, err)
				continue
			}
			if cr.run != nil {
				out = append(out, cr)
			}
		}
	}
	return out
}

// startCorpusRun queues one run of trigger tr: a press for buttons, else a
// run with the data an HTTP request would give.
func startCorpusRun(ctx context.Context, inst *instance, buttons *engine.Buttons, fl *weir.Flow, version string, tr weir.Trigger, replyID string) (*weir.Run, error) {
	if tr.Type == engine.TriggerVirtualButton {
		return buttons.Press(ctx, engine.Press{ApplicationID: fl.ApplicationID, FlowID: fl.ID, Key: tr.Key,
			FlowVersion: version, RelayType: "user", RelayID: inst.OwnerID})
	}
	data := map[string]any{
		"path": "/", "method": "get", "headers": map[string]string{"host": "localhost", "accept": "*/*"},
		"query": map[string]any{}, "body": nil, "replyId": replyID,
	}
	run := &weir.Run{
		ID: weir.NewID(), ApplicationID: fl.ApplicationID, FlowID: fl.ID, FlowVersion: version,
		TriggerType: tr.Type, TriggerKey: tr.Key, TriggerID: tr.Key, RelayType: "public", RelayID: "000000000000000000000000",
		Time: time.Now().UTC().Truncate(time.Millisecond),
	}
	switch tr.Type {
	case triggers.TriggerMQTTTopic: // a message on the topic (wildcards read as levels)
		run.TriggerID = strings.NewReplacer("+", "x", "#", "x").Replace(tr.Key)
		raw, _ := json.Marshal(`{"temperature":21.5}`)
		run.Data = raw
		return run, inst.DB.EnqueueRun(ctx, run)
	case "endpoint":
		data["params"], data["cookies"] = map[string]string{}, map[string]string{}
		exp, _ := json.Marshal(map[string]any{
			"endpoint": map[string]any{"id": tr.Key, "applicationId": fl.ApplicationID, "route": "/", "method": "get", "access": "public"},
			"user":     nil, "authInfo": nil, "device": nil, "version": weir.DevelopVersion,
		})
		run.Experience = exp
	case engine.TriggerRequest:
		data["params"], data["cookies"] = map[string]string{}, map[string]string{}
		run.TriggerID = engine.TriggerRequest
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	run.Data = raw
	return run, inst.DB.EnqueueRun(ctx, run)
}

// awaitCorpusRuns waits until every run has its log entry, or a minute
// has passed, and returns the entries by run id.
func awaitCorpusRuns(t *testing.T, logs weir.LogService, runs []corpusRun) map[string]*weir.LogEntry {
	t.Helper()
	got := map[string]*weir.LogEntry{}
	deadline := time.Now().Add(time.Minute)
	for {
		pending := map[string]bool{}
		for _, r := range runs {
			if got[r.run.ID] == nil {
				pending[r.run.FlowID] = true
			}
		}
		if len(pending) == 0 || time.Now().After(deadline) {
			return got
		}
		for flowID := range pending {
			es, err := logs.FindLogEntries(t.Context(), flowID, weir.LogFilter{})
			if err != nil {
				t.Fatal(fmt.Errorf("log entries: %w", err))
			}
			for _, e := range es {
				got[e.ID] = e
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}
