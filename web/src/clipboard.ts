// Copy and paste of nodes on the canvas. A copied loop carries its body
// (nested loops' bodies too); pasted, the body follows the new loop: its
// nodes name the new loop in meta.groupId, its caps in loopNodeId, and the
// loop's body output wires them.

import type { Edge } from '@xyflow/react';
import { newID, toDefinition, type CanvasNode } from './doc';
import { intoScope, withBodies } from './scope';

/** The raw nodes that copying the selected nodes takes: them, and the bodies of the loops among them. */
export function copied(nodes: CanvasNode[], edges: Edge[]): any[] {
  const picked = withBodies(new Set(nodes.filter((n) => n.selected && n.data.kind === 'node').map((n) => n.id)), nodes);
  const taken = nodes.filter((n) => picked.has(n.id) && n.data.kind === 'node');
  return taken.length ? toDefinition(taken, edges).nodes : [];
}

/**
 * The raw nodes to add when pasting clip into scope: new ids, wires kept
 * among the pasted nodes, the pasted nodes placed in scope a little off
 * the copied ones, and pasted loops' bodies in those loops, where they were
 * in their bodies.
 */
export function pasted(clip: any[], scope: string): { raw: any; top: boolean }[] {
  const ids = new Map(clip.map((r) => [r.id, newID()]));
  return clip.map((r) => {
    const group = r.meta?.groupId;
    const top = !(typeof group === 'string' && ids.has(group)); // not in the body of a pasted loop
    let raw = top ? intoScope(r, scope) : { ...r, meta: { ...r.meta, groupId: ids.get(group) } };
    if (raw.type === 'LoopCapNode' && ids.has(raw.config?.loopNodeId)) raw = { ...raw, config: { ...raw.config, loopNodeId: ids.get(raw.config.loopNodeId) } };
    const shift = top ? 40 : 0;
    raw = {
      ...raw,
      id: ids.get(r.id),
      outputIds: (r.outputIds ?? []).map((t: string[]) => t.filter((x) => ids.has(x)).map((x) => ids.get(x))),
      meta: { ...raw.meta, x: (r.meta?.x ?? 0) + shift, y: (r.meta?.y ?? 0) + shift },
    };
    return { raw, top };
  });
}
