import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { labelOf, outputCount, outputLabel, type CanvasNode } from './doc';
import { traceLabel } from './trace';

/** A trigger or node on the canvas: its label, type, input and labelled outputs. */
export const WeirNode = memo(function WeirNode({ data, selected }: NodeProps<CanvasNode>) {
  const n = outputCount(data);
  const classes = ['weir-node', data.kind];
  if (!data.spec) classes.push('unknown');
  if (data.problems.length) classes.push('invalid');
  if (selected) classes.push('selected');
  if (data.trace) classes.push('traced', ...(data.trace.failed ? ['trace-failed'] : []));
  if (data.live) classes.push('live');
  if (data.replay) classes.push('replayed', ...(data.replay.failed ? ['replay-failed'] : []));
  const outputs = Array.from({ length: n }, (_, i) => i);
  return (
    <div className={classes.join(' ')} data-type={data.raw.type} title={data.problems.join('\n') || undefined}>
      {data.kind === 'node' && <Handle type="target" position={Position.Left} id="in" className="port-in" />}
      <div className="head">
        {data.problems.length > 0 && (
          <span className="mark" aria-label={`${data.problems.length} problems`}>
            !
          </span>
        )}
        <span className="label">{labelOf(data.raw)}</span>
      </div>
      <div className="type">{data.kind === 'trigger' ? 'trigger · ' : ''}{data.raw.type}</div>
      {data.trace && (
        <div className="trace-time" title="Time this node took in the run shown">
          {data.trace.failed ? '✕ ' : ''}
          {traceLabel(data.trace)}
        </div>
      )}
      {data.replay && (
        <div className="replay-time" title="Time this node took in the replay">
          replay: {data.replay.failed ? '✕ ' : ''}
          {traceLabel(data.replay)}
        </div>
      )}
      <div className="outputs">
        {outputs.map((i) => (
          <div className="output" key={i}>
            {n > 1 && <span className="out-label">{outputLabel(data, i)}</span>}
            <Handle type="source" position={Position.Right} id={String(i)} className={`port-out port-${i}`} />
          </div>
        ))}
      </div>
    </div>
  );
});
