// Time-series and last-value queries (the data resource) through
// losant-rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, isoTime, unique } from './helpers.mjs';

const api = client();

async function newDevice(applicationId, floor) {
  return api.devices.post({
    applicationId,
    device: {
      name: unique('sensor'),
      tags: [{ key: 'floor', value: floor }],
      attributes: [{ name: 'temp', dataType: 'number' }],
    },
  });
}

test('data.timeSeriesQuery aggregates per resolution bucket, data.lastValueQuery answers the latest value', async () => {
  const app = await createApp(api);
  const a = await newDevice(app.id, '1');
  const b = await newDevice(app.id, '2');
  // Ten reports a minute apart in a window aligned on 10 minutes.
  const start = Math.floor((Date.now() - 20 * 60_000) / 600_000) * 600_000;
  for (let m = 0; m < 10; m++) {
    await api.device.sendState({ applicationId: app.id, deviceId: a.id, deviceState: { time: start + m * 60_000, data: { temp: m } } });
    await api.device.sendState({ applicationId: app.id, deviceId: b.id, deviceState: { time: start + m * 60_000, data: { temp: 100 + m } } });
  }

  const series = await api.data.timeSeriesQuery({
    applicationId: app.id,
    query: { start, end: start + 600_000, resolution: 300_000, aggregation: 'MEAN', attributes: ['temp'], deviceIds: [a.id, b.id] },
  });
  assert.equal(series.aggregation, 'MEAN');
  assert.equal(series.resolution, 300_000);
  assert.match(series.start, isoTime);
  assert.deepEqual(Object.keys(series.devices).sort(), [a.id, b.id].sort());
  assert.deepEqual(series.devices[a.id].points.map((p) => p.data.temp), [2, 7]);
  assert.deepEqual(series.devices[b.id].points.map((p) => p.data.temp), [102, 107]);
  assert.equal(Date.parse(series.devices[a.id].points[0].time), start, 'buckets start on the resolution grid');
  assert.deepEqual(series.devices[b.id].tags, { floor: ['2'] });

  const raw = await api.data.timeSeriesQuery({
    applicationId: app.id,
    query: { start, end: start + 600_000, aggregation: 'NONE', limit: 3, order: 'desc', deviceTags: [{ key: 'floor', value: '1' }] },
  });
  assert.deepEqual(Object.keys(raw.devices), [a.id]);
  assert.deepEqual(raw.devices[a.id].points.map((p) => p.data.temp), [9, 8, 7]);

  const byQuery = await api.data.timeSeriesQuery({
    applicationId: app.id,
    query: { start, end: start + 600_000, resolution: 600_000, aggregation: 'COUNT', deviceQuery: { name: b.name } },
  });
  assert.deepEqual(byQuery.devices[b.id].points.map((p) => p.data.temp), [10]);

  const last = await api.data.lastValueQuery({ applicationId: app.id, query: { attribute: 'temp', deviceIds: [a.id, b.id] } });
  assert.equal(last[a.id].data.temp, 9);
  assert.equal(last[b.id].data.temp, 109);
  const before = await api.data.lastValueQuery({ applicationId: app.id, query: { attribute: 'temp', deviceIds: [a.id], end: start + 150_000 } });
  assert.equal(before[a.id].data.temp, 2);

  await apiError(api.data.timeSeriesQuery({ applicationId: app.id, query: { aggregation: 'AVERAGE' } }), 400, 'Validation');
  await apiError(api.data.timeSeriesQuery({ applicationId: app.id, query: { duration: 86_400_000, resolution: 1000 } }), 400, 'Validation');
  await apiError(api.data.lastValueQuery({ applicationId: app.id, query: { deviceIds: [a.id] } }), 400, 'Validation');
});
