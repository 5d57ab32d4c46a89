// Events through losant-rest: create (within the one-per-second limit),
// read, list with filters, paging and advanced queries, update one or many,
// the most severe new event, and delete by id or query.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { apiError, client, createApp, exportReceiver, fetchCSV, hexID, isoTime, unique } from './helpers.mjs';

const api = client();

/** Creates an event, waiting out the per-application limit first. */
async function newEvent(applicationId, event) {
  await delay(1100);
  return api.events.post({ applicationId, event });
}

test('events.post, event.get/patch/delete, events.get with filters, paging and a query', async () => {
  const app = await createApp(api);
  const device = await api.devices.post({ applicationId: app.id, device: { name: unique('boiler') } });
  const fire = await newEvent(app.id, { level: 'critical', subject: 'Fire in hall 1', message: '**now**',
    deviceId: device.id, eventTags: { zone: 'north' }, data: { temp: 97 } });
  assert.match(fire.id, hexID);
  assert.equal(fire.eventId, fire.id);
  assert.equal(fire.state, 'new');
  assert.equal(fire.deviceName, device.name);
  assert.equal(fire.sourceType, 'user');
  assert.match(fire.creationDate, isoTime);
  assert.deepEqual(fire.data, { temp: 97 });
  await apiError(api.events.post({ applicationId: app.id, event: { level: 'info', subject: 'too soon' } }),
    429, 'TooManyRequests', 'a second event within the second');

  const door = await newEvent(app.id, { level: 'warning', subject: 'Door open', eventTags: { zone: 'south' } });
  const info = await newEvent(app.id, { level: 'info', subject: 'door closed', state: 'resolved' });

  const all = await api.events.get({ applicationId: app.id });
  assert.equal(all.totalCount, 3);
  assert.deepEqual(all.items.map((e) => e.id), [info.id, door.id, fire.id], 'newest first by default');
  const paged = await api.events.get({ applicationId: app.id, sortField: 'subject', sortDirection: 'asc', perPage: 2, page: 1 });
  assert.deepEqual(paged.items.map((e) => e.subject), ['Fire in hall 1']);
  const doors = await api.events.get({ applicationId: app.id, filterField: 'subject', filter: 'door*' });
  assert.equal(doors.totalCount, 2);
  const open = await api.events.get({ applicationId: app.id, state: 'new' });
  assert.equal(open.totalCount, 2);
  const queried = await api.events.get({ applicationId: app.id,
    query: { $or: [{ level: { $in: ['critical'] } }, { eventTags: { $tagKey: 'zone', $tagValue: 'south' } }] } });
  assert.deepEqual(queried.items.map((e) => e.id).sort(), [door.id, fire.id].sort());
  const err = await apiError(api.events.get({ applicationId: app.id, query: { $and: [{ subject: { $regex: 'x' } }] } }),
    400, 'Validation', 'an unknown operator');
  assert.match(err.message, /query\.\$and\[0\]\.subject\.\$regex/);

  const acked = await api.event.patch({ applicationId: app.id, eventId: fire.id,
    event: { state: 'acknowledged', comment: 'on it', eventTags: { team: 'ops' } } });
  assert.equal(acked.state, 'acknowledged');
  assert.deepEqual(acked.eventTags, { zone: 'north', team: 'ops' });
  assert.equal(acked.updates.length, 1);
  assert.equal(acked.updates[0].comment, 'on it');
  assert.deepEqual(acked.updates[0].stateChange, { old: 'new', new: 'acknowledged' });
  await apiError(api.event.patch({ applicationId: app.id, eventId: fire.id, event: { level: 'fatal' } }), 400, 'Validation');
  assert.equal((await api.event.get({ applicationId: app.id, eventId: fire.id })).level, 'critical', 'a refused patch changes nothing');

  await api.event.delete({ applicationId: app.id, eventId: info.id });
  await apiError(api.event.get({ applicationId: app.id, eventId: info.id }), 404, 'NotFound');
  const other = await createApp(api);
  await apiError(api.event.get({ applicationId: other.id, eventId: fire.id }), 404, 'NotFound', 'another application\'s event');
});

test('events.mostRecentBySeverity, events.patch by query and events.delete by query', async () => {
  const app = await createApp(api);
  const low = await newEvent(app.id, { level: 'warning', subject: 'pump A slow' });
  const high = await newEvent(app.id, { level: 'error', subject: 'pump B stopped' });
  await newEvent(app.id, { level: 'info', subject: 'valve checked' });

  const most = await api.events.mostRecentBySeverity({ applicationId: app.id });
  assert.equal(most.event.id, high.id);
  assert.equal(most.newCount, 3);
  const pumps = await api.events.mostRecentBySeverity({ applicationId: app.id, filter: 'pump A*' });
  assert.equal(pumps.event.id, low.id);
  assert.equal(pumps.newCount, 1);

  const bulk = await api.events.patch({ applicationId: app.id, query: { subject: { $startsWith: 'pump' } },
    updates: { state: 'resolved', comment: 'fixed' } });
  assert.deepEqual(bulk, { success: true });
  const resolved = await api.events.get({ applicationId: app.id, state: 'resolved' });
  assert.equal(resolved.totalCount, 2);
  await apiError(api.events.patch({ applicationId: app.id, updates: { state: 'gone' } }), 400, 'Validation');

  const deep = { level: 'info' };
  let q = deep;
  for (let i = 0; i < 20; i++) {
    q = { $and: [q] };
  }
  await apiError(api.events.delete({ applicationId: app.id, query: q }), 400, 'Validation', 'a query nested too deeply');
  assert.equal((await api.events.get({ applicationId: app.id })).totalCount, 3, 'a refused delete removes nothing');
  const removed = await api.events.delete({ applicationId: app.id, query: { state: 'resolved' } });
  assert.deepEqual(removed, { removed: 2 });
  assert.equal((await api.events.get({ applicationId: app.id })).totalCount, 1);
});

test('events.export: 202 at once, then a CSV of the matching events at the callback URL; an email alone is refused', async () => {
  const app = await createApp(api);
  const ev = await newEvent(app.id, { level: 'warning', subject: 'Valve stuck' });
  const refused = await apiError(api.events.export({ applicationId: app.id, exportData: { email: 'ops@example.com' } }), 400, 'Validation');
  assert.match(refused.message, /sends no email/);
  const receiver = await exportReceiver();
  try {
    const job = await api.events.export({ applicationId: app.id, exportData: { callbackUrl: receiver.url, query: { level: 'warning' } } });
    assert.deepEqual(Object.keys(job).sort(), ['jobId', 'jobQueued', 'success']);
    const done = await receiver.next();
    assert.equal(done.jobId, job.jobId);
    assert.equal(done.count, 1);
    const csv = await fetchCSV(done.url);
    assert.deepEqual(csv[0].slice(0, 6), ['id', 'creationDate', 'lastUpdated', 'level', 'state', 'subject']);
    assert.deepEqual(csv[1].slice(3, 6), ['warning', 'new', 'Valve stuck']);
    assert.equal(csv[1][0], ev.id);
  } finally {
    await receiver.close();
  }
});
