// The difference between two versions of a flow: triggers and nodes added,
// removed, changed (with each changed field's old and new value) or only
// moved, and the globals changed; shown as lists and on a canvas with the
// nodes marked.

import { useMemo } from 'react';
import type { Specs } from './api';
import { labelOf, toCanvas, triggerNodeID, type CanvasNode } from './doc';
import { ReadOnlyCanvas } from './readonly';

/** What a diff compares: a version, or the flow's saved develop version. */
export interface Definition {
  name: string; // "develop", "v1"
  triggers: any[];
  nodes: any[];
  globals?: { key: string; json: string }[];
}

/** One field that differs: its dotted path, and its values before and after (undefined: absent). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export type Status = 'added' | 'removed' | 'changed' | 'moved';

/** A trigger or node that differs. */
export interface ItemChange {
  key: string; // a node's id; a trigger's type and key, or its place
  kind: 'trigger' | 'node';
  label: string;
  type: string;
  status: Status;
  fields: FieldChange[]; // for changed and moved
}

/** The fields that differ between a and b, deepest first where both are objects or same-length arrays. */
export function fieldChanges(a: unknown, b: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects || (Array.isArray(a) && (a as unknown[]).length !== (b as unknown[]).length)) return [{ path: path || '(whole)', before: a, after: b }];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  return keys.flatMap((k) => fieldChanges((a as any)[k], (b as any)[k], path ? `${path}.${k}` : k));
}

const isPosition = (path: string) => path === 'meta.x' || path === 'meta.y';

/** How a trigger is matched across versions: its type and key, else its place. */
const triggerKey = (t: any, i: number) => (t?.key ? `${t.type}:${t.key}` : `#${i}:${t?.type}`);

/** The triggers and nodes that differ from a to b, in b's order, then the removed ones. */
export function diffItems(a: Definition, b: Definition): ItemChange[] {
  const out: ItemChange[] = [];
  const compare = (kind: 'trigger' | 'node', as: any[], bs: any[], keyOf: (x: any, i: number) => string) => {
    const before = new Map(as.map((x, i) => [keyOf(x, i), x]));
    const after = new Map(bs.map((x, i) => [keyOf(x, i), x]));
    const item = (key: string, x: any, status: Status, fields: FieldChange[] = []) => ({ key, kind, label: labelOf(x), type: String(x?.type ?? '?'), status, fields });
    for (const [key, x] of after) {
      const old = before.get(key);
      if (old === undefined) {
        out.push(item(key, x, 'added'));
        continue;
      }
      const fields = fieldChanges(old, x);
      if (fields.length) out.push(item(key, x, fields.every((f) => isPosition(f.path)) ? 'moved' : 'changed', fields));
    }
    for (const [key, x] of before) if (!after.has(key)) out.push(item(key, x, 'removed'));
  };
  compare('trigger', a.triggers ?? [], b.triggers ?? [], triggerKey);
  compare('node', a.nodes ?? [], b.nodes ?? [], (n, i) => (typeof n?.id === 'string' ? n.id : `#${i}`));
  return out;
}

/** The globals that differ from a to b, by key. */
export function diffGlobals(a: Definition, b: Definition): FieldChange[] {
  const as = new Map((a.globals ?? []).map((g) => [g.key, g.json]));
  const bs = new Map((b.globals ?? []).map((g) => [g.key, g.json]));
  return [...new Set([...as.keys(), ...bs.keys()])]
    .sort()
    .filter((k) => as.get(k) !== bs.get(k))
    .map((k) => ({ path: k, before: as.get(k), after: bs.get(k) }));
}

const shown = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

/**
 * The canvas of b with each changed node marked, and a's removed nodes
 * drawn where they were, marked removed.
 */
function DiffCanvas({ a, b, items, specs }: { a: Definition; b: Definition; items: ItemChange[]; specs: Specs }) {
  const { nodes, edges } = useMemo(() => {
    const removed = items.filter((i) => i.status === 'removed' && i.kind === 'node').map((i) => i.key);
    const gone = (a.nodes ?? []).filter((n) => removed.includes(n.id));
    const c = toCanvas({ triggers: b.triggers, nodes: [...(b.nodes ?? []), ...gone] }, specs);
    const status = new Map<string, Status>();
    for (const i of items) {
      if (i.kind === 'node') status.set(i.key, i.status);
      else {
        const at = (i.status === 'removed' ? [] : b.triggers ?? []).findIndex((t, k) => triggerKey(t, k) === i.key);
        if (at >= 0) status.set(triggerNodeID(at), i.status);
      }
    }
    // A loop whose body differs says so, up to the flow, so that the change can be found.
    const byID = new Map(c.nodes.map((n) => [n.id, n]));
    const inside = new Set<string>();
    for (const id of status.keys()) {
      for (let g = byID.get(id)?.data.raw.meta?.groupId; typeof g === 'string' && byID.has(g) && !inside.has(g); g = byID.get(g)!.data.raw.meta?.groupId) inside.add(g);
    }
    const marked: CanvasNode[] = c.nodes.map((n) => {
      const cls = [status.has(n.id) ? 'diff-' + status.get(n.id) : '', inside.has(n.id) ? 'diff-inside' : ''].filter(Boolean).join(' ');
      return cls ? { ...n, className: cls } : n;
    });
    return { nodes: marked, edges: c.edges };
  }, [a, b, items, specs]);
  return <ReadOnlyCanvas nodes={nodes} edges={edges} />;
}

/** The difference from version a to version b, over the editor. */
export function VersionDiff({ a, b, specs, onClose }: { a: Definition; b: Definition; specs: Specs; onClose: () => void }) {
  const items = useMemo(() => diffItems(a, b), [a, b]);
  const globals = useMemo(() => diffGlobals(a, b), [a, b]);
  const count = (s: Status) => items.filter((i) => i.status === s).length;
  return (
    <div className="version-view" id="version-diff" role="dialog" aria-label={`Changes from ${a.name} to ${b.name}`}>
      <div className="bar">
        <strong>
          From {a.name} to {b.name}
        </strong>
        <span className="sub" id="diff-summary">
          {items.length === 0 && globals.length === 0
            ? 'No differences.'
            : `${count('added')} added, ${count('removed')} removed, ${count('changed')} changed, ${count('moved')} moved, ${globals.length} globals changed`}
        </span>
        <span className="spacer" />
        <button type="button" id="diff-close" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="diff-body">
        <div className="diff-list">
          {items.map((i) => (
            <section key={i.kind + i.key} className={'diff-item diff-' + i.status} data-key={i.key} data-status={i.status}>
              <h4>
                <span className="diff-status">{i.status}</span> {i.label} <span className="sub">{i.kind === 'trigger' ? 'trigger · ' : ''}{i.type}</span>
              </h4>
              {i.fields.length > 0 && (
                <table className="kv">
                  <tbody>
                    {i.fields.map((f) => (
                      <tr key={f.path} data-path={f.path}>
                        <th>{f.path}</th>
                        <td className="before">{shown(f.before)}</td>
                        <td className="after">{shown(f.after)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
          {globals.length > 0 && (
            <section className="diff-item diff-changed" id="diff-globals">
              <h4>Globals</h4>
              <table className="kv">
                <tbody>
                  {globals.map((f) => (
                    <tr key={f.path} data-path={f.path}>
                      <th>{f.path}</th>
                      <td className="before">{f.before === undefined ? '(none)' : String(f.before)}</td>
                      <td className="after">{f.after === undefined ? '(none)' : String(f.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </div>
        <DiffCanvas a={a} b={b} items={items} specs={specs} />
      </div>
    </div>
  );
}
