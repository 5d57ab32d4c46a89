// Flow get, patch and delete through losant-rest; malformed and unknown ids.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  apiError, button, client, createApp, createFlow, hexID, isoTime, node, unique,
} from './helpers.mjs';

const api = client();

// A small flow: a button wired to a Debug node, plus an unwired annotation.
function debugFlow(name) {
  return {
    name,
    description: 'created by the e2e suite',
    triggers: [button(['dbg'])],
    nodes: [
      node('dbg', 'DebugNode', { message: 'pressed', level: 'info' }),
      node('note', 'AnnotationNode', { text: 'not wired' }, []),
    ],
  };
}

test('flows.post then flow.get returns the flow with _type and _links', async () => {
  const app = await createApp(api);
  const name = unique('get me');
  const { flow: created, key, ids } = await createFlow(api, app.id, debugFlow(name));

  const got = await api.flow.get(ids);
  assert.equal(got.id, created.id);
  assert.equal(got.applicationId, app.id);
  assert.equal(got.name, name);
  assert.equal(got.description, 'created by the e2e suite');
  assert.equal(got.enabled, true, 'flows are enabled by default');
  assert.equal(got.flowClass, 'cloud', 'flowClass defaults to cloud');
  assert.match(got.creationDate, isoTime, 'creationDate');
  assert.match(got.lastUpdated, isoTime, 'lastUpdated');
  assert.equal(got._type, 'flow');
  assert.equal(got._links.self.href, `/applications/${app.id}/flows/${created.id}`);
  assert.equal(got._links.application.href, `/applications/${app.id}`);
  assert.equal(got._links.flows.href, `/applications/${app.id}/flows`);
  assert.equal(got._actions, undefined, 'the client sends _actions=false');

  assert.equal(got.triggers.length, 1);
  assert.equal(got.triggers[0].type, 'virtualButton');
  assert.equal(got.triggers[0].key, key, 'get returns the key generated at create');
  assert.deepEqual(got.triggers[0].outputIds, [['dbg']]);
  assert.deepEqual(
    got.nodes.map((n) => ({ id: n.id, type: n.type, config: n.config })),
    [
      { id: 'dbg', type: 'DebugNode', config: { message: 'pressed', level: 'info' } },
      { id: 'note', type: 'AnnotationNode', config: { text: 'not wired' } },
    ],
  );
  assert.equal(got.stats.runCount, 0, 'stats.runCount of a new flow');
  assert.equal(got.stats.errorCount, 0, 'stats.errorCount of a new flow');
});

test('flow.patch updates name, description and enabled and returns the flow', async () => {
  const app = await createApp(api);
  const { flow: created, key, ids } = await createFlow(api, app.id, debugFlow(unique('before')));

  const name = unique('after');
  const patched = await api.flow.patch({
    ...ids, flow: { name, description: 'patched', enabled: false },
  });
  assert.equal(patched.id, created.id);
  assert.equal(patched.name, name);
  assert.equal(patched.description, 'patched');
  assert.equal(patched.enabled, false);
  assert.equal(patched._type, 'flow');
  assert.equal(patched._links.self.href, `/applications/${app.id}/flows/${created.id}`);
  assert.ok(Date.parse(patched.lastUpdated) >= Date.parse(created.lastUpdated), 'lastUpdated moves forward');
  assert.equal(patched.triggers.length, 1, 'a patch without triggers keeps them');
  assert.equal(patched.triggers[0].key, key, 'a patch keeps the button key');
  assert.deepEqual(patched.nodes.map((n) => n.id), ['dbg', 'note'], 'a patch without nodes keeps them');

  const got = await api.flow.get(ids);
  assert.deepEqual(
    { name: got.name, description: got.description, enabled: got.enabled },
    { name, description: 'patched', enabled: false },
    'get after patch',
  );

  const again = await api.flow.patch({ ...ids, flow: { enabled: true } });
  assert.equal(again.enabled, true);
  assert.equal(again.name, name, 'fields not in the patch stay');
  assert.equal(again.description, 'patched', 'fields not in the patch stay');
});

test('flow.patch rejects an unknown field or a wrong type with 400 Validation and changes nothing', async () => {
  const app = await createApp(api);
  const name = unique('strict');
  const { ids } = await createFlow(api, app.id, debugFlow(name));

  const err = await apiError(api.flow.patch({ ...ids, flow: { name: 'x', color: 'red' } }),
    400, 'Validation', 'patch with unknown field');
  assert.match(err.message, /additional propert/i, 'message names the problem');
  await apiError(api.flow.patch({ ...ids, flow: { name: 123 } }), 400, 'Validation', 'patch with numeric name');
  await apiError(api.flow.patch({ ...ids, flow: { enabled: 'yes' } }), 400, 'Validation', 'patch with string enabled');
  await apiError(api.flow.patch({ ...ids, flow: { name: '' } }), 400, 'Validation', 'patch with empty name');

  const got = await api.flow.get(ids);
  assert.equal(got.name, name, 'rejected patches change nothing');
  assert.equal(got.enabled, true, 'rejected patches change nothing');
});

test('flow.delete answers success, then the flow and its sub-resources are gone', async () => {
  const app = await createApp(api);
  const { key, ids } = await createFlow(api, app.id, debugFlow(unique('doomed')));
  const other = await createFlow(api, app.id, debugFlow(unique('survivor')));

  const res = await api.flow.delete(ids);
  assert.deepEqual(res, { success: true });

  await apiError(api.flow.get(ids), 404, 'NotFound', 'get after delete');
  await apiError(api.flow.patch({ ...ids, flow: { name: 'zombie' } }), 404, 'NotFound', 'patch after delete');
  await apiError(api.flow.getStorageEntries(ids), 404, 'NotFound', 'getStorageEntries after delete');
  await apiError(api.flow.getLogEntries(ids), 404, 'NotFound', 'getLogEntries after delete');
  await apiError(api.flow.pressVirtualButton({ ...ids, button: { key } }), 404, 'NotFound', 'press after delete');
  await apiError(api.flow.delete(ids), 404, 'NotFound', 'second delete');

  const survivor = await api.flow.get(other.ids);
  assert.equal(survivor.id, other.flow.id, 'deleting one flow leaves its siblings');
});

test('unknown ids answer 404 NotFound', async () => {
  const app = await createApp(api);
  const { ids } = await createFlow(api, app.id, debugFlow(unique('known')));
  const missingFlow = { applicationId: app.id, flowId: 'aaaaaaaaaaaaaaaaaaaaaaaa' };
  const missingApp = { applicationId: 'bbbbbbbbbbbbbbbbbbbbbbbb', flowId: ids.flowId };

  for (const [what, p] of [
    ['get', (i) => api.flow.get(i)],
    ['patch', (i) => api.flow.patch({ ...i, flow: { name: 'n' } })],
    ['delete', (i) => api.flow.delete(i)],
    ['getLogEntries', (i) => api.flow.getLogEntries(i)],
    ['getStorageEntries', (i) => api.flow.getStorageEntries(i)],
    ['setStorageEntry', (i) => api.flow.setStorageEntry({ ...i, entry: { key: 'k', value: 1 } })],
    ['clearStorageEntries', (i) => api.flow.clearStorageEntries(i)],
    ['pressVirtualButton', (i) => api.flow.pressVirtualButton({ ...i, button: { key: `${i.flowId}-x` } })],
  ]) {
    await apiError(p(missingFlow), 404, 'NotFound', `${what} of a missing flow`);
    await apiError(p(missingApp), 404, 'NotFound', `${what} in a missing application`);
  }
  assert.equal((await api.flow.get(ids)).id, ids.flowId, 'the real flow is untouched');
});

test('malformed ids answer 400 Validation for every action', async () => {
  const app = await createApp(api);
  const { ids } = await createFlow(api, app.id, debugFlow(unique('ids')));

  const cases = [
    { name: 'short flow id', ids: { applicationId: app.id, flowId: 'abc123' } },
    { name: 'non-hex flow id', ids: { applicationId: app.id, flowId: 'zzzzzzzzzzzzzzzzzzzzzzzz' } },
    { name: '25-digit flow id', ids: { applicationId: app.id, flowId: `${ids.flowId}0` } },
    { name: 'malformed application id', ids: { applicationId: 'not-an-id', flowId: ids.flowId } },
  ];
  const actions = [
    ['get', (i) => api.flow.get(i)],
    ['patch', (i) => api.flow.patch({ ...i, flow: { name: 'n' } })],
    ['delete', (i) => api.flow.delete(i)],
    ['getLogEntries', (i) => api.flow.getLogEntries(i)],
    ['getStorageEntries', (i) => api.flow.getStorageEntries(i)],
    ['setStorageEntry', (i) => api.flow.setStorageEntry({ ...i, entry: { key: 'k', value: 1 } })],
    ['clearStorageEntries', (i) => api.flow.clearStorageEntries(i)],
    ['pressVirtualButton', (i) => api.flow.pressVirtualButton({ ...i, button: { key: 'k' } })],
  ];
  for (const c of cases) {
    for (const [what, call] of actions) {
      await apiError(call(c.ids), 400, 'Validation', `${what} with ${c.name}`);
    }
  }
  assert.equal((await api.flow.get(ids)).id, ids.flowId, 'the real flow is untouched');
});

test('getLogEntries rejects malformed limit and since with 400 Validation', async () => {
  const app = await createApp(api);
  const { ids } = await createFlow(api, app.id, debugFlow(unique('logs')));
  assert.deepEqual(await api.flow.getLogEntries(ids), [], 'a new flow has no log entries');
  await apiError(api.flow.getLogEntries({ ...ids, limit: 'many' }), 400, 'Validation', 'limit=many');
  await apiError(api.flow.getLogEntries({ ...ids, since: 'yesterday' }), 400, 'Validation', 'since=yesterday');
});

test('flows.post assigns distinct ids and button keys', async () => {
  const app = await createApp(api);
  const a = await createFlow(api, app.id, debugFlow(unique('a')));
  const b = await createFlow(api, app.id, debugFlow(unique('b')));
  assert.notEqual(a.flow.id, b.flow.id);
  assert.notEqual(a.key, b.key);
  assert.match(a.flow.id, hexID);
});
