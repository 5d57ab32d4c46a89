// Replays: the flow setting that keeps each run's trigger payload, the
// replay of a logged run against the flow as it is now, and the side-by-side
// compare of the two paths (on the canvas and per node).

import { useEffect, useState } from 'react';
import type { Edge } from '@xyflow/react';
import { api, flowPath, type Flow } from './api';
import type { CanvasNode } from './doc';
import { Tree, type LogEntry } from './dock';
import { overlayOf, traceLabel, type NodeMark, type Overlay, type RunTrace } from './trace';

/** What a log entry kept of its run's trigger payload (weir.RunPayload, without its data in lists). */
export interface KeptPayload {
  kept: boolean;
  reason?: string;
  size: number;
  redacted?: string[];
  triggerType: string;
  triggerKey: string;
  data?: unknown; // only in one entry read by its run id
  experience?: unknown;
  device?: unknown;
}

/** A replay in progress or done: the run replayed and the replay's run id and, once logged, entry. */
export interface Replay {
  original: LogEntry;
  runId: string;
  entry?: LogEntry;
  error?: string;
  unsaved?: boolean; // the editor had unsaved changes, which the replay did not run
}

/** The flow toolbar's toggle of weir's keepPayloads setting. */
export function KeepPayloadsToggle({ appId, flowId, on, onSaved, onError }: {
  appId: string;
  flowId: string;
  on: boolean;
  onSaved: (saved: Flow) => void;
  onError: (msg: string) => void;
}) {
  const set = async (keepPayloads: boolean) => {
    try {
      onSaved(await api<Flow>('PATCH', flowPath(appId, flowId), { weir: { keepPayloads } }));
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <label className="toggle" title="Keep each run's trigger payload in its log entry (credentials redacted, at most 64 KiB), so that a run can be replayed">
      <input type="checkbox" id="flow-keep-payloads" checked={on} onChange={(e) => set(e.target.checked)} /> Keep payloads
    </label>
  );
}

/** Asks the server to replay a logged run; resolves to the new run's id. */
export async function startReplay(appId: string, flowId: string, e: LogEntry): Promise<string> {
  const res = await api<{ runId: string }>('POST', `${flowPath(appId, flowId)}/logs/${e.runId}/replay`);
  return res.runId;
}

/**
 * Polls the run log until the replay's entry is there (at most a minute)
 * and returns the replay with it.
 */
export function useReplayEntry(appId: string, flowId: string, replay: Replay | null, onEntry: (r: Replay) => void) {
  useEffect(() => {
    if (!replay || replay.entry || replay.error) return;
    let stop = false;
    const until = Date.now() + 60_000;
    (async () => {
      while (!stop && Date.now() < until) {
        try {
          const entries = await api<LogEntry[]>('GET', `${flowPath(appId, flowId)}/logs?limit=50`);
          const entry = entries.find((x) => x.runId === replay.runId);
          if (entry) {
            if (!stop) onEntry({ ...replay, entry });
            return;
          }
        } catch {
          // try again
        }
        await new Promise((r) => setTimeout(r, 400));
      }
      if (!stop) onEntry({ ...replay, error: 'The replay was not logged within a minute.' });
    })();
    return () => {
      stop = true;
    };
  }, [appId, flowId, replay, onEntry]);
}

/** Adds the replay's path to a canvas already decorated with the original's: node data `replay`, edge class `replayed`. */
export function decorateReplay(nodes: CanvasNode[], edges: Edge[], replay: Overlay | null): { nodes: CanvasNode[]; edges: Edge[] } {
  if (!replay) return { nodes, edges };
  return {
    nodes: nodes.map((n) => {
      const id = n.data.kind === 'trigger' ? n.id : (n.data.raw.id ?? n.id);
      const m = replay.nodes.get(id);
      return m ? { ...n, data: { ...n.data, replay: m } } : n;
    }),
    edges: edges.map((e) => (replay.edges.has(e.id) ? { ...e, className: [e.className, 'replayed'].filter(Boolean).join(' ') } : e)),
  };
}

/** The replay's overlay, once its entry has a trace. */
export function replayOverlay(r: Replay | null, nodes: CanvasNode[]): Overlay | null {
  return r?.entry?.trace ? overlayOf(r.entry.trace, nodes) : null;
}

/** The outputs a node continued on in a trace, e.g. "1" or "0, 1"; "failed" when it failed. */
function outputsOf(trace: RunTrace | undefined, id: string): string {
  const outs = new Set<string>();
  for (const s of trace?.steps ?? []) if (s.nodeId === id) outs.add(s.output < 0 ? 'failed' : String(s.output));
  return [...outs].join(', ');
}

interface CompareRow {
  id: string;
  label: string;
  before?: NodeMark;
  after?: NodeMark;
  beforeOut: string;
  afterOut: string;
  differs: boolean;
}

/** The per-node rows of a compare: every node either run reached, in the order the original then the replay reached them. */
export function compareRows(original: RunTrace | undefined, replay: RunTrace | undefined, nodes: CanvasNode[], labels: Map<string, string>): CompareRow[] {
  const before = original ? overlayOf(original, nodes) : null;
  const after = replay ? overlayOf(replay, nodes) : null;
  const ids: string[] = [];
  for (const t of [original, replay]) for (const s of t?.steps ?? []) if (!ids.includes(s.nodeId)) ids.push(s.nodeId);
  return ids.map((id) => {
    const b = before?.nodes.get(id);
    const a = after?.nodes.get(id);
    const beforeOut = outputsOf(original, id);
    const afterOut = outputsOf(replay, id);
    return { id, label: labels.get(id) ?? id, before: b, after: a, beforeOut, afterOut, differs: !a || !b || beforeOut !== afterOut || a.count !== b.count };
  });
}

/** The payload the replayed run kept, read in full from its entry: what the replay ran with. */
function KeptPayloadView({ appId, flowId, runId }: { appId: string; flowId: string; runId?: string }) {
  const [payload, setPayload] = useState<KeptPayload | null>(null);
  useEffect(() => {
    if (!runId) return;
    api<LogEntry>('GET', `${flowPath(appId, flowId)}/logs/${runId}`)
      .then((e) => setPayload(e.payload ?? null))
      .catch(() => setPayload(null));
  }, [appId, flowId, runId]);
  if (!payload?.kept) return null;
  return (
    <details className="replay-payload" id="replay-payload">
      <summary>
        The payload replayed: {payload.triggerType} trigger, {payload.size} bytes
        {payload.redacted?.length ? `; redacted: ${payload.redacted.join(', ')}` : ''}
      </summary>
      <Tree name="data" value={payload.data} />
      {payload.experience !== undefined && <Tree name="experience" value={payload.experience} />}
      {payload.device !== undefined && <Tree name="device" value={payload.device} />}
    </details>
  );
}

/** The compare of a run and its replay: a legend and a per-node table of times and outputs, differing rows marked. */
export function ReplayCompare({ appId, flowId, replay, nodes, labels, onClose, onSelectNode }: {
  appId: string;
  flowId: string;
  replay: Replay;
  nodes: CanvasNode[];
  labels: Map<string, string>;
  onClose: () => void;
  onSelectNode: (id: string) => void;
}) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const { original, entry } = replay;
  const rows = compareRows(original.trace, entry?.trace, nodes, labels);
  const differ = rows.filter((r) => r.differs).length;
  const shown = onlyDiff ? rows.filter((r) => r.differs) : rows;
  const cell = (m: NodeMark | undefined, out: string) => (m ? `${traceLabel(m)} → ${out}` : '—');
  return (
    <section className="replay-compare" id="replay-compare">
      <div className="bar">
        <strong>Replay</strong> of the run of {new Date(original.time).toLocaleTimeString()}:{' '}
        <span className="legend original">original path</span> <span className="legend replayed">replay on the flow as it is now</span>
        {!entry && !replay.error && <span id="replay-waiting"> · waiting for the replay to run…</span>}
        {replay.error && <span className="error" id="replay-error"> {replay.error}</span>}
        {replay.unsaved && <span className="warn" id="replay-unsaved"> · it ran the saved flow, without your unsaved changes</span>}
        {entry && (
          <span id="replay-summary">
            {' '}
            · {differ === 0 ? 'the same path' : `${differ} of ${rows.length} nodes differ`}
            {entry.pathsFailed > 0 ? ' · the replay failed' : ''}
          </span>
        )}{' '}
        <label className="toggle">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only differences
        </label>{' '}
        <button type="button" className="link" id="replay-close" onClick={onClose}>
          Close
        </button>
      </div>
      <KeptPayloadView appId={appId} flowId={flowId} runId={original.runId} />
      {entry && (
        <table className="list" id="replay-table">
          <thead>
            <tr>
              <th>Node</th>
              <th>Original (time → output)</th>
              <th>Replay (time → output)</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} className={'replay-row' + (r.differs ? ' differs' : '')} data-node={r.id} onClick={() => onSelectNode(r.id)}>
                <td>{r.label}</td>
                <td className="before">{cell(r.before, r.beforeOut)}</td>
                <td className="after">{cell(r.after, r.afterOut)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
