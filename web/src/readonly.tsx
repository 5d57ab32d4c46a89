import { useMemo, useState } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Edge } from '@xyflow/react';
import type { CanvasNode } from './doc';
import { WeirNode } from './node';
import { LoopStart, ScopeBar, isLoop, scopeChain, scopedEdges, scopedNodes, startNode } from './scope';

const nodeTypes = { weir: WeirNode, loopStart: LoopStart };

/** A graph to look at, not edit: a version's, or a diff's. A loop's body opens as in the editor (double-click the loop). */
export function ReadOnlyCanvas({ nodes, edges }: { nodes: CanvasNode[]; edges: Edge[] }) {
  return (
    <div className="version-canvas">
      <ReactFlowProvider>
        <Scoped nodes={nodes} edges={edges} />
      </ReactFlowProvider>
    </div>
  );
}

function Scoped({ nodes, edges }: { nodes: CanvasNode[]; edges: Edge[] }) {
  const [scope, setScope] = useState('');
  const rf = useReactFlow();
  const shown = useMemo(() => scopedNodes(nodes, scope, startNode(nodes, scope)), [nodes, scope]);
  const wires = useMemo(() => scopedEdges(edges, scope), [edges, scope]);
  const chain = useMemo(() => scopeChain(scope, nodes), [scope, nodes]);
  const open = (s: string) => {
    setScope(s);
    requestAnimationFrame(() => rf.fitView({ maxZoom: 1.2 }));
  };
  return (
    <>
      <ScopeBar chain={chain} onScope={open} />
      <ReactFlow
        nodes={shown}
        edges={wires}
        nodeTypes={nodeTypes}
        onNodeClick={() => {}} // nodes take pointer events only with a click handler, which double-clicks need
        zoomOnDoubleClick={false} // else the pane's zoom takes a double-click on a node that cannot be dragged
        onNodeDoubleClick={(_, n) => n.type === 'weir' && isLoop(n.data.raw) && open(n.id)}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        fitView
        fitViewOptions={{ maxZoom: 1.2 }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </>
  );
}
