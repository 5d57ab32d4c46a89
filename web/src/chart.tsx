/** One numeric reading of a device's attribute. */
export interface Point {
  time: number; // milliseconds since the epoch
  value: number;
}

const W = 560;
const H = 160;
const PAD = 28;
const LEFT = 52; // room for the value labels

/**
 * A small line chart of points, drawn as SVG by hand: the time on the x
 * axis, the value on the y axis, with the extremes labelled.
 */
export function LineChart({ points, label }: { points: Point[]; label: string }) {
  if (points.length === 0) return <p className="empty">No numeric {label} in the recent history.</p>;
  const ps = [...points].sort((a, b) => a.time - b.time);
  const t0 = ps[0].time;
  const t1 = ps[ps.length - 1].time;
  let lo = Math.min(...ps.map((p) => p.value));
  let hi = Math.max(...ps.map((p) => p.value));
  if (lo === hi) (lo -= 1), (hi += 1);
  const x = (t: number) => LEFT + (t1 === t0 ? (W - LEFT - PAD) / 2 : ((t - t0) / (t1 - t0)) * (W - LEFT - PAD));
  const y = (v: number) => H - PAD - ((v - lo) / (hi - lo)) * (H - 2 * PAD);
  const line = ps.map((p, i) => `${i ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const when = (t: number) => new Date(t).toLocaleTimeString();
  return (
    <svg className="chart" id="state-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label} over time`}>
      <line className="axis" x1={LEFT} y1={H - PAD} x2={W - PAD} y2={H - PAD} />
      <line className="axis" x1={LEFT} y1={PAD} x2={LEFT} y2={H - PAD} />
      <text x={LEFT - 4} y={y(hi) + 4} textAnchor="end">
        {+hi.toPrecision(4)}
      </text>
      <text x={LEFT - 4} y={y(lo) + 4} textAnchor="end">
        {+lo.toPrecision(4)}
      </text>
      <text x={LEFT} y={H - 8}>
        {when(t0)}
      </text>
      <text x={W - PAD} y={H - 8} textAnchor="end">
        {when(t1)}
      </text>
      <path className="line" d={line} />
      {ps.map((p) => (
        <circle key={p.time} className="dot" cx={x(p.time)} cy={y(p.value)} r={2.5}>
          <title>{`${new Date(p.time).toLocaleString()}: ${p.value}`}</title>
        </circle>
      ))}
    </svg>
  );
}
