// Flow setStorageEntry, getStorageEntries and clearStorageEntries through
// losant-rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, createFlow, unique } from './helpers.mjs';

const api = client();

async function newFlow() {
  const app = await createApp(api);
  return createFlow(api, app.id, { name: unique('storage'), triggers: [], nodes: [] });
}

// One value of every JSON type, plus edge cases.
const values = {
  string: 'hello',
  'empty string': '',
  unicode: 'héllo ✓ 日本 🚀',
  'quotes and escapes': 'say "hi"\n\\ \t',
  integer: 42,
  zero: 0,
  negative: -17,
  float: 3.25,
  'small float': 0.1,
  'true': true,
  'false': false,
  'null': null,
  object: { a: 1, b: { c: [1, 'x', null, false] } },
  'empty object': {},
  array: [13, 21, 34],
  'empty array': [],
  'array of objects': [{ k: 'v' }, { n: [] }],
  'key with spaces/and.dots[0]': 'keys are opaque strings',
};

test('setStorageEntry stores values of every JSON type and getStorageEntries returns them', async () => {
  const { ids } = await newFlow();
  assert.deepEqual(await api.flow.getStorageEntries(ids), {}, 'a new flow has empty storage');

  for (const [key, value] of Object.entries(values)) {
    const res = await api.flow.setStorageEntry({ ...ids, entry: { key, value } });
    assert.deepEqual(res, { success: true }, `set ${key}`);
  }
  assert.deepEqual(await api.flow.getStorageEntries(ids), values);

  // Overwrite with a value of another type.
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'integer', value: { now: 'an object' } } });
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'object', value: 'now a string' } });
  assert.deepEqual(await api.flow.getStorageEntries(ids),
    { ...values, integer: { now: 'an object' }, object: 'now a string' }, 'after overwrites');
});

test('setStorageEntry accepts a 255-character key and rejects a 256-character one', async () => {
  const { ids } = await newFlow();
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'keep', value: 1 } });

  const k255 = 'k'.repeat(255);
  assert.deepEqual(await api.flow.setStorageEntry({ ...ids, entry: { key: k255, value: 'long' } }),
    { success: true });
  // Lengths count characters, not UTF-8 bytes (JSON Schema maxLength).
  const u255 = 'é'.repeat(255);
  assert.deepEqual(await api.flow.setStorageEntry({ ...ids, entry: { key: u255, value: 'accents' } }),
    { success: true }, 'a 255-character key of 2-byte characters');
  const before = await api.flow.getStorageEntries(ids);
  assert.deepEqual(before, { keep: 1, [k255]: 'long', [u255]: 'accents' });

  const k256 = 'k'.repeat(256);
  await apiError(api.flow.setStorageEntry({ ...ids, entry: { key: k256, value: 'too long' } }),
    400, 'Validation', 'set with a 256-character key');
  assert.deepEqual(await api.flow.getStorageEntries(ids), before, 'a rejected set changes nothing');
});

test('setStorageEntry rejects malformed entries with 400 Validation and changes nothing', async () => {
  const { ids } = await newFlow();
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'keep', value: [1, 2] } });
  const before = await api.flow.getStorageEntries(ids);

  const cases = [
    { name: 'empty key', entry: { key: '', value: 1 } },
    { name: 'missing key', entry: { value: 1 } },
    { name: 'numeric key', entry: { key: 7, value: 1 } },
    { name: 'extra property', entry: { key: 'keep', value: 2, ttl: 60 } },
    { name: 'value over 16 KB', entry: { key: 'keep', value: 'x'.repeat(17 * 1024) } },
  ];
  for (const c of cases) {
    await apiError(api.flow.setStorageEntry({ ...ids, entry: c.entry }), 400, 'Validation', c.name);
    assert.deepEqual(await api.flow.getStorageEntries(ids), before, `${c.name}: a rejected set changes nothing`);
  }
});

test('setStorageEntry without a value deletes that key only', async () => {
  const { ids } = await newFlow();
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'a', value: 1 } });
  await api.flow.setStorageEntry({ ...ids, entry: { key: 'b', value: 2 } });

  assert.deepEqual(await api.flow.setStorageEntry({ ...ids, entry: { key: 'a' } }), { success: true });
  assert.deepEqual(await api.flow.getStorageEntries(ids), { b: 2 });
});

test('clearStorageEntries empties the flow storage and returns the empty entries', async () => {
  const { ids } = await newFlow();
  for (const [key, value] of Object.entries({ a: 1, b: 'two', c: { three: 3 } })) {
    await api.flow.setStorageEntry({ ...ids, entry: { key, value } });
  }
  assert.equal(Object.keys(await api.flow.getStorageEntries(ids)).length, 3);

  assert.deepEqual(await api.flow.clearStorageEntries(ids), {});
  assert.deepEqual(await api.flow.getStorageEntries(ids), {});
  assert.deepEqual(await api.flow.clearStorageEntries(ids), {}, 'clearing empty storage is fine');

  await api.flow.setStorageEntry({ ...ids, entry: { key: 'again', value: true } });
  assert.deepEqual(await api.flow.getStorageEntries(ids), { again: true }, 'storage is usable after a clear');
});

test('storage is per flow', async () => {
  const app = await createApp(api);
  const a = await createFlow(api, app.id, { name: unique('a'), triggers: [], nodes: [] });
  const b = await createFlow(api, app.id, { name: unique('b'), triggers: [], nodes: [] });

  await api.flow.setStorageEntry({ ...a.ids, entry: { key: 'shared-name', value: 'from a' } });
  await api.flow.setStorageEntry({ ...b.ids, entry: { key: 'shared-name', value: 'from b' } });
  assert.deepEqual(await api.flow.getStorageEntries(a.ids), { 'shared-name': 'from a' });
  assert.deepEqual(await api.flow.getStorageEntries(b.ids), { 'shared-name': 'from b' });

  await api.flow.clearStorageEntries(a.ids);
  assert.deepEqual(await api.flow.getStorageEntries(a.ids), {});
  assert.deepEqual(await api.flow.getStorageEntries(b.ids), { 'shared-name': 'from b' },
    'clearing one flow leaves the other');

  await api.flow.delete(a.ids);
  assert.deepEqual(await api.flow.getStorageEntries(b.ids), { 'shared-name': 'from b' },
    'deleting one flow leaves the other');
});
