// Conversions between a flow's definition (Losant's triggers and nodes, kept
// verbatim) and the canvas's nodes and edges. Every field of a trigger or
// node the console does not edit is carried through unchanged.

import type { Edge, Node } from '@xyflow/react';
import type { Field, Flow, Spec, Specs } from './api';
import type { NodeMark } from './trace';

export type Kind = 'trigger' | 'node';

/** The data of a canvas node: the raw trigger or node, and its spec. */
export interface NodeData extends Record<string, unknown> {
  kind: Kind;
  raw: any; // the trigger or node object; meta.x/y and outputIds are rewritten on save
  seq: number; // its place in the definition's array
  spec?: Spec; // undefined: a type this server does not know
  problems: string[];
  trace?: NodeMark; // set while a logged run's path is shown (trace.tsx)
  live?: NodeMark; // set while live runs pass the node (trace.tsx)
  replay?: NodeMark; // set while a replay's path is compared with its run's (replay.tsx)
}

export type CanvasNode = Node<NodeData>;

/** Reads the value at a dotted path ("config.expression") of obj. */
export function getPath(obj: any, path: string): any {
  let v = obj;
  for (const k of path.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

/** Returns a copy of obj with the value at path set; the rest is shared. */
export function setPath(obj: any, path: string, value: any): any {
  const [k, ...rest] = path.split('.');
  const copy = Array.isArray(obj) ? [...obj] : { ...(obj ?? {}) };
  copy[k] = rest.length ? setPath(copy[k], rest.join('.'), value) : value;
  return copy;
}

/** The id of a trigger's canvas node; triggers have no id of their own. */
export const triggerNodeID = (i: number) => `trigger-${i}`;

/** The label shown for a type: "StoreValueNode" → "Store Value". */
export function typeTitle(type: string): string {
  return type
    .replace(/Node$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}

/** How many outputs a node has: its spec's, its outputIds', or its cases + 1. */
export function outputCount(d: NodeData): number {
  let n = d.spec ? d.spec.outputs.length : 1;
  if (d.raw.type === 'SwitchNode') n = 1 + (Array.isArray(d.raw.config?.cases) ? d.raw.config.cases.length : 0);
  return Math.max(n, Array.isArray(d.raw.outputIds) ? d.raw.outputIds.length : 0);
}

/** The label of output i: the part of the spec's text before the colon. */
export function outputLabel(d: NodeData, i: number): string {
  if (d.raw.type === 'SwitchNode') {
    if (i === 0) return 'default';
    const c = d.raw.config?.cases?.[i - 1];
    return c?.caseLabel || c?.caseTemplate || `case ${i}`;
  }
  const text = d.spec?.outputs[i];
  if (!text) return String(i);
  return text.split(':')[0].trim();
}

/** The problems shown on a node: unknown type, required fields left empty. */
export function problemsOf(kind: Kind, raw: any, spec: Spec | undefined): string[] {
  if (!spec) return [`This server does not know the ${kind} type ${raw.type}; it is kept as it is.`];
  const out: string[] = [];
  for (const f of spec.fields) {
    if (!f.required || f.path.includes('[]')) continue;
    const v = getPath(raw, f.path);
    if (v === undefined || v === null || v === '') out.push(`${f.name} is required`);
  }
  return out;
}

function specFor(specs: Specs, kind: Kind, type: string): Spec | undefined {
  return (kind === 'trigger' ? specs.triggers : specs.nodes).find((s) => s.type === type);
}

/** Makes a canvas node of a trigger or node. */
export function canvasNode(specs: Specs, kind: Kind, raw: any, seq: number, id: string, fallback: { x: number; y: number }): CanvasNode {
  const spec = specFor(specs, kind, raw.type);
  const x = Number(raw.meta?.x);
  const y = Number(raw.meta?.y);
  return {
    id,
    type: 'weir',
    position: { x: Number.isFinite(x) ? x : fallback.x, y: Number.isFinite(y) ? y : fallback.y },
    data: { kind, raw, seq, spec, problems: problemsOf(kind, raw, spec) },
  };
}

/** Turns a flow into canvas nodes and edges. */
export function toCanvas(flow: Pick<Flow, 'triggers' | 'nodes'>, specs: Specs): { nodes: CanvasNode[]; edges: Edge[] } {
  const nodes: CanvasNode[] = [];
  const edges: Edge[] = [];
  const triggers = flow.triggers ?? [];
  const flowNodes = flow.nodes ?? [];
  triggers.forEach((t, i) => nodes.push(canvasNode(specs, 'trigger', t, i, triggerNodeID(i), { x: 40, y: 40 + i * 120 })));
  flowNodes.forEach((n, i) => nodes.push(canvasNode(specs, 'node', n, i, n.id, { x: 320 + (i % 4) * 220, y: 40 + Math.floor(i / 4) * 140 })));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    const outs: any[] = Array.isArray(n.data.raw.outputIds) ? n.data.raw.outputIds : [];
    outs.forEach((targets, port) => {
      (Array.isArray(targets) ? targets : []).forEach((target: string) => {
        if (!ids.has(target)) return; // kept by save: see toDefinition
        edges.push(edge(n.id, port, target));
      });
    });
  }
  return { nodes, edges };
}

/** The edge from output port of source to target. */
export function edge(source: string, port: number, target: string): Edge {
  return { id: `${source}:${port}:${target}`, source, sourceHandle: String(port), target, targetHandle: 'in' };
}

/**
 * Turns the canvas back into a definition: each raw trigger and node with
 * its position and its outputIds rebuilt from the edges, in their first
 * order; references to ids not on the canvas are kept where they were.
 */
export function toDefinition(nodes: CanvasNode[], edges: Edge[]): { triggers: any[]; nodes: any[] } {
  const onCanvas = new Set(nodes.map((n) => n.id));
  const bySource = new Map<string, Edge[]>();
  for (const e of edges) {
    if (!bySource.has(e.source)) bySource.set(e.source, []);
    bySource.get(e.source)!.push(e);
  }
  const build = (n: CanvasNode) => {
    const raw = { ...n.data.raw };
    raw.meta = { ...(raw.meta ?? {}), x: Math.round(n.position.x), y: Math.round(n.position.y) };
    const count = outputCount(n.data);
    const old: any[] = Array.isArray(raw.outputIds) ? raw.outputIds : [];
    const outs: string[][] = [];
    for (let port = 0; port < Math.max(count, old.length); port++) {
      const kept = (Array.isArray(old[port]) ? old[port] : []).filter((id: string) => !onCanvas.has(id));
      const wired = (bySource.get(n.id) ?? []).filter((e) => Number(e.sourceHandle) === port).map((e) => e.target);
      outs.push([...kept, ...wired]);
    }
    // Without wires, keep what the node had (no outputIds, [] or [[]]), so
    // an unwired node saves as it came.
    const unwired = outs.every((o) => o.length === 0) && old.every((o) => !Array.isArray(o) || o.length === 0);
    if (!unwired) raw.outputIds = outs;
    return raw;
  };
  const bySeq = (a: CanvasNode, b: CanvasNode) => a.data.seq - b.data.seq;
  return {
    triggers: nodes.filter((n) => n.data.kind === 'trigger').sort(bySeq).map(build),
    nodes: nodes.filter((n) => n.data.kind === 'node').sort(bySeq).map(build),
  };
}

/**
 * The nodes left when the ones in gone are deleted: no node's outputIds
 * names a deleted node any more (the server refuses a wire to nowhere).
 */
export function removeNodes(nodes: CanvasNode[], gone: Set<string>): CanvasNode[] {
  return nodes
    .filter((n) => !gone.has(n.id))
    .map((n) => {
      const outs = n.data.raw.outputIds;
      if (!Array.isArray(outs) || !outs.some((t: unknown) => Array.isArray(t) && t.some((id) => gone.has(id)))) return n;
      const outputIds = outs.map((t: unknown) => (Array.isArray(t) ? t.filter((id) => !gone.has(id)) : t));
      return { ...n, data: { ...n.data, raw: { ...n.data.raw, outputIds } } };
    });
}

/** A new node id, in the style of Losant's editor. */
export function newID(): string {
  const a = new Uint8Array(8);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');
}

function defaultValue(f: Field): any {
  if (f.default === undefined || f.default === '') return undefined;
  if (f.kind === 'bool') return f.default === 'true';
  if (f.kind === 'number' && f.default !== '' && !Number.isNaN(Number(f.default))) return Number(f.default);
  return f.default;
}

/** A new trigger or node of spec's type, with its fields' defaults. */
export function newRaw(kind: Kind, spec: Spec, x: number, y: number): any {
  let raw: any =
    kind === 'trigger'
      ? { type: spec.type, config: {}, meta: { category: 'trigger', name: spec.type, label: spec.name, x, y }, outputIds: [[]] }
      : {
          id: newID(),
          type: spec.type,
          config: {},
          meta: { category: spec.category, name: spec.name, label: typeTitle(spec.type), x, y, description: '' },
          outputIds: spec.outputs.map(() => []),
        };
  for (const f of spec.fields) {
    if (f.path.includes('[]')) continue;
    const v = defaultValue(f);
    if (v !== undefined) raw = setPath(raw, f.path, v);
  }
  return raw;
}

/** The label of a trigger or node: meta.label, else its type. */
export function labelOf(raw: any): string {
  return raw.meta?.label || typeTitle(String(raw.type ?? '?'));
}

const serverFields = ['id', 'applicationId', 'creationDate', 'lastUpdated', 'createdById', 'createdByType', 'lastUpdatedById', 'lastUpdatedByType', 'stats', '_links', '_type'];

/** A flow as an export file's entry: the flow without server bookkeeping. */
export function exportable(flow: Flow): any {
  const out: any = {};
  for (const [k, v] of Object.entries(flow)) {
    if (!serverFields.includes(k) || k === 'id') out[k] = v;
  }
  return out;
}

/** Offers data as a JSON file download. */
export function download(name: string, data: unknown) {
  const blob = new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name made of a flow or application name. */
export const fileName = (name: string) => (name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'flow') + '.json';

/**
 * Finds the nodes a server 400 message is about, so it shows on them: by
 * place ("nodes.3"), by id, or by what the message names (a missing output
 * id, an empty type, a duplicate id, a wire to itself).
 */
export function problemsFromMessage(msg: string, nodes: CanvasNode[]): Map<string, string> {
  const out = new Map<string, string>();
  const text = 'Server: ' + msg;
  const order = (kind: Kind) => nodes.filter((n) => n.data.kind === kind).sort((a, b) => a.data.seq - b.data.seq);
  for (const [re, kind] of [
    [/nodes[.[](\d+)/g, 'node'],
    [/triggers[.[](\d+)/g, 'trigger'],
  ] as const) {
    for (const m of msg.matchAll(re)) {
      const n = order(kind)[Number(m[1])];
      if (n) out.set(n.id, text);
    }
  }
  const missing = /Referenced output ID (\S+?)\.? does not exist/.exec(msg)?.[1];
  const ids = new Map<string, number>();
  nodes.forEach((n) => n.data.raw.id !== undefined && ids.set(n.data.raw.id, (ids.get(n.data.raw.id) ?? 0) + 1));
  for (const n of nodes) {
    const raw = n.data.raw;
    const targets: string[] = (raw.outputIds ?? []).flat();
    if (
      (n.data.kind === 'node' && n.id.length >= 4 && msg.includes(n.id)) ||
      (missing !== undefined && targets.includes(missing)) ||
      (/type is required/.test(msg) && !raw.type) ||
      (/IDs must be unique/.test(msg) && (ids.get(raw.id) ?? 0) > 1) ||
      (/connect to itself/.test(msg) && raw.id !== undefined && targets.includes(raw.id))
    ) {
      out.set(n.id, text);
    }
  }
  return out;
}
