package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The console's browser tests drive Debian's Chromium through the DevTools
// protocol. They skip when no Chromium is installed, unless
// WEIR_TEST_BROWSER=required (as in CI), where they fail instead.
// WEIR_TEST_CHROMIUM names the browser to run.

// pageWatch is run in every document before the console's own script: it
// collects uncaught errors, unhandled rejections and CSP violations, which
// fail the test, and keeps the files the console offers for download.
const pageWatch = `
window.__problems = [];
addEventListener('error', (e) => __problems.push('error: ' + e.message));
addEventListener('unhandledrejection', (e) => __problems.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
document.addEventListener('securitypolicyviolation', (e) => __problems.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
window.__downloads = [];
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = (b) => { b.text().then((t) => __downloads.push(t)); return createObjectURL(b); };
const anchorClick = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function () { if (this.download) return; return anchorClick.call(this); };
`

// browsers lets two browser tests run at once: more Chromiums than that
// only slow each other down on a small machine.
var browsers = make(chan struct{}, 2)

// browserPage is one Chromium tab of a test.
type browserPage struct {
	t   *testing.T
	ctx context.Context
}

// chromiumPath finds the browser, or skips the test without one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WEIR_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WEIR_TEST_BROWSER") == "required" {
		t.Fatal("WEIR_TEST_BROWSER=required but no Chromium found (apt-get install chromium, or set WEIR_TEST_CHROMIUM)")
	}
	t.Skip("no Chromium installed: apt-get install chromium to run the console's browser tests")
	return ""
}

// mustBrowser starts a headless Chromium with a fresh profile for t, with a
// 1280×800 window that cannot reach any host but this machine (localhost,
// *.localhost, where experiences have their hosts, and 127.0.0.1). When t
// fails, a screenshot is saved and its path logged.
func mustBrowser(t *testing.T) *browserPage {
	t.Helper()
	path := chromiumPath(t)
	browsers <- struct{}{}
	t.Cleanup(func() { <-browsers })
	begin := time.Now()
	if testing.Short() {
		t.Skip("browser tests take a few seconds; skipped with -short")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 800))
	// Not t.Context(): it ends before the cleanup that takes the screenshot.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
	})
	p := &browserPage{t: t, ctx: bctx}
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageWatch})
			return err
		}))
	if err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	t.Logf("Chromium started in %v", time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		name := filepath.Join(os.TempDir(), "weir-"+strings.ReplaceAll(t.Name(), "/", "_")+".png")
		if err := os.WriteFile(name, shot, 0o644); err == nil {
			t.Logf("screenshot of the failure: %s", name)
		}
	})
	return p
}

// do runs chromedp steps, failing the test on an error.
func (p *browserPage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// open loads url and waits for the console to render.
func (p *browserPage) open(url string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
	p.waitFor("the console to render", `document.querySelector('#root > *:not(noscript)') !== null`)
}

// eval evaluates expression in the page and decodes its JSON value into T.
func eval[T any](p *browserPage, expression string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

// waitFor polls the expression until it is truthy, for up to 20 s (CI runs
// the whole suite at once, under the race detector).
func (p *browserPage) waitFor(what, expression string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool]("!!("+expression+")",
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(25*time.Millisecond)))
	if err != nil {
		p.t.Fatalf("waiting for %s (%s): %v; page says: %s", what, expression, err, p.text("body"))
	}
}

// settle waits a task and an animation frame: d3-drag, under React Flow,
// swallows a click that comes in the same task as the end of a drag.
func (p *browserPage) settle() {
	p.t.Helper()
	eval[bool](p, `new Promise((r) => setTimeout(() => requestAnimationFrame(() => r(true)), 0))`)
}

// waitStill waits until the element sel selects is drawn at the same place
// and size in two checks 25 ms or more apart.
func (p *browserPage) waitStill(sel string) {
	p.t.Helper()
	p.waitFor(sel+" to stay in place", fmt.Sprintf(`(() => {
		const e = document.querySelector(%s), r = e?.getBoundingClientRect();
		const at = r && r.width > 0 ? [r.x, r.y, r.width, r.height].join() : '';
		const still = at !== '' && window.__weirStill === at;
		window.__weirStill = at;
		return still;
	})()`, jsString(sel)))
}

// click clicks the element sel selects once it is there and enabled.
func (p *browserPage) click(sel string) {
	p.t.Helper()
	q := jsString(sel)
	p.waitFor(sel+" to be clickable", fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e && !e.disabled && e.getClientRects().length > 0; })()`, q))
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	p.settle()
}

// fill replaces the text of the input sel selects with text, entered as a
// person's typing or pasting is: the page sees an input event.
func (p *browserPage) fill(sel, text string) {
	p.t.Helper()
	q := jsString(sel)
	p.waitFor(sel, fmt.Sprintf(`document.querySelector(%s)`, q))
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.focus(); e.select(); return true; })()`, q))
	if text == "" {
		p.do("clear "+sel, chromedp.KeyEvent("\b"))
		return
	}
	// Inserted as typed text (the page gets input events), in one step.
	p.do("type into "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
	p.settle()
}

// choose picks value in the select sel selects, as a person does.
func (p *browserPage) choose(sel, value string) {
	p.t.Helper()
	p.waitFor(sel, fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, jsString(sel), jsString(value)))
	p.settle()
}

// center returns the middle of the element sel selects, in the viewport.
func (p *browserPage) center(sel string) (x, y float64) {
	p.t.Helper()
	p.waitFor(sel, fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
	pt := eval[[2]float64](p, fmt.Sprintf(`(() => { const r = document.querySelector(%s).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, jsString(sel)))
	return pt[0], pt[1]
}

// drag presses the mouse on from, moves it to (x, y) and releases it.
func (p *browserPage) drag(from string, x, y float64) {
	p.t.Helper()
	fx, fy := p.center(from)
	p.do("drag "+from, chromedp.DragAndDropXY(fx, fy, x, y, 12))
	p.settle()
}

// dropFiles drags files from outside the browser and drops them on the
// element sel selects, as a person dropping them from a file manager.
func (p *browserPage) dropFiles(sel string, files ...string) {
	p.t.Helper()
	x, y := p.center(sel)
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: files, DragOperationsMask: 1}
	for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
		p.do("drop files", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: x, Y: y, Data: data})
			return err
		}))
	}
	p.settle()
}

// text returns the text of the element sel selects ("" when none does).
func (p *browserPage) text(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s)?.innerText) ?? ''`, jsString(sel))))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return v
}

// checkClean fails the test on any error or CSP violation the page saw.
func (p *browserPage) checkClean() {
	p.t.Helper()
	for _, problem := range eval[[]string](p, `window.__problems || []`) {
		p.t.Errorf("the page reported %s", problem)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
