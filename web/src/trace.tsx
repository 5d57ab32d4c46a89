// Runs on the canvas: a logged run's path (its trace, from the run log) and
// the live paths of runs as they complete (the trace stream), drawn over the
// editor's nodes and edges.

import { useEffect, useRef, useState } from 'react';
import type { Edge } from '@xyflow/react';
import { ApiError, flowPath, stream } from './api';
import type { CanvasNode } from './doc';

/** One execution of one node in a run (weir.TraceStep). */
export interface TraceStep {
  nodeId: string;
  from: number; // index of the step that led here; -1: the trigger
  via: number; // the output of that step's node wired to this one
  output: number; // the output this node continued on; -1: it failed
  start: number; // ms after the run started
  time: number; // ms the node took
  failed?: boolean;
  inner?: RunTrace; // a Custom Node Execute node's: the custom node's run
}

/** The path of one run (weir.RunTrace). */
export interface RunTrace {
  trigger: string;
  steps: TraceStep[];
  omitted: number;
}

/** A run as the live trace stream sends it. */
interface TraceRun {
  runId: string;
  time: string;
  wallTime: number;
  failed: boolean;
  trace: RunTrace;
}

/** Runs the live stream summed up because they came too fast to show one by one. */
interface TraceSummary {
  runs: number;
  failed: number;
  edges: { from?: string; trigger?: string; output: number; to: string; count: number }[];
  nodes: { nodeId: string; count: number; failed: number }[];
}

/** What a path puts on one node: the time its steps took, how many ran, and whether one failed. */
export interface NodeMark {
  time: number;
  count: number;
  failed: boolean;
}

/** The marks of a path on the canvas: per node and per edge id (source:port:target, as doc.edge names them). */
export interface Overlay {
  nodes: Map<string, NodeMark>;
  edges: Map<string, number>;
}

/** The canvas id of the trigger whose key is key, or undefined. */
function triggerOf(nodes: CanvasNode[], key: string): string | undefined {
  const found = nodes.find((n) => n.data.kind === 'trigger' && n.data.raw.key === key);
  if (found || key !== customNodeStart) return found?.id;
  // A custom node's start trigger often has no key of its own.
  return nodes.find((n) => n.data.kind === 'trigger' && n.data.raw.type === customNodeStart)?.id;
}

const customNodeStart = 'customNodeStart';

/**
 * The runs of the custom node that node nodeId ran in trace, as one trace of
 * the custom node's flow (several runs, as in a loop, one after another),
 * or null when it ran none.
 */
export function innerOf(trace: RunTrace, nodeId: string): RunTrace | null {
  const out: RunTrace = { trigger: customNodeStart, steps: [], omitted: 0 };
  let calls = 0;
  for (const s of trace.steps) {
    if (s.nodeId !== nodeId || !s.inner) continue;
    calls++;
    const base = out.steps.length;
    for (const step of s.inner.steps) out.steps.push({ ...step, from: step.from < 0 ? step.from : step.from + base });
    out.omitted += s.inner.omitted;
  }
  return calls > 0 ? out : null;
}

/** A run's path inside a custom node, handed from the calling flow's editor to the custom node's. */
export interface InnerRun {
  flowId: string; // the custom node's flow
  time: string; // the calling run's
  failed: boolean;
  trace: RunTrace;
}

let handed: InnerRun | null = null;

/**
 * Keeps the path that the run of entry took inside the custom node that
 * node nodeId runs (flow customId), for the custom node's editor that opens
 * next.
 */
export function handOff(customId: string, nodeId: string, entry: { time: string; trace?: RunTrace }) {
  const trace = entry.trace && innerOf(entry.trace, nodeId);
  handed = trace ? { flowId: customId, time: entry.time, failed: trace.steps.some((s) => s.failed), trace } : null;
}

/** Takes the path handed to the editor of flow flowId, if any. */
export function takeHandOff(flowId: string): InnerRun | null {
  const h = handed?.flowId === flowId ? handed : null;
  handed = null;
  return h;
}

function emptyOverlay(): Overlay {
  return { nodes: new Map(), edges: new Map() };
}

function markNode(o: Overlay, id: string, time: number, count: number, failed: boolean) {
  const m = o.nodes.get(id) ?? { time: 0, count: 0, failed: false };
  o.nodes.set(id, { time: m.time + time, count: m.count + count, failed: m.failed || failed });
}

function markEdge(o: Overlay, source: string | undefined, port: number, target: string, count: number) {
  if (!source) return;
  const id = `${source}:${port}:${target}`;
  o.edges.set(id, (o.edges.get(id) ?? 0) + count);
}

/** Adds the path of trace to o (a new overlay when none). */
export function overlayOf(trace: RunTrace, nodes: CanvasNode[], o: Overlay = emptyOverlay()): Overlay {
  const trigger = triggerOf(nodes, trace.trigger);
  for (const s of trace.steps) {
    markNode(o, s.nodeId, s.time, 1, !!s.failed);
    markEdge(o, s.from < 0 ? trigger : trace.steps[s.from]?.nodeId, s.via, s.nodeId, 1);
  }
  return o;
}

/** Adds the counts of a live summary to o. */
function overlayOfSummary(sum: TraceSummary, nodes: CanvasNode[], o: Overlay): Overlay {
  for (const n of sum.nodes) markNode(o, n.nodeId, 0, n.count, n.failed > 0);
  for (const e of sum.edges) markEdge(o, e.trigger !== undefined ? triggerOf(nodes, e.trigger) : e.from, e.output, e.to, e.count);
  return o;
}

const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)) + ' ms';

/**
 * Returns nodes and edges with a picked run's path and the live paths
 * marked: node data gets `trace` (the picked run's) and `live` marks, edges
 * the classes traced and live and, when several runs took them, a count.
 */
export function decorate(nodes: CanvasNode[], edges: Edge[], picked: Overlay | null, live: Overlay | null): { nodes: CanvasNode[]; edges: Edge[] } {
  if (!picked && !live) return { nodes, edges };
  const outNodes = nodes.map((n) => {
    const id = n.data.kind === 'trigger' ? n.id : (n.data.raw.id ?? n.id);
    const trace = picked?.nodes.get(id);
    const lv = live?.nodes.get(id);
    return trace || lv ? { ...n, data: { ...n.data, trace, live: lv } } : n;
  });
  const outEdges = edges.map((e) => {
    const onPath = picked?.edges.get(e.id);
    const liveCount = live?.edges.get(e.id);
    if (!onPath && !liveCount) return e;
    const classes = [onPath ? 'traced' : '', liveCount ? 'live' : ''].filter(Boolean).join(' ');
    const count = liveCount ?? onPath ?? 0;
    return { ...e, className: classes, animated: !!liveCount, label: count > 1 ? `×${count}` : undefined, data: { ...e.data, count } };
  });
  return { nodes: outNodes, edges: outEdges };
}

/** The time shown on a traced node: its steps' total, and their count when several. */
export function traceLabel(m: NodeMark): string {
  return (m.count > 1 ? `${m.count}× ` : '') + fmtMs(m.time);
}

/** How long live marks stay after the last run that set them. */
const liveFade = 2000;

/**
 * Follows the flow's live trace stream while the editor is open and returns
 * the marks of the runs of the last moments (cleared liveFade ms after the
 * last one); onRun is called for each batch, e.g. to refresh the run log.
 */
export function useLiveTraces(appId: string, flowId: string, nodes: CanvasNode[], onRun: () => void): Overlay | null {
  const [live, setLive] = useState<Overlay | null>(null);
  const latest = useRef({ nodes, onRun });
  latest.current = { nodes, onRun };
  useEffect(() => {
    const ctl = new AbortController();
    let fade: ReturnType<typeof setTimeout> | undefined;
    const add = (f: (o: Overlay) => Overlay) => {
      setLive((o) => f(o ? { nodes: new Map(o.nodes), edges: new Map(o.edges) } : emptyOverlay()));
      clearTimeout(fade);
      fade = setTimeout(() => setLive(null), liveFade);
      latest.current.onRun();
    };
    (async () => {
      while (!ctl.signal.aborted) {
        try {
          await stream(
            `${flowPath(appId, flowId)}/trace`,
            (data) => {
              const ev = JSON.parse(data) as TraceRun | TraceSummary;
              if ('edges' in ev) add((o) => overlayOfSummary(ev, latest.current.nodes, o));
              else if (ev.trace) add((o) => overlayOf(ev.trace, latest.current.nodes, o));
            },
            ctl.signal,
          );
        } catch (err) {
          if (ctl.signal.aborted || (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404))) return;
        }
        if (ctl.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    return () => {
      ctl.abort();
      clearTimeout(fade);
    };
  }, [appId, flowId]);
  return live;
}

/** The bar above the canvas saying which logged run's path is shown. */
export function TraceBar({ time, trace, failed, inner, onClear }: { time: string; trace: RunTrace; failed: boolean; inner?: boolean; onClear: () => void }) {
  const first = trace.steps.reduce((t, s) => Math.min(t, s.start), inner ? Infinity : 0);
  const total = trace.steps.reduce((t, s) => Math.max(t, s.start + s.time), 0) - (trace.steps.length ? first : 0);
  return (
    <span className="trace-bar" id="trace-bar">
      {inner ? 'Path inside this custom node of the calling run of ' : 'Path of the run of '}
      {new Date(time).toLocaleTimeString()}: {trace.steps.length} steps
      {trace.omitted > 0 && ` (and ${trace.omitted} more not recorded)`}, {fmtMs(total)}
      {failed && <strong className="trace-failed-note"> · failed</strong>}{' '}
      <button type="button" className="link" id="trace-clear" onClick={onClear}>
        Clear
      </button>
    </span>
  );
}
