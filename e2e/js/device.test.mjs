// Devices, access keys, device authentication, state, composite state and
// commands through losant-rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, exportReceiver, fetchCSV, hexID, isoTime, unique } from './helpers.mjs';

const api = client();

async function newDevice(applicationId, extra = {}) {
  return api.devices.post({
    applicationId,
    device: {
      name: unique('device'),
      tags: [{ key: 'floor', value: '8' }],
      attributes: [
        { name: 'temp', dataType: 'number' },
        { name: 'label', dataType: 'string' },
      ],
      ...extra,
    },
  });
}

test('devices.post, devices.get with a tag filter, device.get/patch/delete', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  assert.match(d.id, hexID);
  assert.equal(d.deviceId, d.id);
  assert.equal(d.deviceClass, 'standalone');
  assert.match(d.creationDate, isoTime);
  await newDevice(app.id, { tags: [{ key: 'floor', value: '9' }] });

  const page = await api.devices.get({ applicationId: app.id, tagFilter: [{ key: 'floor', value: '8' }] });
  assert.equal(page.totalCount, 1);
  assert.equal(page.items[0].id, d.id);
  const queried = await api.devices.get({ applicationId: app.id,
    query: { $or: [{ id: d.id }, { tags: { $tagKey: 'floor', $tagValue: { $in: ['9'] } } }] } });
  assert.equal(queried.totalCount, 2, 'the advanced query matches both devices');
  await apiError(api.devices.get({ applicationId: app.id, query: { deletedAt: { $ne: null } } }), 400, 'Validation');

  const patched = await api.device.patch({ applicationId: app.id, deviceId: d.id, device: { description: 'boiler' } });
  assert.equal(patched.description, 'boiler');
  assert.equal((await api.device.get({ applicationId: app.id, deviceId: d.id })).description, 'boiler');

  await apiError(api.devices.post({ applicationId: app.id, device: { name: '' } }), 400, 'Validation');
  await api.device.delete({ applicationId: app.id, deviceId: d.id });
  await apiError(api.device.get({ applicationId: app.id, deviceId: d.id }), 404, 'NotFound');
});

test('an access key authenticates its device, whose token sends state and reads commands', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  const other = await newDevice(app.id);
  const key = await api.applicationKeys.post({ applicationId: app.id, applicationKey: { description: 'e2e', deviceIds: [d.id] } });
  assert.ok(key.key && key.secret, 'a new key comes with its secret');
  const fetched = await api.applicationKey.get({ applicationId: app.id, applicationKeyId: key.id });
  assert.equal(fetched.secret, undefined, 'the secret is shown only once');

  const anon = client(null);
  await apiError(anon.auth.authenticateDevice({ credentials: { deviceId: d.id, key: key.key, secret: 'wrong' } }), 401, 'Unauthorized');
  await apiError(anon.auth.authenticateDevice({ credentials: { deviceId: other.id, key: key.key, secret: key.secret } }), 401, 'Unauthorized');
  const authed = await anon.auth.authenticateDevice({ credentials: { deviceId: d.id, key: key.key, secret: key.secret } });
  assert.equal(authed.deviceId, d.id);
  assert.equal(authed.applicationId, app.id);
  const dev = client(authed.token);

  const t = Date.now() - 60000;
  await dev.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: { time: t, data: { temp: '21.5', label: 7, ignored: 1 } } });
  await dev.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: [{ data: { temp: 23 } }] });
  const states = await dev.device.getState({ applicationId: app.id, deviceId: d.id, limit: 10 });
  assert.equal(states.length, 2);
  assert.deepEqual(states[1].data, { temp: 21.5, label: '7' }, 'values converted to the attribute types, unknown ones dropped');
  assert.equal(new Date(states[1].time).getTime(), t);
  const composite = await dev.device.getCompositeState({ applicationId: app.id, deviceId: d.id });
  assert.equal(composite.temp.value, 23);
  assert.equal(composite.label.value, '7');
  await apiError(dev.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: { data: { temp: { nested: 1 } } } }), 400, 'Validation');

  await api.device.sendCommand({ applicationId: app.id, deviceId: d.id, deviceCommand: { name: 'reboot', payload: { delay: 5 } } });
  const commands = await dev.device.getCommand({ applicationId: app.id, deviceId: d.id });
  assert.equal(commands.length, 1);
  assert.equal(commands[0].name, 'reboot');
  assert.deepEqual(commands[0].payload, { delay: 5 });

  await dev.device.setConnectionStatus({ applicationId: app.id, deviceId: d.id, connectionStatus: { status: 'connected' } });
  assert.equal((await api.device.get({ applicationId: app.id, deviceId: d.id })).connectionInfo.connected, 1);

  await apiError(dev.device.get({ applicationId: app.id, deviceId: other.id }), 403, 'Forbidden');
  await apiError(dev.flows.get({ applicationId: app.id }), 403, 'Forbidden');
  await apiError(dev.device.delete({ applicationId: app.id, deviceId: d.id }), 403, 'Forbidden');

  await api.applicationKey.patch({ applicationId: app.id, applicationKeyId: key.id, applicationKey: { status: 'inactive' } });
  await apiError(dev.device.get({ applicationId: app.id, deviceId: d.id }), 401, 'Unauthorized');
  const keys = await api.applicationKeys.get({ applicationId: app.id });
  assert.equal(keys.totalCount, 1);
  assert.equal(keys.items[0].status, 'inactive');
  await api.applicationKey.delete({ applicationId: app.id, applicationKeyId: key.id });
});

test('devices.export, device.export and data.export: 202 at once, then CSVs at the callback URL', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  const now = Date.now();
  await api.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: { time: now - 2000, data: { temp: 21, label: 'a' } } });
  await apiError(api.devices.export({ applicationId: app.id, email: 'ops@example.com' }), 400, 'Validation');
  const receiver = await exportReceiver();
  try {
    const all = await api.devices.export({ applicationId: app.id, callbackUrl: receiver.url });
    assert.equal(all.jobQueued, true);
    let done = await receiver.next();
    assert.equal(done.jobId, all.jobId);
    let csv = await fetchCSV(done.url);
    assert.deepEqual(csv[0], ['id', 'name', 'description', 'deviceClass', 'gatewayId', 'creationDate', 'lastUpdated',
      'connectionStatus', 'attributes', 'tag:floor']);
    assert.equal(csv[1][0], d.id);
    assert.equal(csv[1][9], '8');

    await api.device.export({ applicationId: app.id, deviceId: d.id, callbackUrl: receiver.url });
    done = await receiver.next();
    csv = await fetchCSV(done.url);
    assert.deepEqual(csv[0], ['Timestamp', 'ISO Date', 'Device ID', 'temp', 'label']);
    assert.deepEqual(csv[1], [String(now - 2000), new Date(now - 2000).toISOString(), d.id, '21', 'a']);

    await api.data.export({ applicationId: app.id, query: { callbackUrl: receiver.url, deviceIds: [d.id], attributes: ['temp'] } });
    done = await receiver.next();
    csv = await fetchCSV(done.url);
    assert.deepEqual(csv, [['Timestamp', 'ISO Date', 'Device ID', 'temp'], [String(now - 2000), new Date(now - 2000).toISOString(), d.id, '21']]);
  } finally {
    await receiver.close();
  }
});

test('device.getLogEntries: connects and disconnects set through setConnectionStatus, newest first, limit and since', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  assert.deepEqual(await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id }), [], 'a new device has no log');
  const t0 = Date.now() - 60000;
  await api.device.setConnectionStatus({ applicationId: app.id, deviceId: d.id,
    connectionStatus: { status: 'connected', connectedAt: t0, ipAddress: '192.0.2.7' } });
  await api.device.setConnectionStatus({ applicationId: app.id, deviceId: d.id,
    connectionStatus: { status: 'disconnected', disconnectedAt: t0 + 1000, disconnectReason: 'Connection Lost',
      messagesFromClient: 12, messagesToClient: 3 } });
  await api.device.setConnectionStatus({ applicationId: app.id, deviceId: d.id,
    connectionStatus: { status: 'connected', connectedAt: t0 + 2000 } });

  const latest = await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id });
  assert.deepEqual(latest, [{ connected: 1, time: new Date(t0 + 2000).toISOString() }], 'limit defaults to 1');
  const all = await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id, limit: 10 });
  assert.deepEqual(all.map((e) => e.connected), [1, 0, 1]);
  assert.deepEqual(all[1], { connected: 0, time: new Date(t0 + 1000).toISOString(), disconnectReason: 'Connection Lost',
    messagesFromClient: 12, messagesToClient: 3 });
  assert.equal(all[2].ipAddress, '192.0.2.7');
  const since = await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id, limit: 10, since: t0 + 1000, sortDirection: 'asc' });
  assert.deepEqual(since.map((e) => e.time), [new Date(t0 + 1000).toISOString(), new Date(t0 + 2000).toISOString()]);

  await apiError(api.device.getLogEntries({ applicationId: app.id, deviceId: d.id, limit: 'many' }), 400, 'Validation');
  await apiError(api.device.getLogEntries({ applicationId: app.id, deviceId: '5a1b2c3d4e5f60718293a4b5' }), 404, 'NotFound');

  const key = await api.applicationKeys.post({ applicationId: app.id, applicationKey: { description: 'log', deviceIds: [d.id] } });
  const other = await newDevice(app.id);
  const authed = await client(null).auth.authenticateDevice({ credentials: { deviceId: d.id, key: key.key, secret: key.secret } });
  const dev = client(authed.token);
  assert.equal((await dev.device.getLogEntries({ applicationId: app.id, deviceId: d.id })).length, 1, 'a device reads its own log');
  await apiError(dev.device.getLogEntries({ applicationId: app.id, deviceId: other.id }), 403, 'Forbidden');
});

test('deviceRecipes.post/get, deviceRecipe.get/patch/bulkCreate/delete', async () => {
  const app = await createApp(api);
  const recipe = await api.deviceRecipes.post({ applicationId: app.id, deviceRecipe: {
    name: 'Tracker recipe', deviceName: 'Tracker', deviceClass: 'standalone',
    tags: [{ key: 'kind', value: 'tracker' }],
    attributes: [{ name: 'location', dataType: 'gps', attributeTags: { source: 'gnss' } }],
  } });
  assert.match(recipe.id, hexID);
  assert.equal(recipe.deviceRecipeId, recipe.id);
  const list = await api.deviceRecipes.get({ applicationId: app.id, filterField: 'name', filter: 'track*' });
  assert.equal(list.totalCount, 1);
  assert.deepEqual(list.items[0].attributes[0].attributeTags, { source: 'gnss' });
  const patched = await api.deviceRecipe.patch({ applicationId: app.id, deviceRecipeId: recipe.id, deviceRecipe: { description: 'v2' } });
  assert.equal(patched.description, 'v2');
  assert.equal(patched.deviceName, 'Tracker');
  await apiError(api.deviceRecipes.post({ applicationId: app.id, deviceRecipe: { deviceName: 'no name' } }), 400, 'Validation');

  const bulk = await api.deviceRecipe.bulkCreate({ applicationId: app.id, deviceRecipeId: recipe.id,
    bulkInfo: { csv: 'label,imei\nTruck 1,3560\nTruck 2,3561\n', nameColumn: 'label' } });
  assert.equal(bulk.created, 2);
  assert.equal(bulk.failed, 0);
  const ids = bulk.csvResult.trim().split('\n').slice(1).map((line) => line.split(',')[2]);
  const truck = await api.device.get({ applicationId: app.id, deviceId: ids[0] });
  assert.equal(truck.name, 'Truck 1');
  assert.deepEqual(truck.tags, [{ key: 'kind', value: 'tracker' }, { key: 'imei', value: '3560' }]);
  await apiError(api.deviceRecipe.bulkCreate({ applicationId: app.id, deviceRecipeId: recipe.id,
    bulkInfo: { csv: 'label\n', nameColumn: 'label' } }), 400, 'Validation');

  await api.deviceRecipe.delete({ applicationId: app.id, deviceRecipeId: recipe.id });
  await apiError(api.deviceRecipe.get({ applicationId: app.id, deviceRecipeId: recipe.id }), 404, 'NotFound');
  assert.equal((await api.devices.get({ applicationId: app.id })).totalCount, 2, 'devices made from a recipe outlive it');
});

test('devices.sendCommand, devices.removeData and devices.delete over a device query', async () => {
  const app = await createApp(api);
  const a = await newDevice(app.id, { tags: [{ key: 'line', value: 'A' }] });
  const b = await newDevice(app.id, { tags: [{ key: 'line', value: 'A' }] });
  const c = await newDevice(app.id, { tags: [{ key: 'line', value: 'B' }] });
  await api.devices.sendCommand({ applicationId: app.id, multiDeviceCommand: { name: 'stop', deviceTags: [{ key: 'line', value: 'A' }] } });
  for (const [d, want] of [[a, 1], [b, 1], [c, 0]]) {
    assert.equal((await api.device.getCommand({ applicationId: app.id, deviceId: d.id })).length, want);
  }
  await apiError(api.devices.sendCommand({ applicationId: app.id, multiDeviceCommand: { name: 'stop' } }), 400, 'Validation');

  await api.device.sendState({ applicationId: app.id, deviceId: c.id, deviceState: { data: { temp: 3 } } });
  const removed = await api.devices.removeData({ applicationId: app.id, options: { query: { id: c.id } } });
  assert.equal(removed.jobQueued, true);
  assert.deepEqual(await api.device.getState({ applicationId: app.id, deviceId: c.id }), []);

  const deleted = await api.devices.delete({ applicationId: app.id, options: { query: { tags: { line: 'A' } } } });
  assert.deepEqual(deleted, { removed: 2, failed: 0 });
  const left = await api.devices.get({ applicationId: app.id });
  assert.deepEqual(left.items.map((d) => d.id), [c.id]);
});

test('devices.tagKeys, tagValues and attributeNames list what a query matches', async () => {
  const app = await createApp(api);
  await newDevice(app.id, { tags: [{ key: 'floor', value: '1' }, { key: 'Zone', value: 'north' }] });
  await newDevice(app.id, { tags: [{ key: 'floor', value: '2' }], attributes: [{ name: 'where', dataType: 'gps' }] });
  const keys = await api.devices.tagKeys({ applicationId: app.id });
  assert.deepEqual(keys.tagKeys, ['Zone', 'floor']);
  assert.deepEqual((await api.devices.tagKeys({ applicationId: app.id, startsWith: 'z' })).tagKeys, ['Zone']);
  const values = await api.devices.tagValues({ applicationId: app.id, key: 'floor', query: { attributeName: 'where' } });
  assert.deepEqual(values, { tagKey: 'floor', tagValues: ['2'] });
  const names = await api.devices.attributeNames({ applicationId: app.id, dataType: ['number', 'gps'] });
  assert.deepEqual(names.attributeNames, ['temp', 'where']);
  await apiError(api.devices.tagValues({ applicationId: app.id }), 400, 'Validation');
  await apiError(api.devices.attributeNames({ applicationId: app.id, dataType: 'text' }), 400, 'Validation');
});

test('devices.patch updates the devices a query selects and counts them', async () => {
  const app = await createApp(api);
  const a = await newDevice(app.id);
  const b = await newDevice(app.id, { tags: [{ key: 'floor', value: '9' }] });
  const res = await api.devices.patch({ applicationId: app.id, patchInfo: {
    query: { tags: { floor: '8' } },
    updateFields: { description: 'patched' },
    updateOperations: [
      { operation: 'set', target: 'tag', value: { key: 'zone', value: 'east' } },
      { operation: 'remove', target: 'attribute', attributeName: 'label' },
    ],
  } });
  assert.deepEqual(res, { updated: 1, skipped: 0, failed: 0 });
  const got = await api.device.get({ applicationId: app.id, deviceId: a.id });
  assert.equal(got.description, 'patched');
  assert.deepEqual(got.tags.map((t) => `${t.key}=${t.value}`).sort(), ['floor=8', 'zone=east']);
  assert.deepEqual(got.attributes.map((x) => x.name), ['temp']);
  assert.equal((await api.device.get({ applicationId: app.id, deviceId: b.id })).description, '');
  await apiError(api.devices.patch({ applicationId: app.id, patchInfo: { updateFields: { name: 'x' } } }), 400, 'Validation');
  await apiError(api.devices.patch({ applicationId: app.id, patchInfo: { deviceIds: [a.id],
    updateOperations: [{ operation: 'set', target: 'systemInterval', value: 5 }] } }), 400, 'Validation');
});

test('device.stateStream and device.commandStream deliver new states and commands', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  const states = await api.device.stateStream({ applicationId: app.id, deviceId: d.id, keepAliveInterval: '1' });
  const commands = await api.device.commandStream({ applicationId: app.id, deviceId: d.id });
  try {
    const state = new Promise((resolve) => states.addEventListener('deviceState', (e) => resolve(JSON.parse(e.data))));
    const command = new Promise((resolve) => commands.addEventListener('deviceCommand', (e) => resolve(JSON.parse(e.data))));
    await api.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: { data: { temp: 21 } } });
    await api.device.sendCommand({ applicationId: app.id, deviceId: d.id, deviceCommand: { name: 'reboot', payload: { in: 5 } } });
    const s = await state;
    assert.deepEqual(s.data, { temp: 21 });
    assert.match(s.time, isoTime);
    const c = await command;
    assert.equal(c.name, 'reboot');
    assert.deepEqual(c.payload, { in: 5 });
  } finally {
    states.close();
    commands.close();
  }
});

test('device hierarchy: parentId on post and patch, devices.get by parentId and by an ancestorId query', async () => {
  const app = await createApp(api);
  const site = await newDevice(app.id, { deviceClass: 'system' });
  assert.equal(site.parentId, undefined);
  const line = await newDevice(app.id, { deviceClass: 'system', parentId: site.id });
  assert.equal(line.parentId, site.id);
  assert.deepEqual(line.ancestorIds, [site.id]);
  const pump = await newDevice(app.id, { parentId: line.id });
  assert.deepEqual(pump.ancestorIds, [site.id, line.id], 'ancestors run from the top down to the parent');

  const children = await api.devices.get({ applicationId: app.id, parentId: site.id });
  assert.deepEqual(children.items.map((d) => d.id), [line.id], 'parentId selects the direct children');
  const below = await api.devices.get({ applicationId: app.id, query: { ancestorId: site.id }, sortField: 'creationDate' });
  assert.deepEqual(below.items.map((d) => d.id), [line.id, pump.id]);
  const tops = await api.devices.get({ applicationId: app.id, query: { parentId: null } });
  assert.deepEqual(tops.items.map((d) => d.id), [site.id]);

  // A cycle, an unknown parent or another application's device is refused, and nothing changes.
  await apiError(api.device.patch({ applicationId: app.id, deviceId: site.id, device: { parentId: pump.id } }), 400, 'Validation');
  await apiError(api.device.patch({ applicationId: app.id, deviceId: site.id, device: { parentId: site.id } }), 400, 'Validation');
  const other = await createApp(api);
  const stranger = await newDevice(other.id);
  await apiError(api.devices.post({ applicationId: app.id, device: { name: 'x', parentId: stranger.id } }), 400, 'Validation');
  await apiError(api.devices.post({ applicationId: app.id, device: { name: 'x', parentId: 'nope' } }), 400, 'Validation');
  await apiError(api.devices.get({ applicationId: app.id, parentId: 'nope' }), 400, 'Validation');
  assert.equal((await api.device.get({ applicationId: app.id, deviceId: site.id })).parentId, undefined);
  assert.equal((await api.devices.get({ applicationId: app.id })).totalCount, 3);

  // Moving line to the top carries pump along; deleting line moves pump up.
  const moved = await api.device.patch({ applicationId: app.id, deviceId: line.id, device: { parentId: null } });
  assert.equal(moved.parentId, undefined);
  assert.deepEqual((await api.device.get({ applicationId: app.id, deviceId: pump.id })).ancestorIds, [line.id]);
  await api.device.patch({ applicationId: app.id, deviceId: line.id, device: { parentId: site.id } });
  assert.deepEqual((await api.device.get({ applicationId: app.id, deviceId: pump.id })).ancestorIds, [site.id, line.id]);
  await api.device.delete({ applicationId: app.id, deviceId: line.id });
  const orphan = await api.device.get({ applicationId: app.id, deviceId: pump.id });
  assert.equal(orphan.parentId, site.id, 'children of a deleted device move up to its parent');
  assert.deepEqual(orphan.ancestorIds, [site.id]);
});

test('devices.removeData with attributes, keepConnectionHistory and keepCommandHistory', async () => {
  const app = await createApp(api);
  const d = await newDevice(app.id);
  const t = Date.now() - 120000;
  await api.device.sendState({ applicationId: app.id, deviceId: d.id, deviceState: [
    { time: t, data: { temp: 1, label: 'a' } },
    { time: t + 60000, data: { temp: 2 } },
  ] });
  await api.device.setConnectionStatus({ applicationId: app.id, deviceId: d.id, connectionStatus: { status: 'connected' } });
  await api.device.sendCommand({ applicationId: app.id, deviceId: d.id, deviceCommand: { name: 'go' } });

  await api.devices.removeData({ applicationId: app.id, options: { query: { id: d.id }, attributes: ['temp'], start: t + 1000,
    keepConnectionHistory: true, keepCommandHistory: true } });
  const states = await api.device.getState({ applicationId: app.id, deviceId: d.id, limit: 10 });
  assert.deepEqual(states.map((s) => s.data), [{ temp: 1, label: 'a' }], 'the report left with no attribute is gone');
  const composite = await api.device.getCompositeState({ applicationId: app.id, deviceId: d.id });
  assert.equal(composite.temp.value, 1, 'the latest temp falls back to the report left');
  assert.equal((await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id, limit: 10 })).length, 1);
  assert.equal((await api.device.getCommand({ applicationId: app.id, deviceId: d.id })).length, 1);

  await api.devices.removeData({ applicationId: app.id, options: { query: { id: d.id }, attributes: ['label'], keepCommandHistory: true } });
  assert.deepEqual((await api.device.getState({ applicationId: app.id, deviceId: d.id })).map((s) => s.data), [{ temp: 1 }]);
  assert.deepEqual(await api.device.getLogEntries({ applicationId: app.id, deviceId: d.id }), []);
  assert.equal((await api.device.getCommand({ applicationId: app.id, deviceId: d.id })).length, 1);

  await apiError(api.devices.removeData({ applicationId: app.id, options: { query: { id: d.id }, attributes: ['no space'] } }), 400, 'Validation');
  await apiError(api.devices.removeData({ applicationId: app.id, options: { query: { id: d.id }, attributes: 'temp' } }), 400, 'Validation');
  assert.equal((await api.device.getState({ applicationId: app.id, deviceId: d.id })).length, 1, 'a refused removal changes nothing');
});
