import { useCallback, useEffect, useState } from 'react';
import { api, flowPath } from './api';
import type { KeptPayload } from './replay';
import type { RunTrace } from './trace';

export interface DebugMessage {
  time: string;
  runId: string;
  nodeId: string;
  nodeLabel: string;
  level: string;
  message: string;
  property?: string;
  payload: unknown;
  flowVersion: string;
  seq: number; // arrival order, for keys
}

/** A JSON value as a collapsible tree, open two levels deep. */
export function Tree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
    const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return (
      <details className="tree" open={depth < 2}>
        <summary>
          {name !== undefined && <span className="key">{name}: </span>}
          <span className="sum">{summary}</span>
        </summary>
        {entries.map(([k, v]) => (
          <Tree key={k} name={k} value={v} depth={depth + 1} />
        ))}
      </details>
    );
  }
  return (
    <div className="leaf">
      {name !== undefined && <span className="key">{name}: </span>}
      <span className={'v ' + (value === null ? 'null' : typeof value)}>{JSON.stringify(value)}</span>
    </div>
  );
}

export function DebugPanel({
  messages,
  labels,
  onClear,
  onSelectNode,
  status,
}: {
  messages: DebugMessage[];
  labels: Map<string, string>;
  onClear: () => void;
  onSelectNode: (id: string) => void;
  status: string;
}) {
  const [node, setNode] = useState('');
  const shown = node ? messages.filter((m) => m.nodeId === node) : messages;
  const nodes = Array.from(new Set(messages.map((m) => m.nodeId)));
  return (
    <div className="debug" id="debug-panel">
      <div className="bar">
        <span className={'stream ' + status} id="stream-status">
          {status === 'open' ? 'live' : status}
        </span>
        <select aria-label="Filter by node" value={node} onChange={(e) => setNode(e.target.value)} id="debug-filter">
          <option value="">All nodes</option>
          {nodes.map((id) => (
            <option key={id} value={id}>
              {labels.get(id) ?? id}
            </option>
          ))}
        </select>
        <button type="button" id="debug-clear" onClick={onClear}>
          Clear
        </button>
      </div>
      {shown.length === 0 ? (
        <p className="empty">Debug node output appears here as runs happen.</p>
      ) : (
        <ol className="messages">
          {shown.map((m) => (
            <li key={m.seq} className={'msg level-' + m.level} data-node={m.nodeId}>
              <div className="msg-head">
                <time dateTime={m.time}>{new Date(m.time).toLocaleTimeString()}</time>
                <button type="button" className="link node-link" onClick={() => onSelectNode(m.nodeId)}>
                  {m.nodeLabel || labels.get(m.nodeId) || m.nodeId}
                </button>
                {m.message && <span className="text">{m.message}</span>}
                <span className="ver">{m.flowVersion}</span>
              </div>
              <Tree value={m.payload} name={m.property || 'payload'} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export interface LogEntry {
  runId?: string;
  replayOf?: string; // the run this run replays
  payload?: KeptPayload; // what the entry kept of the run's trigger payload (replay.tsx)
  time: string;
  trace?: RunTrace;
  flowVersion?: string;
  runCount: number;
  pathsCompleted: number;
  pathsFailed: number;
  wallTime: number;
  errors: { time: string; nodeId?: string; nodeLabel?: string; nodeType?: string; error: { name: string; message: string } }[];
}

/** The key a run log entry is told apart by (entries have no id in Losant's shape). */
export const runKey = (e: LogEntry) => `${e.time}|${e.wallTime}`;

export function RunLog({
  appId,
  flowId,
  refresh,
  onSelectNode,
  selected,
  onSelectRun,
  onReplay,
}: {
  appId: string;
  flowId: string;
  refresh: number;
  onSelectNode: (id: string) => void;
  selected?: string;
  onSelectRun?: (e: LogEntry) => void;
  onReplay?: (e: LogEntry) => void; // offered on runs whose payload was kept
}) {
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setEntries(await api<LogEntry[]>('GET', `${flowPath(appId, flowId)}/logs?limit=50`));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, flowId]);
  useEffect(() => {
    load();
  }, [load, refresh]);
  return (
    <div className="runs" id="run-log">
      <div className="bar">
        <button type="button" onClick={load} id="runs-refresh">
          Refresh
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {entries?.length === 0 && <p className="empty">No runs logged yet.</p>}
      <table className="list">
        <tbody>
          {entries?.map((e, i) => (
            <tr
              key={e.time + i}
              className={'run ' + (e.pathsFailed > 0 ? 'failed' : 'ok') + (selected === runKey(e) ? ' selected' : '')}
              title={e.trace ? 'Show this run’s path on the canvas' : undefined}
              onClick={() => e.trace && onSelectRun?.(e)}
            >
              <td>
                <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
              </td>
              <td className="status">{e.pathsFailed > 0 ? 'failed' : 'ok'}</td>
              <td>{e.wallTime.toFixed(1)} ms</td>
              <td>
                {e.pathsCompleted} paths completed, {e.pathsFailed} failed
              </td>
              <td className="steps">{e.trace ? `${e.trace.steps.length + e.trace.omitted} steps` : ''}</td>
              <td className="replay">
                {e.replayOf && <span className="replay-of" title={`Replay of run ${e.replayOf}`}>replay</span>}
                {onReplay && e.payload?.kept && (
                  <button type="button" className="run-replay" title="Run this run’s kept trigger payload again on the flow as it is now, and compare the paths" onClick={(ev) => (ev.stopPropagation(), onReplay(e))}>
                    Replay
                  </button>
                )}
                {e.payload && !e.payload.kept && <span className="payload-not-kept" title={e.payload.reason}>payload not kept</span>}
              </td>
              <td>
                {e.errors.map((er, j) => (
                  <button type="button" key={j} className="link run-error" onClick={() => er.nodeId && onSelectNode(er.nodeId)}>
                    {er.nodeLabel || er.nodeId || 'flow'}: {er.error.name}: {er.error.message}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Storage({ appId, flowId, refresh }: { appId: string; flowId: string; refresh: number }) {
  const [entries, setEntries] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState('');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [clearing, setClearing] = useState(false);
  const path = `${flowPath(appId, flowId)}/storage`;
  const load = useCallback(async () => {
    try {
      setEntries(await api<Record<string, unknown>>('GET', path));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path]);
  useEffect(() => {
    load();
  }, [load, refresh]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const parsed = () => {
    try {
      return JSON.parse(value);
    } catch {
      return value; // plain text is stored as a string
    }
  };
  return (
    <div className="storage" id="storage">
      <form
        className="bar"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            await api('PATCH', path, { key: key.trim(), value: parsed() });
            setKey('');
            setValue('');
          });
        }}
      >
        <input id="storage-key" placeholder="Key" value={key} onChange={(e) => setKey(e.target.value)} />
        <input id="storage-value" placeholder='Value: JSON (42, "text", {"a":1}) or plain text' value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" id="storage-set" disabled={key.trim() === ''}>
          Set
        </button>
        <button type="button" onClick={load} id="storage-refresh">
          Refresh
        </button>
        {clearing ? (
          <span className="confirm">
            Remove every key?{' '}
            <button type="button" className="danger" id="storage-clear-yes" onClick={() => act(() => api('DELETE', path)).finally(() => setClearing(false))}>
              Yes, clear
            </button>
            <button type="button" onClick={() => setClearing(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="danger" id="storage-clear" onClick={() => setClearing(true)} disabled={!entries || Object.keys(entries).length === 0}>
            Clear all
          </button>
        )}
      </form>
      {error && <p className="error">{error}</p>}
      {entries && Object.keys(entries).length === 0 && <p className="empty">The flow's storage is empty.</p>}
      <table className="list">
        <tbody>
          {entries &&
            Object.entries(entries)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, v]) => (
                <tr key={k} data-key={k} className="entry">
                  <td className="key">{k}</td>
                  <td className="value">
                    <code>{JSON.stringify(v)}</code>
                  </td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => (setKey(k), setValue(JSON.stringify(v)))}>
                      Edit
                    </button>
                    <button type="button" className="link danger delete-key" onClick={() => act(() => api('PATCH', path, { key: k }))}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
        </tbody>
      </table>
    </div>
  );
}
