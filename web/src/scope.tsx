// Nested views: loop bodies on the canvas, and a custom node's flow opened
// from a flow that runs it.
//
// Loop bodies on the canvas. Losant keeps a loop's body in the flow's nodes
// list, each body node marked with meta.groupId, the loop's id, and placed
// in the body's own coordinates; the loop's output 1 wires the body's first
// nodes. The canvas shows one scope at a time: the flow itself, or the body
// of one loop (loops nest). In a body, a start node stands for the loop's
// body output, so its wires can be seen and drawn.

import { memo, useEffect, useState } from 'react';
import { Handle, Position, type Edge, type NodeProps } from '@xyflow/react';
import { api, flowPath } from './api';
import { labelOf, type CanvasNode } from './doc';

/** The loop body output's port, as Losant numbers it. */
export const bodyPort = 1;

const startPrefix = 'loop-start:';

/** The id of the start node that stands for loop's body output. */
export const startID = (loop: string) => startPrefix + loop;

/** Whether a raw node is a loop, whose body can be opened. */
export const isLoop = (raw: any) => raw?.type === 'LoopNode';

/**
 * The scope a canvas node is in: "" for the flow, or the id of the loop
 * whose body holds it. A groupId that names no loop on the canvas puts the
 * node in the flow, so no node is ever out of reach.
 */
export function scopeOf(n: CanvasNode, loops: Set<string>): string {
  const g = n.data.kind === 'node' ? n.data.raw.meta?.groupId : undefined;
  return typeof g === 'string' && loops.has(g) && g !== n.id ? g : '';
}

/** The ids of the loop nodes on the canvas. */
export const loopIDs = (nodes: CanvasNode[]) => new Set(nodes.filter((n) => n.data.kind === 'node' && isLoop(n.data.raw)).map((n) => n.id));

/** The loops from the flow down to scope, outermost first. */
export function scopeChain(scope: string, nodes: CanvasNode[]): CanvasNode[] {
  const loops = loopIDs(nodes);
  const byID = new Map(nodes.map((n) => [n.id, n]));
  const chain: CanvasNode[] = [];
  for (let s = scope; s && byID.has(s) && !chain.includes(byID.get(s)!); s = scopeOf(byID.get(s)!, loops)) chain.unshift(byID.get(s)!);
  return chain;
}

/** The ids of gone and of every node in the body of a loop among them, nested loops included. */
export function withBodies(gone: Set<string>, nodes: CanvasNode[]): Set<string> {
  const out = new Set(gone);
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of nodes) {
      const g = n.data.kind === 'node' ? n.data.raw.meta?.groupId : undefined;
      if (typeof g === 'string' && out.has(g) && !out.has(n.id)) out.add(n.id), (grew = true);
    }
  }
  return out;
}

/** How many nodes a loop's body holds (directly). */
export const bodySize = (loop: string, nodes: CanvasNode[]) => nodes.filter((n) => n.data.kind === 'node' && n.data.raw.meta?.groupId === loop).length;

/** The nodes the canvas shows in scope: the scope's own; the others hidden. */
export function scopedNodes(nodes: CanvasNode[], scope: string, start: CanvasNode | null): CanvasNode[] {
  if (scope === '' && !nodes.some((n) => n.data.kind === 'node' && n.data.raw.meta?.groupId)) return nodes; // nothing to hide
  const loops = loopIDs(nodes);
  const out = nodes.map((n) => {
    const hidden = scopeOf(n, loops) !== scope;
    return hidden === !!n.hidden ? n : { ...n, hidden, selected: hidden ? false : n.selected };
  });
  if (start && start.id === startID(scope)) out.push(start);
  return out;
}

/**
 * The start node of the body of loop scope, left of the body's nodes; null
 * for the flow. The editor keeps it in its own state, so the canvas
 * measures it once (see isStartChange).
 */
export function startNode(nodes: CanvasNode[], scope: string): CanvasNode | null {
  const loop = nodes.find((n) => n.id === scope);
  if (!loop) return null;
  const body = nodes.filter((n) => n.data.kind === 'node' && n.data.raw.meta?.groupId === scope);
  const x = body.length ? Math.min(...body.map((n) => n.position.x)) - 240 : 40;
  const y = body.length ? Math.min(...body.map((n) => n.position.y)) : 40;
  return { id: startID(scope), type: 'loopStart', position: { x, y }, draggable: false, selectable: false, deletable: false, data: loop.data };
}

/** Whether a change of the canvas is about a start node, not a node of the flow. */
export const isStartChange = (c: { type: string; id?: string }) => typeof c.id === 'string' && c.id.startsWith(startPrefix);

/** The edges as the canvas shows them in scope: a body's wires leave its start node. */
export function scopedEdges(edges: Edge[], scope: string): Edge[] {
  if (scope === '') return edges;
  return edges.map((e) => (e.source === scope && e.sourceHandle === String(bodyPort) ? { ...e, source: startID(scope) } : e));
}

/** The real source of a wire drawn on the canvas: a start node's is its loop's body output. */
export function realSource(source: string, handle: string | null | undefined): { source: string; port: number } {
  if (source.startsWith(startPrefix)) return { source: source.slice(startPrefix.length), port: bodyPort };
  return { source, port: Number(handle ?? 0) };
}

/**
 * Whether a wire from port of source to target keeps the server's rule: a
 * wire stays among the nodes of one group (meta.groupId), but a loop's body
 * output goes into that loop's body. Says why not, or returns ''.
 */
export function wireRefusal(nodes: CanvasNode[], source: string, port: number, target: string): string {
  const group = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    const g = n?.data.kind === 'node' ? n.data.raw.meta?.groupId : undefined;
    return typeof g === 'string' ? g : '';
  };
  const src = nodes.find((x) => x.id === source);
  const loopBody = src && src.data.kind === 'node' && isLoop(src.data.raw) && port === bodyPort;
  const want = loopBody ? source : group(source);
  if (group(target) === want) return '';
  return loopBody ? "A loop's body output wires nodes of its body: open the body (double-click the loop) and wire them from its start." : 'A wire cannot leave or enter a loop body.';
}

/** A node added or pasted in scope: in a loop body it is marked as the body's, and a cap names that loop. */
export function intoScope(raw: any, scope: string): any {
  const meta = { ...(raw.meta ?? {}) };
  if (scope) meta.groupId = scope;
  else delete meta.groupId;
  const out = { ...raw, meta };
  if (scope && raw.type === 'LoopCapNode') out.config = { ...(raw.config ?? {}), loopNodeId: scope }; // pasted ones too
  return out;
}

/** The start node of a loop body on the canvas: where the body's first wires leave. */
export const LoopStart = memo(function LoopStart({ data }: NodeProps<CanvasNode>) {
  return (
    <div className="weir-node loop-start" title="Each iteration starts here">
      <div className="head">
        <span className="label">Start of {labelOf(data.raw)}</span>
      </div>
      <div className="type">each iteration</div>
      <div className="outputs">
        <div className="output">
          <Handle type="source" position={Position.Right} id={String(bodyPort)} className={`port-out port-${bodyPort}`} />
        </div>
      </div>
    </div>
  );
});

/** Where the canvas is: the flow, or a loop body (with the loops above it), and the way back up. */
export function ScopeBar({ chain, onScope }: { chain: CanvasNode[]; onScope: (scope: string) => void }) {
  if (chain.length === 0) return null;
  return (
    <div className="scope-bar" id="scope-bar">
      <button type="button" className="link" id="scope-flow" onClick={() => onScope('')}>
        Flow
      </button>
      {chain.map((n, i) => (
        <span key={n.id}>
          {' / '}
          {i === chain.length - 1 ? (
            <strong id="scope-current">Body of {labelOf(n.data.raw)}</strong>
          ) : (
            <button type="button" className="link" onClick={() => onScope(n.id)}>
              Body of {labelOf(n.data.raw)}
            </button>
          )}
        </span>
      ))}
      <button type="button" id="scope-up" onClick={() => onScope(chain.length > 1 ? chain[chain.length - 2].id : '')}>
        ↑ Up
      </button>
    </div>
  );
}

/** Above a custom node's flow opened from a flow that runs it: the way back to that flow. */
export function CallerBar({ appId, from }: { appId: string; from: string }) {
  const [name, setName] = useState('');
  useEffect(() => {
    api<{ name: string }>('GET', flowPath(appId, from)).then(
      (f) => setName(f.name),
      () => setName(''),
    );
  }, [appId, from]);
  return (
    <div className="scope-bar caller-bar" id="caller-bar">
      Custom node, opened from{' '}
      <a id="back-to-caller" href={`#/applications/${appId}/flows/${from}`}>
        {name || 'the calling flow'}
      </a>
      . Saving here changes it for every flow that runs it.
    </div>
  );
}
