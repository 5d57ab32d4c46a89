import { useEffect, useState } from 'react';
import { api, appPath } from './api';
import { LineChart, type Point } from './chart';

/** One state report as getState answers it. */
export interface State {
  time: string;
  data: Record<string, unknown>;
}

/** Whether a reported value reads as a number (state may carry "21.5"). */
const numberLike = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) && Number.isFinite(Number(v));

const toPoints = (states: State[], attr: string): Point[] =>
  states.filter((s) => numberLike(s.data[attr])).map((s) => ({ time: new Date(s.time).getTime(), value: Number(s.data[attr]) }));

// The chart's ranges: the recent reports as they came, or the mean over a
// span from data.timeSeriesQuery, bucketed at the server's resolution.
const ranges: [string, string, number][] = [
  ['recent', 'Recent reports', 0],
  ['hour', 'Last hour (mean)', 3600e3],
  ['day', 'Last 24 hours (mean)', 86400e3],
  ['week', 'Last 7 days (mean)', 7 * 86400e3],
];

/**
 * A chart of one number attribute of a device: the recent reports the page
 * holds, or a time-series query over a longer span.
 */
export function HistoryChart({ appId, deviceId, numeric, recent }: { appId: string; deviceId: string; numeric: string[]; recent: State[] }) {
  const [attr, setAttr] = useState('');
  const [range, setRange] = useState('recent');
  const [series, setSeries] = useState<Point[] | null>(null);
  const [error, setError] = useState('');
  const charted = numeric.includes(attr) ? attr : numeric[0] ?? '';
  const duration = ranges.find(([k]) => k === range)?.[2] ?? 0;
  useEffect(() => {
    if (!duration || !charted) return;
    const body = { deviceIds: [deviceId], attributes: [charted], duration, aggregation: 'MEAN' };
    api<{ devices: Record<string, { points: State[] }> }>('POST', `${appPath(appId)}/data/time-series-query`, body).then(
      (res) => (setSeries(toPoints(res.devices?.[deviceId]?.points ?? [], charted)), setError('')),
      (err) => setError((err as Error).message),
    );
  }, [appId, deviceId, charted, duration, recent[0]?.time]); // and again when a report comes
  if (!charted) return <p className="empty">No number attribute to chart.</p>;
  const points = duration ? series : toPoints(recent, charted);
  return (
    <div className="history-chart">
      <div className="create">
        <select id="chart-attribute" aria-label="Attribute to chart" value={charted} onChange={(e) => setAttr(e.target.value)}>
          {numeric.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <select id="chart-range" aria-label="Time range" value={range} onChange={(e) => setRange(e.target.value)}>
          {ranges.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {error ? <p className="error">{error}</p> : points === null ? <p>Loading…</p> : <LineChart points={points} label={charted} />}
    </div>
  );
}
