import { Background, Controls, ReactFlow, ReactFlowProvider, type Edge } from '@xyflow/react';
import type { CanvasNode } from './doc';
import { WeirNode } from './node';
import { scopedNodes } from './scope';

const nodeTypes = { weir: WeirNode };

/** A graph to look at, not edit: a version's, or a diff's; loop bodies are left out, as in the editor. */
export function ReadOnlyCanvas({ nodes, edges }: { nodes: CanvasNode[]; edges: Edge[] }) {
  return (
    <div className="version-canvas">
      <ReactFlowProvider>
        <ReactFlow nodes={scopedNodes(nodes, '', null)} edges={edges} nodeTypes={nodeTypes} nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} deleteKeyCode={null} fitView fitViewOptions={{ maxZoom: 1.2 }}>
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
