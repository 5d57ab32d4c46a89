// Devices, access keys, device authentication, state, composite state and
// commands through losant-rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, hexID, isoTime, unique } from './helpers.mjs';

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
  await apiError(api.devices.get({ applicationId: app.id, query: { ancestorId: d.id } }), 400, 'Validation');

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
