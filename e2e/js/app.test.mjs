// A whole application from a template bundle through losant-rest's
// applications.import (a multipart upload of a zip).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, hexID } from './helpers.mjs';

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
    globals: []
version: 1
`,
};

test('applications.import creates the application, its device and its flow, references rewritten', async () => {
  const res = await api.applications.import({ importBundle: zip(template), includeDevices: 'true' });
  assert.match(res.application.id, hexID);
  assert.equal(res.application.name, 'Greenhouse');
  assert.deepEqual(res.importReport.created, { application: 1, device: 1, experienceVersion: 1, flow: 1 }, JSON.stringify(res.importReport));
  assert.equal(res.importReport.skipped, undefined, JSON.stringify(res.importReport));
  assert.deepEqual(res.importReport.dropped, { experienceVersion: ['globals'] }, 'what weir does not keep is named');

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
});

test('applications.import without includeDevices leaves the devices out; a bundle that is not a zip is refused', async () => {
  const res = await api.applications.import({ importBundle: zip(template) });
  assert.deepEqual(res.importReport.created, { application: 1, experienceVersion: 1, flow: 1 }, JSON.stringify(res.importReport));
  assert.ok(res.importReport.skipped.some((s) => s.kind === 'device' && s.reason === 'includeDevices is not set'));
  await apiError(api.applications.import({ importBundle: Buffer.from('not a zip') }), 400, 'Validation');
});
