// Authentication and scopes of the Flow actions, through losant-rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  apiError, button, client, createApp, createFlow, hexID, node, unique,
} from './helpers.mjs';

const owner = client();

async function appWithFlow() {
  const app = await createApp(owner);
  const f = await createFlow(owner, app.id, {
    name: unique('guarded'),
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  return { app, ...f };
}

// Creates an application API token through the client; returns the record
// (with the one-time token string).
async function appToken(appId, scope) {
  const rec = await owner.applicationApiTokens.post({
    applicationId: appId,
    apiToken: { name: unique('e2e token'), scope },
  });
  assert.match(rec.id, hexID, 'token id');
  assert.equal(typeof rec.token, 'string', 'the token string is returned at creation');
  assert.ok(rec.token.length > 20, 'token string');
  assert.deepEqual(rec.scope, scope);
  assert.equal(rec.ownerId, appId);
  return rec;
}

test('a request without a token answers 403 Forbidden', async () => {
  const { ids, key } = await appWithFlow();
  const anon = client(null);
  await apiError(anon.flow.get(ids), 403, 'Forbidden', 'get without token');
  await apiError(anon.flow.patch({ ...ids, flow: { name: 'x' } }), 403, 'Forbidden', 'patch without token');
  await apiError(anon.flow.pressVirtualButton({ ...ids, button: { key } }), 403, 'Forbidden', 'press without token');
  await apiError(anon.flow.getStorageEntries(ids), 403, 'Forbidden', 'storage without token');
});

test('a garbage token answers 401 Unauthorized', async () => {
  const { ids } = await appWithFlow();
  for (const tok of ['garbage', 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6WyJhbGwuVXNlciJdfQ.c2lnbmF0dXJl']) {
    const bad = client(tok);
    await apiError(bad.flow.get(ids), 401, 'Unauthorized', `get with token ${tok}`);
    await apiError(bad.flow.delete(ids), 401, 'Unauthorized', `delete with token ${tok}`);
  }
  // A tampered copy of a real token: change one character of its signature
  // (not the last one, whose low bits may be base64 padding).
  const real = process.env.WEIR_TOKEN;
  const i = real.length - 5;
  const tampered = real.slice(0, i) + (real[i] === 'A' ? 'B' : 'A') + real.slice(i + 1);
  await apiError(client(tampered).flow.get(ids), 401, 'Unauthorized', 'tampered token');
  assert.equal((await owner.flow.get(ids)).id, ids.flowId, 'the flow survived');
});

test('validation comes before authentication: a malformed id with a bad token is 400', async () => {
  const { app } = await appWithFlow();
  const badIDs = { applicationId: app.id, flowId: 'not-a-valid-id' };
  await apiError(client('garbage').flow.get(badIDs), 400, 'Validation', 'malformed id, garbage token');
  await apiError(client(null).flow.get(badIDs), 400, 'Validation', 'malformed id, no token');
});

test('a token with only flow.get can get the flow but not change it', async () => {
  const { app, ids, key } = await appWithFlow();
  const rec = await appToken(app.id, ['flow.get']);
  const limited = client(rec.token);

  const got = await limited.flow.get(ids);
  assert.equal(got.id, ids.flowId);
  await apiError(limited.flow.patch({ ...ids, flow: { name: 'nope' } }), 403, 'Forbidden', 'patch with flow.get');
  await apiError(limited.flow.delete(ids), 403, 'Forbidden', 'delete with flow.get');
  await apiError(limited.flow.getLogEntries(ids), 403, 'Forbidden', 'getLogEntries with flow.get');
  await apiError(limited.flow.getStorageEntries(ids), 403, 'Forbidden', 'getStorageEntries with flow.get');
  await apiError(limited.flow.setStorageEntry({ ...ids, entry: { key: 'k', value: 1 } }),
    403, 'Forbidden', 'setStorageEntry with flow.get');
  await apiError(limited.flow.clearStorageEntries(ids), 403, 'Forbidden', 'clearStorageEntries with flow.get');
  await apiError(limited.flow.pressVirtualButton({ ...ids, button: { key } }),
    403, 'Forbidden', 'pressVirtualButton with flow.get');

  const after = await owner.flow.get(ids);
  assert.equal(after.name, got.name, 'the forbidden patch changed nothing');
  assert.deepEqual(await owner.flow.getStorageEntries(ids), {}, 'the forbidden calls changed nothing');
});

test('per-action scopes: flow.log reads logs, flow.* does everything', async () => {
  const { app, ids } = await appWithFlow();
  const logOnly = client((await appToken(app.id, ['flow.log'])).token);
  assert.deepEqual(await logOnly.flow.getLogEntries(ids), [], 'flow.log grants getLogEntries');
  await apiError(logOnly.flow.get(ids), 403, 'Forbidden', 'get with flow.log');

  const star = client((await appToken(app.id, ['flow.*'])).token);
  await star.flow.setStorageEntry({ ...ids, entry: { key: 'k', value: 'v' } });
  assert.deepEqual(await star.flow.getStorageEntries(ids), { k: 'v' });
  assert.equal((await star.flow.patch({ ...ids, flow: { description: 'by flow.*' } })).description, 'by flow.*');
  // flow.* does not cover the flows collection.
  await apiError(star.flows.post({ applicationId: app.id, flow: { name: 'x' } }), 403, 'Forbidden',
    'flows.post with flow.*');
});

test('an all.Application.read token reads but cannot write', async () => {
  const { app, ids, key } = await appWithFlow();
  const reader = client((await appToken(app.id, ['all.Application.read'])).token);
  assert.equal((await reader.flow.get(ids)).id, ids.flowId);
  assert.deepEqual(await reader.flow.getStorageEntries(ids), {});
  assert.deepEqual(await reader.flow.getLogEntries(ids), []);
  await apiError(reader.flow.patch({ ...ids, flow: { name: 'x' } }), 403, 'Forbidden', 'patch with .read');
  await apiError(reader.flow.setStorageEntry({ ...ids, entry: { key: 'k', value: 1 } }),
    403, 'Forbidden', 'setStorageEntry with .read');
  await apiError(reader.flow.pressVirtualButton({ ...ids, button: { key } }), 403, 'Forbidden', 'press with .read');
});

test('an application token works on its own application only: another application is 404', async () => {
  const a = await appWithFlow();
  const b = await appWithFlow();
  const tokB = client((await appToken(b.app.id, ['all.Application'])).token);

  assert.equal((await tokB.flow.get(b.ids)).id, b.ids.flowId, 'B token reaches B');
  await apiError(tokB.flow.get(a.ids), 404, 'NotFound', 'B token on A flow');
  await apiError(tokB.flow.patch({ ...a.ids, flow: { name: 'hijack' } }), 404, 'NotFound', 'B token patches A');
  await apiError(tokB.flow.setStorageEntry({ ...a.ids, entry: { key: 'k', value: 1 } }),
    404, 'NotFound', 'B token sets A storage');
  await apiError(tokB.flow.delete(a.ids), 404, 'NotFound', 'B token deletes A');
  // A's flow id under B's application path is not found either.
  await apiError(tokB.flow.get({ applicationId: b.app.id, flowId: a.ids.flowId }), 404, 'NotFound',
    'A flow under B path');

  const still = await owner.flow.get(a.ids);
  assert.notEqual(still.name, 'hijack', 'A is untouched');
  assert.deepEqual(await owner.flow.getStorageEntries(a.ids), {}, 'A storage is untouched');
});

test('a deleted token answers 401 Unauthorized at once', async () => {
  const { app, ids } = await appWithFlow();
  const rec = await appToken(app.id, ['all.Application']);
  const tok = client(rec.token);
  assert.equal((await tok.flow.get(ids)).id, ids.flowId, 'the token works before deletion');

  assert.deepEqual(await owner.applicationApiToken.delete({ applicationId: app.id, apiTokenId: rec.id }),
    { success: true });
  await apiError(tok.flow.get(ids), 401, 'Unauthorized', 'get with a deleted token');
  await apiError(tok.flow.getStorageEntries(ids), 401, 'Unauthorized', 'storage with a deleted token');
});

test('an inactive token answers 401 Unauthorized, and works again when reactivated', async () => {
  const { app, ids } = await appWithFlow();
  const rec = await appToken(app.id, ['flow.get']);
  const tok = client(rec.token);
  assert.equal((await tok.flow.get(ids)).id, ids.flowId);

  const off = await owner.applicationApiToken.patch({
    applicationId: app.id, apiTokenId: rec.id, apiToken: { status: 'inactive' },
  });
  assert.equal(off.status, 'inactive');
  assert.equal(off.token, undefined, 'the token string is never returned again');
  await apiError(tok.flow.get(ids), 401, 'Unauthorized', 'get with an inactive token');

  await owner.applicationApiToken.patch({
    applicationId: app.id, apiTokenId: rec.id, apiToken: { status: 'active' },
  });
  assert.equal((await tok.flow.get(ids)).id, ids.flowId, 'reactivated token works');
});
