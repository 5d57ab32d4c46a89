import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { api, ApiError, appPath, flowPath, specs as loadSpecs, stream, type Flow, type Spec, type Specs } from './api';
import { ConfigPanel } from './config';
import { DebugPanel, RunLog, Storage, runKey, type DebugMessage, type LogEntry } from './dock';
import { TraceBar, decorate, handOff, overlayOf, takeHandOff, useLiveTraces, type InnerRun } from './trace';
import { KeepPayloadsToggle, ReplayCompare, decorateReplay, replayOverlay, startReplay, useReplayEntry, type Replay } from './replay';
import {
  canvasNode,
  download,
  edge,
  exportable,
  fileName,
  labelOf,
  newID,
  newRaw,
  outputCount,
  problemsFromMessage,
  problemsOf,
  removeNodes,
  toCanvas,
  toDefinition,
  triggerNodeID,
  type CanvasNode,
  type Kind,
} from './doc';
import { WeirNode } from './node';
import { copied, pasted } from './clipboard';
import { Globals, Versions } from './versions';
import { Palette, dragType } from './palette';
import { ErrorLine } from './pages';
import { setLeaveGuard } from './route';
import { FlowStats } from './stats';
import { LoopStart, ScopeBar, bodySize, intoScope, isLoop, isStartChange, loopIDs, withBodies, wireRefusal, realSource, scopeChain, scopeOf, scopedEdges, scopedNodes, startNode } from './scope';

const nodeTypes = { weir: WeirNode, loopStart: LoopStart };

export function Editor({ appId, flowId }: { appId: string; flowId: string }) {
  const [loaded, setLoaded] = useState<{ flow: Flow; specs: Specs; appName: string } | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      const [flow, specs, app] = await Promise.all([
        api<Flow>('GET', flowPath(appId, flowId)),
        loadSpecs(),
        api<{ name: string }>('GET', appPath(appId)),
      ]);
      setLoaded({ flow, specs, appName: app.name });
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, flowId]);
  useEffect(() => {
    load();
  }, [load]);
  if (!loaded) {
    return <main className="page">{error ? <ErrorLine error={error} /> : <p>Loading…</p>}</main>;
  }
  return (
    <ReactFlowProvider>
      <Canvas key={loaded.flow.lastUpdated} appId={appId} appName={loaded.appName} initial={loaded.flow} specs={loaded.specs} reload={load} />
    </ReactFlowProvider>
  );
}

interface Snap {
  nodes: CanvasNode[];
  edges: Edge[];
}

function Canvas({ appId, appName, initial, specs, reload }: { appId: string; appName: string; initial: Flow; specs: Specs; reload: () => void }) {
  const flowID = initial.id;
  const start = useMemo(() => toCanvas(initial, specs), [initial, specs]);
  const [flow, setFlow] = useState(initial); // as last read from or written to the server
  const [nodes, setNodes] = useState<CanvasNode[]>(start.nodes);
  const [edges, setEdges] = useState<Edge[]>(start.edges);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [serverProblems, setServerProblems] = useState<Map<string, string>>(new Map());
  const [configProblems, setConfigProblems] = useState<Map<string, string>>(new Map());
  const [conflict, setConflict] = useState<Flow | null>(null);
  const [tab, setTab] = useState<'debug' | 'runs' | 'storage' | 'versions' | 'globals' | 'stats'>('debug');
  const [globals, setGlobals] = useState<{ key: string; json: string }[]>(initial.globals ?? []);
  const [messages, setMessages] = useState<DebugMessage[]>([]);
  const [seen, setSeen] = useState(0); // messages received when the debug tab was last open
  const received = messages.length > 0 ? messages[0].seq + 1 : seen;
  const unseen = received - seen;
  useEffect(() => {
    if (tab === 'debug') setSeen(received);
  }, [tab, received]);
  const [streamStatus, setStreamStatus] = useState('connecting');
  const [refresh, setRefresh] = useState(0);
  const [payload, setPayload] = useState('{}');
  // The logged run whose path is shown: at first, a path inside this custom node handed from its caller's editor.
  const [picked, setPicked] = useState<(LogEntry & { inner?: boolean }) | null>(() => innerEntry(takeHandOff(initial.id)));
  const [replay, setReplay] = useState<Replay | null>(null); // a replay of picked, compared with it (replay.tsx)
  useReplayEntry(appId, flowID, replay, useCallback((r: Replay) => setReplay((x) => (x?.runId === r.runId ? r : x)), []));
  const live = useLiveTraces(appId, flowID, nodes, useCallback(() => setRefresh((r) => r + 1), []));
  const past = useRef<Snap[]>([]);
  const future = useRef<Snap[]>([]);
  const last = useRef({ key: '', t: 0 });
  const clipboard = useRef<any[]>([]);
  const rf = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const now = useRef({ nodes, edges });
  now.current = { nodes, edges };
  // Loop bodies: the scope shown, "" for the flow or a loop's id (scope.tsx).
  const [scope, setScope] = useState('');
  const [bodyStart, setStart] = useState<CanvasNode | null>(null); // a loop body's start node
  const goScope = useCallback((s: string) => (setScope(s), setStart(startNode(now.current.nodes, s))), []);
  useEffect(() => {
    if (scope && !nodes.some((n) => n.id === scope)) goScope(''); // its loop is gone (deleted, undone)
  }, [scope, nodes, goScope]);
  const openScope = useCallback(
    (s: string) => {
      setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
      goScope(s);
      requestAnimationFrame(() => rf.fitView({ maxZoom: 1.2 }));
    },
    [rf, goScope],
  );

  /** Records the state before a change, for undo; coalesces a run of edits of one field. */
  const remember = useCallback((coalesce?: string) => {
    const t = Date.now();
    if (!(coalesce && last.current.key === coalesce && t - last.current.t < 1500)) {
      past.current.push(now.current);
      if (past.current.length > 200) past.current.shift();
      future.current = [];
    }
    last.current = { key: coalesce ?? '', t };
    setDirty(true);
  }, []);

  const onNodesChange = useCallback(
    (all: NodeChange<CanvasNode>[]) => {
      const changes = all.filter((c) => !isStartChange(c as { type: string; id?: string }));
      if (changes.length < all.length) setStart((s) => s && applyNodeChanges(all.filter((c) => !changes.includes(c)), [s])[0]);
      if (changes.some((c) => c.type === 'remove')) {
        // A deleted loop takes its body along; no wire names a deleted node.
        remember('delete@' + Math.floor(Date.now() / 200));
        const gone = withBodies(new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : []))), now.current.nodes);
        setNodes((ns) => removeNodes(applyNodeChanges(changes, ns), gone));
        setEdges((es) => es.filter((e) => !gone.has(e.source) && !gone.has(e.target)));
        return;
      }
      if (changes.some((c) => c.type === 'position' && c.dragging)) setDirty(true);
      setNodes((ns) => applyNodeChanges(changes, ns));
    },
    [remember],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      if (changes.some((c) => c.type === 'remove')) remember('delete@' + Math.floor(Date.now() / 200));
      setEdges((es) => applyEdgeChanges(changes, es));
    },
    [remember],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target || c.source === c.target) return;
      const from = realSource(c.source, c.sourceHandle);
      const refusal = wireRefusal(now.current.nodes, from.source, from.port, c.target);
      if (refusal) return setError(refusal);
      const e = edge(from.source, from.port, c.target);
      if (now.current.edges.some((x) => x.id === e.id)) return;
      remember();
      setEdges((es) => [...es, e]);
    },
    [remember],
  );

  const addNode = useCallback(
    (kind: Kind, spec: Spec, at?: { x: number; y: number }) => {
      let pos = at;
      if (!pos) {
        const box = wrapper.current!.getBoundingClientRect();
        const n = now.current.nodes.length % 6;
        pos = rf.screenToFlowPosition({ x: box.left + box.width / 2 - 80 + n * 24, y: box.top + box.height / 3 + n * 24 });
      }
      if (kind === 'trigger' && scope) return setError('Triggers start the flow: add them on the flow, not in a loop body.');
      const raw = intoScope(newRaw(kind, spec, Math.round(pos.x), Math.round(pos.y)), scope);
      const same = now.current.nodes.filter((n) => n.data.kind === kind);
      const seq = same.length ? Math.max(...same.map((n) => n.data.seq)) + 1 : 0;
      let id = kind === 'trigger' ? triggerNodeID(seq) : raw.id;
      while (now.current.nodes.some((n) => n.id === id)) id = kind === 'trigger' ? `${id}x` : (raw.id = newID());
      const node = { ...canvasNode(specs, kind, raw, seq, id, pos), selected: true };
      remember();
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
    },
    [rf, specs, remember, scope],
  );

  const updateRaw = useCallback(
    (id: string, raw: any, coalesce?: string) => {
      remember(coalesce ? id + ':' + coalesce : undefined);
      setNodes((ns) =>
        ns.map((n) => {
          if (n.id !== id) return n;
          const spec = (n.data.kind === 'trigger' ? specs.triggers : specs.nodes).find((s) => s.type === raw.type);
          return { ...n, data: { ...n.data, raw, spec, problems: problemsOf(n.data.kind, raw, spec) } };
        }),
      );
      // A Switch with fewer cases loses the wires of the outputs it no longer has.
      const node = now.current.nodes.find((n) => n.id === id);
      if (node) {
        const count = outputCount({ ...node.data, raw });
        setEdges((es) => es.filter((e) => e.source !== id || Number(e.sourceHandle) < count));
      }
    },
    [specs, remember],
  );

  const deleteSelected = useCallback(() => {
    const gone = withBodies(new Set(now.current.nodes.filter((n) => n.selected).map((n) => n.id)), now.current.nodes);
    if (gone.size === 0) return;
    remember();
    setNodes((ns) => removeNodes(ns, gone));
    setEdges((es) => es.filter((e) => !gone.has(e.source) && !gone.has(e.target)));
  }, [remember]);

  const restore = (from: React.MutableRefObject<Snap[]>, to: React.MutableRefObject<Snap[]>) => {
    const snap = from.current.pop();
    if (!snap) return;
    to.current.push(now.current);
    last.current = { key: '', t: 0 };
    setNodes(snap.nodes);
    setEdges(snap.edges);
    setDirty(true);
  };
  const undo = () => restore(past, future);
  const redo = () => restore(future, past);

  const copy = () => {
    clipboard.current = copied(now.current.nodes, now.current.edges);
  };
  const paste = () => {
    if (clipboard.current.length === 0) return;
    const maxSeq = Math.max(-1, ...now.current.nodes.filter((n) => n.data.kind === 'node').map((n) => n.data.seq));
    const added = pasted(clipboard.current, scope).map(({ raw, top }, i) => ({ ...canvasNode(specs, 'node', raw, maxSeq + 1 + i, raw.id, { x: 0, y: 0 }), selected: top }));
    const addedEdges = toCanvas({ triggers: [], nodes: added.map((n) => n.data.raw) }, specs).edges;
    remember();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added]);
    setEdges((es) => [...es, ...addedEdges]);
  };

  const selectNode = useCallback(
    (id: string) => {
      setNodes((ns) => ns.map((n) => (n.selected !== (n.id === id) ? { ...n, selected: n.id === id } : n)));
      const n = now.current.nodes.find((x) => x.id === id);
      if (n) goScope(scopeOf(n, loopIDs(now.current.nodes)));
      if (n) rf.setCenter(n.position.x + 90, n.position.y + 30, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
    },
    [rf, goScope],
  );

  const save = async (force: boolean) => {
    setError('');
    setConflict(null);
    const bad = globals.find((g) => {
      try {
        JSON.parse(g.json);
        return !/^[0-9a-zA-Z_-]{1,255}$/.test(g.key);
      } catch {
        return true;
      }
    });
    if (bad) {
      setTab('globals');
      return setError(`Not saved: the global ${JSON.stringify(bad.key)} needs a key of letters, digits, _ or - and a JSON value.`);
    }
    setSaving(true);
    try {
      if (!force) {
        const current = await api<Flow>('GET', flowPath(appId, flowID));
        if (current.lastUpdated !== flow.lastUpdated) {
          setConflict(current);
          return;
        }
      }
      const def = toDefinition(now.current.nodes, now.current.edges);
      const saved = await api<Flow>('PATCH', flowPath(appId, flowID), { triggers: def.triggers, nodes: def.nodes, globals });
      setFlow(saved);
      setGlobals(saved.globals ?? []);
      setServerProblems(new Map());
      // The server fills in trigger keys: take its triggers and nodes back.
      const order = (kind: Kind) => now.current.nodes.filter((n) => n.data.kind === kind).sort((a, b) => a.data.seq - b.data.seq);
      const fresh = new Map<string, any>();
      order('trigger').forEach((n, i) => fresh.set(n.id, saved.triggers[i]));
      order('node').forEach((n, i) => fresh.set(n.id, saved.nodes[i]));
      setNodes((ns) => ns.map((n) => (fresh.has(n.id) && fresh.get(n.id) ? { ...n, data: { ...n.data, raw: fresh.get(n.id) } } : n)));
      setDirty(false);
      setStatus('Saved');
    } catch (err) {
      const msg = (err as Error).message;
      setError('Not saved: ' + msg);
      if (err instanceof ApiError && err.status === 400) setServerProblems(problemsFromMessage(msg, now.current.nodes));
    } finally {
      setSaving(false);
    }
  };

  const press = async (key?: string) => {
    setError('');
    const buttons = now.current.nodes.filter((n) => n.data.kind === 'trigger' && n.data.raw.type === 'virtualButton');
    const chosen = key ?? (buttons.find((n) => n.selected) ?? buttons[0])?.data.raw.key;
    if (!buttons.length) return setError('Add a Virtual Button trigger to press.');
    if (!chosen) return setError('Save the flow first: a new button gets its key when the flow is saved.');
    let body: any = { key: chosen };
    if (payload.trim() !== '') {
      try {
        body.payload = JSON.parse(payload);
      } catch {
        return setError('The payload is not valid JSON.');
      }
    }
    try {
      await api('POST', `${flowPath(appId, flowID)}/virtualButton`, body);
      setStatus(dirty ? 'Pressed (the saved version ran; save to run your changes)' : 'Pressed');
      for (const ms of [300, 1000, 2500]) setTimeout(() => setRefresh((r) => r + 1), ms);
    } catch (err) {
      setError('Press failed: ' + (err as Error).message);
    }
  };

  const setEnabled = async (enabled: boolean) => {
    try {
      const saved = await api<Flow>('PATCH', flowPath(appId, flowID), { enabled });
      setFlow((f) => ({ ...f, enabled: saved.enabled, lastUpdated: saved.lastUpdated }));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  // The live debug stream, read with fetch so the token stays in a header.
  useEffect(() => {
    const ctl = new AbortController();
    let seq = 0;
    const seen = new Set<string>();
    (async () => {
      while (!ctl.signal.aborted) {
        try {
          setStreamStatus('connecting');
          const connected = stream(
            `${flowPath(appId, flowID)}/debug`,
            (data) => {
              const m = JSON.parse(data) as DebugMessage;
              const id = `${m.time}|${m.runId}|${m.nodeId}|${m.message}`;
              if (seen.has(id)) return;
              seen.add(id);
              m.seq = seq++;
              setMessages((ms) => [m, ...ms].slice(0, 500));
              setRefresh((r) => r + 1);
            },
            ctl.signal,
          );
          setStreamStatus('open');
          await connected;
        } catch (err) {
          if (ctl.signal.aborted || (err instanceof ApiError && (err.status === 401 || err.status === 404))) return;
        }
        if (ctl.signal.aborted) return;
        setStreamStatus('reconnecting');
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    return () => ctl.abort();
  }, [appId, flowID]);

  // The server builds each node as a run would and says which configs do
  // not build; checked again shortly after each change of a node.
  const checked = useMemo(
    () => JSON.stringify(nodes.filter((n) => n.data.kind === 'node').map((n) => ({ id: n.data.raw.id, type: n.data.raw.type, config: n.data.raw.config }))),
    [nodes],
  );
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const res = await api<{ problems: { nodeId: string; message: string }[] }>('POST', '/specs/check', { nodes: JSON.parse(checked) });
        setConfigProblems(new Map(res.problems.map((p) => [p.nodeId, 'Config: ' + p.message])));
      } catch {
        // a check that fails leaves the marks as they were; Save reports for real
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [checked]);

  // Guard unsaved changes.
  useEffect(() => {
    if (!dirty) {
      setLeaveGuard(null);
      return;
    }
    const before = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', before);
    setLeaveGuard(() => confirm('Leave this flow without saving your changes?'));
    return () => {
      window.removeEventListener('beforeunload', before);
      setLeaveGuard(null);
    };
  }, [dirty]);

  // Keyboard: save, undo, redo, copy, paste (not while typing in a field).
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      const typing = (e.target as HTMLElement).closest('input, textarea, select');
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 's') {
        e.preventDefault();
        save(false);
      } else if (typing || !mod) {
        return;
      } else if (e.key === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((e.key === 'z' && e.shiftKey) || e.key === 'Z' || e.key === 'y') {
        e.preventDefault();
        redo();
      } else if (e.key === 'c') {
        copy();
      } else if (e.key === 'v') {
        paste();
      }
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  });

  const shown = useMemo(() => {
    if (serverProblems.size === 0 && configProblems.size === 0) return nodes;
    return nodes.map((n) => {
      const extra = [configProblems.get(n.data.raw.id ?? ''), serverProblems.get(n.id)].filter((p): p is string => !!p);
      return extra.length ? { ...n, data: { ...n.data, problems: [...n.data.problems, ...extra] } } : n;
    });
  }, [nodes, serverProblems, configProblems]);
  const inScope = useMemo(() => scopedNodes(shown, scope, bodyStart), [shown, scope, bodyStart]);
  const inScopeEdges = useMemo(() => scopedEdges(edges, scope), [edges, scope]);
  const chain = useMemo(() => scopeChain(scope, nodes), [scope, nodes]);
  const pickedOverlay = useMemo(() => (picked?.trace ? overlayOf(picked.trace, nodes) : null), [picked, nodes]);
  const replayed = useMemo(() => replayOverlay(replay, nodes), [replay, nodes]);
  const traced = useMemo(() => {
    const d = decorate(inScope, inScopeEdges, pickedOverlay, live);
    return decorateReplay(d.nodes, d.edges, replayed);
  }, [inScope, inScopeEdges, pickedOverlay, live, replayed]);
  const selected = nodes.filter((n) => n.selected);
  const one = selected.length === 1 ? shown.find((n) => n.id === selected[0].id) : undefined;
  const labels = useMemo(() => new Map(nodes.map((n) => [n.data.raw.id ?? n.id, labelOf(n.data.raw)])), [nodes]);
  const problemCount = shown.reduce((k, n) => k + n.data.problems.length, 0);

  return (
    <main className="editor">
      <div className="toolbar">
        <nav className="crumbs">
          <a href="#/">Applications</a> / <a href={`#/applications/${appId}`}>{appName}</a> / <strong id="flow-name">{flow.name}</strong>
        </nav>
        <span className={'dirty' + (dirty ? ' on' : '')} id="dirty">
          {dirty ? '● Unsaved changes' : 'All changes saved'}
        </span>
        <button type="button" id="undo" onClick={undo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" id="redo" onClick={redo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" id="save" className="primary" disabled={saving} onClick={() => save(false)} title="Save (Ctrl+S)">
          {saving ? 'Saving…' : 'Save'}
        </button>
        <label className="toggle">
          <input type="checkbox" id="flow-enabled" checked={flow.enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <KeepPayloadsToggle appId={appId} flowId={flowID} on={!!flow.weir?.keepPayloads}
          onSaved={(saved) => setFlow((f) => ({ ...f, weir: saved.weir, lastUpdated: saved.lastUpdated }))} onError={setError} />
        <button type="button" id="export" onClick={() => download(fileName(flow.name), exportable({ ...flow, ...toDefinition(nodes, edges), globals }))}>
          Export
        </button>
        <span className="spacer" />
        <input className="payload" id="payload" aria-label="Button payload (JSON)" value={payload} onChange={(e) => setPayload(e.target.value)} spellCheck={false} />
        <button type="button" id="press" onClick={() => press()} title="Press the selected (or first) virtual button with this payload">
          ▶ Press
        </button>
      </div>
      {(error || status || conflict || problemCount > 0 || picked?.trace) && (
        <div className="messages-bar">
          {error && (
            <span className="error" role="alert" id="editor-error">
              {error}
            </span>
          )}
          {!error && status && (
            <span className="notice" id="editor-status">
              {status}
            </span>
          )}
          {picked?.trace && !replay && <TraceBar time={picked.time} trace={picked.trace} failed={picked.pathsFailed > 0} inner={picked.inner} onClear={() => setPicked(null)} />}
          {problemCount > 0 && <span className="warn" id="problem-count">{problemCount} problems on the canvas</span>}
          {conflict && (
            <span className="conflict" role="alert" id="conflict">
              This flow was changed elsewhere since you opened it ({new Date(conflict.lastUpdated).toLocaleString()}).{' '}
              <button type="button" id="overwrite" onClick={() => save(true)}>
                Overwrite with mine
              </button>
              <button type="button" id="load-theirs" onClick={() => (setDirty(false), setLeaveGuard(null), reload())}>
                Load theirs (drop my changes)
              </button>
            </span>
          )}
        </div>
      )}
      {replay && (
        <ReplayCompare appId={appId} flowId={flowID} replay={replay} nodes={nodes} labels={labels} onSelectNode={selectNode}
          onClose={() => (setReplay(null), setPicked(null))} />
      )}
      <div className="workspace">
        <Palette specs={specs} onAdd={(k, s) => addNode(k, s)} />
        <div
          className="canvas"
          ref={wrapper}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(dragType)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'move';
            }
          }}
          onDrop={(e) => {
            const what = e.dataTransfer.getData(dragType);
            if (!what) return;
            e.preventDefault();
            const [kind, type] = what.split(':') as [Kind, string];
            const spec = (kind === 'trigger' ? specs.triggers : specs.nodes).find((s) => s.type === type);
            if (spec) addNode(kind, spec, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
          }}
        >
          <ScopeBar chain={chain} onScope={openScope} />
          <ReactFlow
            nodes={traced.nodes}
            edges={traced.edges}
            onNodeDoubleClick={(_, n) => n.type === 'weir' && isLoop(n.data.raw) && openScope(n.id)}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodeDragStart={() => remember()}
            deleteKeyCode={['Backspace', 'Delete']}
            fitView={start.nodes.length > 0}
            fitViewOptions={{ maxZoom: 1.2 }}
            minZoom={0.05}
            onlyRenderVisibleElements={nodes.length > 200}
          >
            <Background />
            <Controls />
            <MiniMap pannable zoomable style={{ width: 150, height: 100 }} />
          </ReactFlow>
        </div>
        {one && (
          <ConfigPanel appId={appId} node={one} onChange={(raw, c) => updateRaw(one.id, raw, c)} onDelete={deleteSelected}>
            {one.data.kind === 'trigger' && one.data.raw.type === 'virtualButton' && (
              <div className="press-here">
                <button type="button" id="press-selected" onClick={() => press(one.data.raw.key)}>
                  ▶ Press this button
                </button>
                <small>{one.data.raw.key ? `key ${one.data.raw.key}` : 'Save to give the button its key.'}</small>
              </div>
            )}
            {isLoop(one.data.raw) && (
              <button type="button" id="open-body" onClick={() => openScope(one.id)} title="Or double-click the loop">
                Open the loop body ({bodySize(one.id, nodes)} nodes)
              </button>
            )}
            {one.data.raw.type === 'CustomNodeExecuteNode' && /^[0-9a-f]{24}$/.test(one.data.raw.config?.customNodeId ?? '') && (
              <a
                id="open-custom-node"
                href={`#/applications/${appId}/flows/${one.data.raw.config.customNodeId}/from/${flowID}`}
                onClick={() => picked && handOff(one.data.raw.config.customNodeId, one.data.raw.id, picked)}
              >
                Open the custom node's flow
              </a>
            )}
          </ConfigPanel>
        )}
      </div>
      <section className="dock">
        <div className="tabs">
          <button type="button" id="tab-debug" className={tab === 'debug' ? 'on' : ''} onClick={() => setTab('debug')}>
            Debug {tab !== 'debug' && unseen > 0 && <span className="badge" id="debug-unseen">{unseen}</span>}
          </button>
          <button type="button" id="tab-runs" className={tab === 'runs' ? 'on' : ''} onClick={() => setTab('runs')}>
            Runs
          </button>
          <button type="button" id="tab-storage" className={tab === 'storage' ? 'on' : ''} onClick={() => setTab('storage')}>
            Storage
          </button>
          <button type="button" id="tab-globals" className={tab === 'globals' ? 'on' : ''} onClick={() => setTab('globals')}>
            Globals
          </button>
          <button type="button" id="tab-versions" className={tab === 'versions' ? 'on' : ''} onClick={() => setTab('versions')}>
            Versions
          </button>
          <button type="button" id="tab-stats" className={tab === 'stats' ? 'on' : ''} onClick={() => setTab('stats')}>
            Stats
          </button>
        </div>
        {tab === 'debug' && <DebugPanel messages={messages} labels={labels} status={streamStatus} onClear={() => setMessages([])} onSelectNode={selectNode} />}
        {tab === 'runs' && (
          <RunLog
            appId={appId}
            flowId={flowID}
            refresh={refresh}
            onSelectNode={selectNode}
            selected={picked ? runKey(picked) : undefined}
            onSelectRun={(e) => (setReplay(null), setPicked(e))}
            onReplay={async (e) => {
              setError('');
              try {
                const runId = await startReplay(appId, flowID, e);
                setPicked(e);
                setReplay({ original: e, runId, unsaved: dirty });
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          />
        )}
        {tab === 'storage' && <Storage appId={appId} flowId={flowID} refresh={refresh} />}
        {tab === 'globals' && (
          <Globals
            globals={globals}
            onChange={(g) => {
              setGlobals(g);
              setDirty(true);
            }}
          />
        )}
        {tab === 'stats' && <FlowStats appId={appId} flowId={flowID} refresh={refresh} />}
        {tab === 'versions' && <Versions
            appId={appId}
            flow={flow}
            specs={specs}
            dirty={dirty}
            onFlow={(f) => setFlow((x) => ({ ...x, ...f }))}
            unsaved={() => ({ name: 'your unsaved changes', ...toDefinition(now.current.nodes, now.current.edges), globals })}
          />}
      </section>
    </main>
  );
}

/** A run's path inside a custom node as the run log's entry the editor shows. */
function innerEntry(h: InnerRun | null): (LogEntry & { inner: boolean }) | null {
  if (!h) return null;
  return { time: h.time, trace: h.trace, runCount: 1, pathsCompleted: 0, pathsFailed: h.failed ? 1 : 0, wallTime: 0, errors: [], inner: true };
}
