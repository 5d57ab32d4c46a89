// Flow pressVirtualButton and getLogEntries through losant-rest: runs execute
// asynchronously after the press, so every check polls with a deadline.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  apiError, assertLogEntry, assertNewestFirst, button, client, createApp, createFlow,
  eventually, logsWithRuns, node, sum, unique,
} from './helpers.mjs';

const api = client();

// button → ConditionalNode {{data.value}} > 50
//   true  → StoreValueNode incr "hits" → DebugNode
//   false → StoreValueNode json "last-low" → StoreValueNode template "low-note"
//           → GetValueNode "hits" → StoreValueNode path "hits-at-last-low"
// plus an unwired AnnotationNode.
function thresholdFlow(name) {
  return {
    name,
    triggers: [button(['cond'])],
    nodes: [
      node('cond', 'ConditionalNode', { expression: '{{data.value}} > 50' }, [['low'], ['hit']]),
      node('hit', 'StoreValueNode',
        { keyName: 'hits', valueType: 'incr', value: '1', resultPath: 'working.hits' }, [['dbg']]),
      node('dbg', 'DebugNode', { message: 'hit {{working.hits}}', level: 'info' }, []),
      node('low', 'StoreValueNode', {
        keyName: 'last-low',
        valueType: 'json',
        value: '{"value": {{data.value}}, "flowName": "{{flowName}}", "triggerType": "{{triggerType}}"}',
      }, [['note']]),
      node('note', 'StoreValueNode',
        { keyName: 'low-note', valueType: 'template', value: '{{data.value}} is low' }, [['get']]),
      node('get', 'GetValueNode', {
        keyName: 'hits', valuePath: 'working.hitsSoFar', defaultValue: '0', defaultValueType: 'json',
      }, [['copy']]),
      node('copy', 'StoreValueNode',
        { keyName: 'hits-at-last-low', valueType: 'path', value: 'working.hitsSoFar' }, []),
      node('memo', 'AnnotationNode', { text: 'threshold demo' }, []),
    ],
  };
}

// Polls the flow's storage until pred accepts it; returns it.
function storageWhere(ids, pred, what) {
  return eventually(async () => {
    const s = await api.flow.getStorageEntries(ids);
    return pred(s) ? s : undefined;
  }, { what });
}

test('pressVirtualButton runs the flow: conditional, storage nodes and log entries', async () => {
  const app = await createApp(api);
  const name = unique('threshold');
  const { key, ids } = await createFlow(api, app.id, thresholdFlow(name));
  const start = Date.now();

  // 80 > 50: the true branch increments "hits".
  assert.deepEqual(await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { value: 80 } } }),
    { success: true });
  let s = await storageWhere(ids, (x) => x.hits === 1, 'hits = 1 after pressing 80');
  assert.deepEqual(s, { hits: 1 }, 'only the true branch ran');
  await logsWithRuns(api, ids, 1);

  // 20 <= 50: the false branch writes three keys, reading "hits" on the way.
  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { value: 20 } } });
  s = await storageWhere(ids, (x) => 'hits-at-last-low' in x, 'the false branch to finish');
  assert.deepEqual(s, {
    hits: 1,
    'last-low': { value: 20, flowName: name, triggerType: 'virtualButton' },
    'low-note': '20 is low',
    'hits-at-last-low': 1,
  });
  await logsWithRuns(api, ids, 2);

  // A third press, after a time mark, for the "since" filter.
  const mark = Date.now();
  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { value: 51 } } });
  s = await storageWhere(ids, (x) => x.hits === 2, 'hits = 2 after pressing 51');
  assert.equal(s['hits-at-last-low'], 1, 'the false branch did not run again');
  const all = await logsWithRuns(api, ids, 3);

  // Log entries: newest first, three runs, all paths completed.
  assertNewestFirst(all);
  all.forEach(assertLogEntry);
  assert.equal(sum(all, 'runCount'), 3, 'runCount sums to the number of presses');
  assert.equal(sum(all, 'pathsCompleted'), 3, 'one completed path per run');
  assert.equal(sum(all, 'pathsFailed'), 0, 'no failed paths');
  for (const e of all) {
    assert.equal(e.flowVersionId, 'develop', 'a flow without versions runs develop');
    assert.deepEqual(e.errors, []);
    assert.ok(Date.parse(e.time) >= start - 1000 && Date.parse(e.time) <= Date.now() + 1000,
      `entry time ${e.time} is around now`);
  }

  // Default limit is 1: the newest entry only.
  const latest = await api.flow.getLogEntries(ids);
  assert.ok(Array.isArray(latest), 'getLogEntries returns an array');
  assert.equal(latest.length, 1, 'default limit is 1');
  assert.deepEqual(latest[0], all[0], 'the default entry is the newest');

  // limit caps the entries; they are a prefix of the full list.
  const two = await api.flow.getLogEntries({ ...ids, limit: 2 });
  assert.deepEqual(two, all.slice(0, 2), 'limit=2 returns the two newest');

  // since keeps entries at or after the given ms time.
  const recent = await api.flow.getLogEntries({ ...ids, limit: 100, since: mark });
  assert.ok(recent.length >= 1, 'since=mark keeps the run after the mark');
  assert.deepEqual(recent, all.filter((e) => Date.parse(e.time) >= mark), 'since filters by time');
  const newest = Date.parse(all[0].time);
  const sinceNewest = await api.flow.getLogEntries({ ...ids, limit: 100, since: newest });
  assert.deepEqual(sinceNewest, all.filter((e) => Date.parse(e.time) >= newest));
  assert.deepEqual(await api.flow.getLogEntries({ ...ids, limit: 100, since: Date.now() + 3600e3 }), [],
    'since in the future returns nothing');

  // The flow's stats count the runs.
  const got = await api.flow.get(ids);
  assert.equal(got.stats.runCount, 3, 'stats.runCount');
  assert.equal(got.stats.errorCount, 0, 'stats.errorCount');
});

test('pressVirtualButton uses the button default payload when the press has none', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['store'], '{"value": 7, "who": "default"}')],
    nodes: [node('store', 'StoreValueNode', { keyName: 'data', valueType: 'path', value: 'data' }, [])],
  });
  await api.flow.pressVirtualButton({ ...ids, button: { key } });
  const s = await storageWhere(ids, (x) => 'data' in x, 'the default payload to be stored');
  assert.deepEqual(s, { data: { value: 7, who: 'default' } });
});

test('pressVirtualButton with an unknown key answers 404 NotFound and runs nothing', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key: `${ids.flowId}-nope`, payload: {} } }),
    404, 'NotFound', 'press with an unknown key');
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key: key.toUpperCase() + 'X' } }),
    404, 'NotFound', 'press with a near-miss key');

  // A real press afterwards is the only run.
  await api.flow.pressVirtualButton({ ...ids, button: { key } });
  await storageWhere(ids, (x) => x.presses === 1, 'presses = 1');
  const logs = await logsWithRuns(api, ids, 1);
  assert.equal(sum(logs, 'runCount'), 1, 'the rejected presses did not run');
});

test('pressVirtualButton rejects malformed bodies with 400 Validation', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { payload: { value: 1 } } }),
    400, 'Validation', 'press without key');
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key, extra: true } }),
    400, 'Validation', 'press with an unknown property');
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key: 12 } }),
    400, 'Validation', 'press with a numeric key');
  assert.deepEqual(await api.flow.getLogEntries({ ...ids, limit: 10 }), [], 'rejected presses run nothing');
});

test('a disabled flow accepts a press but does not run', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  assert.equal((await api.flow.patch({ ...ids, flow: { enabled: false } })).enabled, false);
  assert.deepEqual(await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { n: 1 } } }),
    { success: true }, 'a disabled flow answers 200');

  // Re-enable and press again: once that run shows up, the disabled press
  // (accepted earlier) must not have run.
  await api.flow.patch({ ...ids, flow: { enabled: true } });
  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { n: 2 } } });
  await storageWhere(ids, (x) => x.presses >= 1, 'the enabled press to run');
  const logs = await logsWithRuns(api, ids, 1);
  assert.equal(sum(logs, 'runCount'), 1, 'only the enabled press ran');
  assert.deepEqual(await api.flow.getStorageEntries(ids), { presses: 1 }, 'the disabled press did not run');
});

test('a failing node is logged with pathsFailed and an error', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [
      node('inc', 'StoreValueNode', { keyName: 'counter', valueType: 'incr', value: '1' }, [['after']], 'Bump'),
      node('after', 'StoreValueNode', { keyName: 'reached', valueType: 'json', value: 'true' }, []),
    ],
  });
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'counter', value: 'not a number' } });

  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: {} } });
  const [entry] = await logsWithRuns(api, ids, 1, 'the failed run to be logged');
  assertLogEntry(entry);
  assert.equal(entry.runCount, 1);
  assert.equal(entry.pathsFailed, 1, 'pathsFailed');
  assert.equal(entry.pathsCompleted, 0, 'pathsCompleted');
  assert.equal(entry.errors.length, 1, `one error: ${JSON.stringify(entry.errors)}`);
  const [e] = entry.errors;
  assert.equal(e.nodeId, 'inc', 'error names the failing node');
  assert.equal(typeof e.error, 'object');
  assert.equal(typeof e.error.name, 'string');
  assert.ok(e.error.message.length > 0, 'error has a message');

  assert.deepEqual(await api.flow.getStorageEntries(ids), { counter: 'not a number' },
    'the failed node changed nothing and the run stopped there');
  const got = await api.flow.get(ids);
  assert.equal(got.stats.runCount, 1, 'stats.runCount');
  assert.equal(got.stats.errorCount, 1, 'stats.errorCount');

  // Fix the stored value: the next run succeeds.
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'counter', value: 41 } });
  await api.flow.pressVirtualButton({ ...ids, button: { key } });
  const s = await storageWhere(ids, (x) => x.reached === true, 'the fixed run to finish');
  assert.deepEqual(s, { counter: 42, reached: true });
  const logs = await logsWithRuns(api, ids, 2);
  assert.equal(logs[0].pathsFailed, 0, 'newest entry is the successful run');
  assert.equal(logs[0].pathsCompleted, 1);
});

test('runs see the payload envelope fields', async () => {
  const app = await createApp(api);
  const name = unique('envelope');
  const { key, ids } = await createFlow(api, app.id, {
    name,
    triggers: [button(['store'])],
    nodes: [node('store', 'StoreValueNode', {
      keyName: 'env',
      valueType: 'json',
      value: '{"flowId": "{{flowId}}", "flowName": "{{flowName}}", "applicationId": "{{applicationId}}", '
        + '"applicationName": "{{applicationName}}", "triggerId": "{{triggerId}}", '
        + '"triggerType": "{{triggerType}}", "x": {{jsonEncode data.x}}}',
    }, [])],
  });
  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { x: [1, 2] } } });
  const s = await storageWhere(ids, (x) => 'env' in x, 'the envelope to be stored');
  assert.deepEqual(s.env, {
    flowId: ids.flowId,
    flowName: name,
    applicationId: app.id,
    applicationName: app.name,
    triggerId: key,
    triggerType: 'virtualButton',
    x: [1, 2],
  });
});

test('concurrent presses each run once and incr is atomic', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  const n = 25;
  const answers = await Promise.all(Array.from({ length: n },
    (_, i) => api.flow.pressVirtualButton({ ...ids, button: { key, payload: { i } } })));
  assert.deepEqual(answers, Array(n).fill({ success: true }));
  await storageWhere(ids, (x) => x.presses === n, `presses = ${n}`);
  const logs = await logsWithRuns(api, ids, n);
  assert.equal(sum(logs, 'runCount'), n, 'one run per press');
  assert.equal(sum(logs, 'pathsCompleted'), n);
  assert.equal(sum(logs, 'pathsFailed'), 0);
  assertNewestFirst(logs);
  assert.deepEqual(await api.flow.getStorageEntries(ids), { presses: n }, 'no lost or extra increments');
});

test('flow.patch of triggers and nodes changes what the next press runs', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['old'])],
    nodes: [node('old', 'StoreValueNode', { keyName: 'ran', valueType: 'json', value: '"old"' }, [])],
  });

  // Keep the button (with its key), rewire it to a new node.
  const patched = await api.flow.patch({
    ...ids,
    flow: {
      triggers: [{ ...button(['new']), key }],
      nodes: [node('new', 'StoreValueNode', { keyName: 'ran', valueType: 'json', value: '"new"' }, [])],
    },
  });
  assert.equal(patched.triggers[0].key, key, 'a trigger sent with its key keeps it');
  assert.deepEqual(patched.nodes.map((n) => n.id), ['new'], 'nodes are replaced wholesale');
  await api.flow.pressVirtualButton({ ...ids, button: { key } });
  assert.deepEqual(await storageWhere(ids, (x) => 'ran' in x, 'the patched flow to run'), { ran: 'new' });

  // A button sent without a key gets a fresh one; the old key is gone.
  const rekeyed = await api.flow.patch({ ...ids, flow: { triggers: [button(['new'])] } });
  const fresh = rekeyed.triggers[0].key;
  assert.equal(typeof fresh, 'string');
  assert.ok(fresh.startsWith(`${ids.flowId}-`), `new key ${fresh} has the form <flowId>-<random>`);
  assert.notEqual(fresh, key, 'a new key is generated');
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key } }), 404, 'NotFound', 'press with the old key');
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'ran' } });
  await api.flow.pressVirtualButton({ ...ids, button: { key: fresh } });
  assert.deepEqual(await storageWhere(ids, (x) => 'ran' in x, 'the new key to run'), { ran: 'new' });
});

test('flows.post and flow.patch reject broken wiring with 400 Validation', async () => {
  const app = await createApp(api);
  await apiError(api.flows.post({
    applicationId: app.id,
    flow: { name: unique('broken'), triggers: [button(['missing'])], nodes: [] },
  }), 400, 'Validation', 'post with a trigger wired to a missing node');
  await apiError(api.flows.post({
    applicationId: app.id,
    flow: {
      name: unique('dup'),
      triggers: [],
      nodes: [node('a', 'DebugNode', {}, []), node('a', 'DebugNode', {}, [])],
    },
  }), 400, 'Validation', 'post with duplicate node ids');

  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  await apiError(api.flow.patch({
    ...ids, flow: { nodes: [node('inc', 'StoreValueNode', { keyName: 'p', valueType: 'incr', value: '1' }, [['ghost']])] },
  }), 400, 'Validation', 'patch with an output to a missing node');
  await apiError(api.flow.patch({
    ...ids, flow: { nodes: [node('inc', 'StoreValueNode', { keyName: 'p', valueType: 'incr', value: '1' }, [['inc']])] },
  }), 400, 'Validation', 'patch with a self-reference');
  await apiError(api.flow.patch({ ...ids, flow: { nodes: [] } }),
    400, 'Validation', 'patch removing a node the trigger still targets');

  // The flow still runs as created.
  await api.flow.pressVirtualButton({ ...ids, button: { key } });
  assert.deepEqual(await storageWhere(ids, (x) => x.presses === 1, 'the unchanged flow to run'), { presses: 1 });
});
