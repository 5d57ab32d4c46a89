import { useCallback, useEffect, useState } from 'react';
import { api, flowPath } from './api';

/** One bucket of flow.stats: Losant's flowStats metrics item. */
interface Metric {
  time: string;
  runCount: number;
  pathsCompleted: number;
  pathsFailed: number;
  wallTime: number; // ms, summed over the bucket's runs
}

interface FlowStatsAnswer {
  start: string;
  end: string;
  resolution: number;
  metrics: Metric[];
}

const hour = 3600000;
const day = 24 * hour;

/** The time ranges offered: the window and the width of one bar. */
const ranges = [
  ['1h', 'Last hour, by minute', hour, 60000],
  ['24h', 'Last 24 hours, by hour', day, hour],
  ['7d', 'Last 7 days, by day', 7 * day, day],
  ['30d', 'Last 30 days, by day', 30 * day, day],
] as const;

const W = 640;
const H = 150;
const PAD = 22;
const LEFT = 40;

/** Bars of runs per bucket, with the failed paths of each in red. */
function StatsChart({ metrics, resolution }: { metrics: Metric[]; resolution: number }) {
  const top = Math.max(1, ...metrics.map((m) => Math.max(m.runCount, m.pathsFailed)));
  const slot = (W - LEFT - PAD) / Math.max(metrics.length, 1);
  const bar = Math.max(1, slot * 0.8);
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD);
  const label = (t: string) => (resolution >= day ? new Date(t).toLocaleDateString() : new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  return (
    <svg className="chart stats-chart" id="stats-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Runs and failed paths over time">
      <line className="axis" x1={LEFT} y1={H - PAD} x2={W - PAD} y2={H - PAD} />
      <line className="axis" x1={LEFT} y1={PAD} x2={LEFT} y2={H - PAD} />
      <text x={LEFT - 4} y={y(top) + 4} textAnchor="end">
        {top}
      </text>
      <text x={LEFT - 4} y={H - PAD + 4} textAnchor="end">
        0
      </text>
      {metrics.length > 0 && (
        <>
          <text x={LEFT} y={H - 6}>
            {label(metrics[0].time)}
          </text>
          <text x={W - PAD} y={H - 6} textAnchor="end">
            {label(metrics[metrics.length - 1].time)}
          </text>
        </>
      )}
      {metrics.map((m, i) => {
        const x = LEFT + i * slot + (slot - bar) / 2;
        const tip = `${new Date(m.time).toLocaleString()}: ${m.runCount} runs, ${m.pathsFailed} failed paths` + (m.runCount ? `, ${Math.round(m.wallTime / m.runCount)} ms a run` : '');
        return (
          <g key={m.time} className="bucket" data-time={m.time} data-runs={m.runCount} data-failed={m.pathsFailed}>
            <title>{tip}</title>
            {m.runCount > 0 && <rect className="runs" x={x} y={y(m.runCount)} width={bar} height={H - PAD - y(m.runCount)} />}
            {m.pathsFailed > 0 && <rect className="failed" x={x + bar / 4} y={y(m.pathsFailed)} width={bar / 2} height={H - PAD - y(m.pathsFailed)} />}
          </g>
        );
      })}
    </svg>
  );
}

/** A flow's runs over time, from flow.stats: totals and a chart; refresh changes when runs may have happened. */
export function FlowStats({ appId, flowId, refresh }: { appId: string; flowId: string; refresh: number }) {
  const [range, setRange] = useState<string>('24h');
  const [version, setVersion] = useState('');
  const [stats, setStats] = useState<FlowStatsAnswer | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    const [, , duration, resolution] = ranges.find((r) => r[0] === range)!;
    try {
      const v = version ? `&flowVersion=${encodeURIComponent(version)}` : '';
      setStats(await api<FlowStatsAnswer>('GET', `${flowPath(appId, flowId)}/stats?duration=${duration}&resolution=${resolution}${v}`));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, flowId, range, version]);
  useEffect(() => {
    load();
  }, [load, refresh]);
  const sum = (f: (m: Metric) => number) => (stats?.metrics ?? []).reduce((k, m) => k + f(m), 0);
  const runs = sum((m) => m.runCount);
  const wall = sum((m) => m.wallTime);
  return (
    <div className="stats" id="stats">
      <div className="bar">
        <select id="stats-range" aria-label="Time range" value={range} onChange={(e) => setRange(e.target.value)}>
          {ranges.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <select id="stats-version" aria-label="Version" value={version} onChange={(e) => setVersion(e.target.value)}>
          <option value="">All versions</option>
          <option value="develop">develop only</option>
        </select>
        <button type="button" id="stats-refresh" onClick={load}>
          Refresh
        </button>
        <span id="stats-totals">
          <strong id="stats-runs">{runs}</strong> runs · <strong id="stats-failed">{sum((m) => m.pathsFailed)}</strong> failed paths · <span id="stats-completed">{sum((m) => m.pathsCompleted)}</span> completed paths
          {runs > 0 && ` · ${Math.round(wall / runs)} ms a run on average`}
        </span>
      </div>
      {error && <p className="error">{error}</p>}
      {stats && <StatsChart metrics={stats.metrics} resolution={stats.resolution} />}
    </div>
  );
}
