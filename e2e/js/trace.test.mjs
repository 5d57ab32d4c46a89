// A run's log entry read through losant-rest: Losant's fields as they are,
// plus weir's trace of the path the run took.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { button, client, createApp, createFlow, node } from './helpers.mjs';

const api = client();

test('getLogEntries returns the run with its trace', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['cond'])],
    nodes: [
      node('cond', 'ConditionalNode', { expression: '{{data.temp}} > 30' }, [[], ['dbg']]),
      node('dbg', 'DebugNode', { message: 'hot', level: 'info' }),
    ],
  });
  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { temp: 35 } } });
  let entries = [];
  for (let i = 0; i < 100 && entries.length === 0; i++) {
    entries = await api.flow.getLogEntries(ids);
    if (entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(entries.length, 1, 'the pressed run is logged');
  const [e] = entries;
  assert.equal(e.runCount, 1);
  assert.equal(e.pathsCompleted, 1);
  assert.equal(e.pathsFailed, 0);
  assert.deepEqual(e.errors, []);
  assert.equal(e.trace.trigger, key);
  assert.deepEqual(e.trace.steps.map((s) => [s.nodeId, s.from, s.via, s.output]), [['cond', -1, 0, 1], ['dbg', 0, 1, 0]]);
  assert.equal(e.trace.omitted, 0);
  assert.ok(e.trace.steps.every((s) => s.time >= 0 && s.start >= 0), 'times in ms');
});
