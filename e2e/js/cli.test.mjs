// Tokens minted offline by `weir token create` against the running server's
// data directory, used through losant-rest.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

import {
  apiError, button, client, createApp, createFlow, env, node, unique,
} from './helpers.mjs';

const run = promisify(execFile);
const owner = client();

// Runs `weir token create` with args and returns the single token it prints.
async function tokenCreate(...args) {
  const { stdout } = await run(env('WEIR_BIN'), ['token', 'create', '--data', env('WEIR_DATA'), ...args]);
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `weir token create prints one line, got ${JSON.stringify(stdout)}`);
  return lines[0].trim();
}

async function appWithFlow() {
  const app = await createApp(owner);
  const f = await createFlow(owner, app.id, {
    name: unique('cli'),
    triggers: [button(['inc'])],
    nodes: [node('inc', 'StoreValueNode', { keyName: 'presses', valueType: 'incr', value: '1' }, [])],
  });
  return { app, ...f };
}

test('weir token create --scope all.User.read mints a read-only user token', async () => {
  const { ids } = await appWithFlow();
  const reader = client(await tokenCreate('--scope', 'all.User.read', '--name', 'e2e reader'));
  assert.equal((await reader.flow.get(ids)).id, ids.flowId);
  assert.deepEqual(await reader.flow.getStorageEntries(ids), {});
  await apiError(reader.flow.patch({ ...ids, flow: { name: 'x' } }), 403, 'Forbidden', 'patch with all.User.read');
});

test('weir token create --application binds the token to one application', async () => {
  const a = await appWithFlow();
  const b = await appWithFlow();
  const tok = client(await tokenCreate('--application', a.app.id, '--scope', 'flow.*', '--expires', '1h'));

  await tok.flow.setStorageEntry({ ...a.ids, entry: { key: 'cli', value: true } });
  assert.deepEqual(await tok.flow.getStorageEntries(a.ids), { cli: true });
  await apiError(tok.flow.get(b.ids), 404, 'NotFound', 'application token on another application');
  await apiError(tok.flows.post({ applicationId: a.app.id, flow: { name: 'x' } }), 403, 'Forbidden',
    'flows.post with flow.*');
});
