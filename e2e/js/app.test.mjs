// A whole application from a template bundle through losant-rest's
// applications.import (a multipart upload of a zip).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';

import { apiError, client, exportReceiver, hexID, unique } from './helpers.mjs';

const api = client();

// crc32 is the checksum a zip entry carries.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) {
      c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
  }
  return ~c >>> 0;
}

// zip returns a zip file (entries stored, not compressed) of the files,
// given by name.
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBuf = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

// unzip returns the files of a zip (stored or deflated entries), by name,
// as text; it reads the central directory, as entries may carry their sizes
// after their data.
function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'the zip has an end of central directory');
  const files = {};
  let at = buf.readUInt32LE(end + 16);
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const skip = nameLen + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString();
    const local = buf.readUInt32LE(at + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(data) : data).toString();
    at += 46 + skip;
  }
  return files;
}

const template = {
  'application.yaml': `resourceType: Application
resources:
  - name: Greenhouse
    id: ~exportplaceholderid-application-greenhouse~
    globals:
      - key: limit
        json: '30'
version: 1
`,
  'devices.yaml': `resourceType: DeviceTree
resources:
  - name: Sensor
    id: ~exportplaceholderid-device-sensor~
    deviceClass: standalone
    attributes:
      - name: temp
        dataType: number
        attributeTags: {}
    children: []
version: 1
`,
  'workflows/Hot.yaml': `resourceType: Flow
resources:
  - name: Hot
    id: ~exportplaceholderid-flow-hot~
    flowClass: cloud
    enabled: true
    triggers:
      - type: deviceId
        key: ~exportplaceholderid-device-sensor~
        config: {}
        outputIds: [[d]]
    nodes:
      - id: d
        type: DebugNode
        config:
          message: 'device ~exportplaceholderid-device-sensor~'
version: 1
`,
  'experience/develop/version.yaml': `resourceType: ExperienceVersion
resources:
  - id: ~exportplaceholderid-experienceVersion-develop~
    version: develop
    globals:
      - key: title
        json: '"Greenhouse | {{this}}"'
    unauthorizedReply:
      type: redirect
      statusCode: 302
      value: /login?redirect={{encodeURIComponent request.path}}
version: 1
`,
};

test('applications.import creates the application, its device and its flow, references rewritten', async () => {
  const res = await api.applications.import({ importBundle: zip(template), includeDevices: 'true' });
  assert.match(res.application.id, hexID);
  assert.equal(res.application.name, 'Greenhouse');
  assert.deepEqual(res.importReport.created, { application: 1, device: 1, experienceVersion: 1, flow: 1 }, JSON.stringify(res.importReport));
  assert.equal(res.importReport.skipped, undefined, JSON.stringify(res.importReport));
  assert.equal(res.importReport.dropped, undefined, 'weir keeps every field of the template');

  const applicationId = res.application.id;
  const devices = await api.devices.get({ applicationId });
  assert.equal(devices.totalCount, 1);
  const deviceId = devices.items[0].id;
  const flows = await api.flows.get({ applicationId });
  assert.equal(flows.items.length, 1);
  const flow = flows.items[0];
  assert.equal(flow.enabled, true);
  assert.equal(flow.triggers[0].key, deviceId, 'the trigger names the new device');
  assert.equal(flow.nodes[0].config.message, `device ${deviceId}`);
  const app = await api.application.get({ applicationId });
  assert.deepEqual(app.globals.map((g) => [g.key, g.json]), [['limit', '30']]);
  const version = await api.experienceVersion.get({ applicationId, experienceVersionIdOrName: 'develop' });
  assert.deepEqual(version.globals, [{ key: 'title', json: '"Greenhouse | {{this}}"' }], 'the version\'s globals');
  assert.deepEqual(version.unauthorizedReply, { type: 'redirect', statusCode: 302,
    value: '/login?redirect={{encodeURIComponent request.path}}' }, 'the version\'s unauthorized reply');
});

test('applications.import without includeDevices leaves the devices out; a bundle that is not a zip is refused', async () => {
  const res = await api.applications.import({ importBundle: zip(template) });
  assert.deepEqual(res.importReport.created, { application: 1, experienceVersion: 1, flow: 1 }, JSON.stringify(res.importReport));
  assert.ok(res.importReport.skipped.some((s) => s.kind === 'device' && s.reason === 'includeDevices is not set'));
  await apiError(api.applications.import({ importBundle: Buffer.from('not a zip') }), 400, 'Validation');
});

test('applicationDashboards and notebooks keep their documents; application.export zips the application, which imports back', async () => {
  const res = await api.applications.import({ importBundle: zip(template), includeDevices: 'true' });
  const applicationId = res.application.id;
  const dashboard = await api.applicationDashboards.post({ applicationId,
    dashboard: { name: 'Overview', blocks: [{ blockType: 'indicator', title: 'Temperature' }] } });
  assert.match(dashboard.id, hexID);
  assert.equal(dashboard.name, 'Overview');
  const notebook = await api.notebooks.post({ applicationId, notebook: { name: 'Weekly report', jupyterFileName: 'report.ipynb' } });
  assert.match(notebook.id, hexID);
  const dashboards = await api.applicationDashboards.get({ applicationId });
  assert.deepEqual(dashboards.items.map((d) => [d.id, d.name, d.blocks[0].title]), [[dashboard.id, 'Overview', 'Temperature']]);
  assert.deepEqual((await api.notebooks.get({ applicationId })).items.map((n) => n.name), ['Weekly report']);
  await apiError(api.applicationDashboards.post({ applicationId, dashboard: { blocks: [] } }), 400, 'Validation', 'a dashboard without a name');

  const receiver = await exportReceiver();
  let files;
  try {
    const job = await api.application.export({ applicationId, options: { callbackUrl: receiver.url, includeDevices: true } });
    assert.equal(job.jobQueued, true);
    const done = await receiver.next();
    assert.equal(done.jobId, job.jobId);
    assert.equal(done.success, true, JSON.stringify(done));
    const got = await fetch(done.url);
    assert.equal(got.status, 200, `GET ${done.url}`);
    files = unzip(Buffer.from(await got.arrayBuffer()));
  } finally {
    await receiver.close();
  }
  assert.match(files['application.yaml'], /name: Greenhouse/);
  assert.match(files['devices.yaml'], /name: Sensor/);
  assert.match(files['experience/develop/version.yaml'], /key: title/, 'the version\'s globals are exported');
  assert.match(files['experience/develop/version.yaml'], /unauthorizedReply:/, 'the version\'s unauthorized reply is exported');
  assert.ok(Object.keys(files).some((f) => f.startsWith('dashboards/') && files[f].includes('Temperature')), Object.keys(files).join(' '));
  assert.ok(Object.keys(files).some((f) => f.startsWith('notebooks/') && files[f].includes('report.ipynb')), Object.keys(files).join(' '));

  const back = await api.applications.import({ importBundle: zip(files), includeDevices: 'true' });
  assert.deepEqual(back.importReport.created, { application: 1, device: 1, experienceVersion: 1, flow: 1 }, JSON.stringify(back.importReport));
  assert.deepEqual(back.importReport.keptNotRun, { dashboard: 1, notebook: 1 }, JSON.stringify(back.importReport));
  const copy = back.application.id;
  assert.deepEqual((await api.applicationDashboards.get({ applicationId: copy })).items.map((d) => d.name), ['Overview']);
  const version = await api.experienceVersion.get({ applicationId: copy, experienceVersionIdOrName: 'develop' });
  assert.deepEqual(version.globals, [{ key: 'title', json: '"Greenhouse | {{this}}"' }]);
  const flow = (await api.flows.get({ applicationId: copy })).items[0];
  const device = (await api.devices.get({ applicationId: copy })).items[0];
  assert.equal(flow.triggers[0].key, device.id, 'the copy\'s flow names the copy\'s device');
});

test('applications.post and application.patch keep endpointSlug and blobUrlTTL; a slug another application has is refused', async () => {
  const slug = `e2e-${randomBytes(4).toString('hex')}`;
  const app = await api.applications.post({ application: { name: unique('slugged'), endpointSlug: slug, blobUrlTTL: 7200 } });
  assert.equal(app.endpointSlug, slug);
  assert.equal(app.blobUrlTTL, 7200);
  const got = await api.application.get({ applicationId: app.id });
  assert.deepEqual([got.endpointSlug, got.blobUrlTTL], [slug, 7200]);

  const other = await api.applications.post({ application: { name: unique('other') } });
  const err = await apiError(api.application.patch({ applicationId: other.id, application: { endpointSlug: slug } }), 400, 'Validation', 'a taken slug');
  assert.equal(err.message, `Endpoint slug ${slug} is already in use`);
  await apiError(api.application.patch({ applicationId: other.id, application: { endpointSlug: 'Not_A_Slug' } }), 400, 'Validation', 'a malformed slug');
  await apiError(api.application.patch({ applicationId: other.id, application: { blobUrlTTL: 60 } }), 400, 'Validation', 'a TTL below an hour');
  const unchanged = await api.application.get({ applicationId: other.id });
  assert.equal(unchanged.endpointSlug, undefined, 'the refused patches changed nothing');
  assert.equal(unchanged.blobUrlTTL, undefined, 'the refused patches changed nothing');

  // Given up, the slug is free for another application.
  await api.application.patch({ applicationId: app.id, application: { endpointSlug: `${slug}-old`, blobUrlTTL: 604800 } });
  const moved = await api.application.patch({ applicationId: other.id, application: { endpointSlug: slug } });
  assert.equal(moved.endpointSlug, slug);
});
