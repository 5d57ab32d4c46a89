import { useState } from 'react';
import type { Spec, Specs } from './api';
import type { Kind } from './doc';

/** The data type of a palette item being dragged onto the canvas. */
export const dragType = 'application/x-weir-type';

const categoryOrder = ['triggers', 'logic', 'data', 'output', 'debug', 'loop', 'experience'];

/** The node and trigger types, by category, to drag or click onto the canvas. */
export function Palette({ specs, onAdd }: { specs: Specs; onAdd: (kind: Kind, spec: Spec) => void }) {
  const [q, setQ] = useState('');
  const groups = new Map<string, { kind: Kind; spec: Spec }[]>();
  const add = (kind: Kind, spec: Spec) => {
    const text = `${spec.type} ${spec.name} ${spec.summary}`.toLowerCase();
    if (q && !text.includes(q.toLowerCase())) return;
    const cat = kind === 'trigger' ? 'triggers' : spec.category || 'other';
    if (!groups.has(cat)) groups.set(cat, []);
    groups.get(cat)!.push({ kind, spec });
  };
  specs.triggers.forEach((s) => add('trigger', s));
  specs.nodes.forEach((s) => add('node', s));
  const cats = [...groups.keys()].sort((a, b) => {
    const ia = categoryOrder.indexOf(a);
    const ib = categoryOrder.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return (
    <nav className="palette" aria-label="Palette">
      <input type="search" id="palette-search" placeholder="Find a node" value={q} onChange={(e) => setQ(e.target.value)} />
      {cats.map((cat) => (
        <section key={cat}>
          <h3>{cat}</h3>
          {groups.get(cat)!.map(({ kind, spec }) => (
            <div
              key={kind + spec.type}
              className={'item ' + kind}
              data-type={spec.type}
              draggable
              title={spec.summary + '\nDrag onto the canvas, or click to add.'}
              onDragStart={(e) => {
                e.dataTransfer.setData(dragType, `${kind}:${spec.type}`);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => onAdd(kind, spec)}
            >
              {kind === 'trigger' ? spec.name : spec.type.replace(/Node$/, '').replace(/([a-z])([A-Z])/g, '$1 $2')}
            </div>
          ))}
        </section>
      ))}
    </nav>
  );
}

