// Flow stats through losant-rest (flow.stats, Losant's flowStats): runs,
// completed and failed paths and wall time in buckets of the resolution,
// which the console's stats tab charts.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, button, client, createApp, createFlow, eventually, isoTime, node, sum } from './helpers.mjs';

const api = client();

test('flow.stats counts the runs and failed paths in buckets of the resolution', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['cond'])],
    nodes: [
      node('cond', 'ConditionalNode', { expression: '{{data.fail}} === true' }, [['ok'], ['boom']]),
      node('ok', 'DebugNode', { message: 'fine' }, [[]]),
      node('boom', 'ThrowErrorNode', { messageTemplate: 'too hot' }, []),
    ],
  });
  for (const fail of [false, true, false]) {
    await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { fail } } });
  }
  const hour = 3600000;
  const stats = await eventually(async () => {
    const s = await api.flow.stats({ ...ids, duration: String(hour), resolution: '60000' });
    return sum(s.metrics, 'runCount') === 3 ? s : undefined;
  }, { what: 'three runs in the stats' });
  assert.equal(stats.resolution, 60000, 'resolution');
  assert.match(stats.start, isoTime, 'start');
  assert.match(stats.end, isoTime, 'end');
  assert.ok(Date.parse(stats.end) - Date.parse(stats.start) === hour, 'the window is the duration');
  assert.ok(stats.metrics.length >= 60 && stats.metrics.length <= 61, `${stats.metrics.length} buckets of a minute in an hour`);
  for (const m of stats.metrics) {
    assert.match(m.time, isoTime, 'bucket time');
    for (const f of ['runCount', 'pathsCompleted', 'pathsFailed', 'wallTime']) assert.equal(typeof m[f], 'number', f);
  }
  assert.equal(sum(stats.metrics, 'pathsFailed'), 1, 'one failed path');
  assert.ok(sum(stats.metrics, 'pathsCompleted') >= 2, 'the other runs completed their paths');

  // develop alone: the same runs (the flow has no other version).
  const develop = await api.flow.stats({ ...ids, duration: String(hour), resolution: '60000', flowVersion: 'develop' });
  assert.equal(sum(develop.metrics, 'runCount'), 3, 'develop runs');

  // A resolution under a minute is refused.
  await apiError(api.flow.stats({ ...ids, resolution: '1000' }), 400, 'Validation', 'resolution 1000');
});
