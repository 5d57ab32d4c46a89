// Data tables, their columns, rows and queries through losant-rest, and a
// flow whose virtual button inserts a row and queries it back while a
// dataTable trigger hears of the insert.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, button, client, createApp, createFlow, eventually, exportReceiver, fetchCSV, hexID, isoTime, node, unique } from './helpers.mjs';

const api = client();

const columns = [
  { name: 'sku', dataType: 'string', constraint: 'unique' },
  { name: 'qty', dataType: 'number', constraint: 'required' },
  { name: 'label', dataType: 'string', constraint: 'optional', defaultValue: 'new' },
  { name: 'active', dataType: 'boolean', constraint: 'optional' },
];

async function newTable(applicationId) {
  return api.dataTables.post({ applicationId, dataTable: { name: unique('stock'), columns } });
}

test('dataTables.post/get, dataTable.get/patch/addColumn/removeColumn/delete', async () => {
  const app = await createApp(api);
  const t = await newTable(app.id);
  assert.match(t.id, hexID);
  assert.equal(t.dataTableId, t.id);
  assert.match(t.creationDate, isoTime);
  assert.deepEqual(t.columns, columns);

  const list = await api.dataTables.get({ applicationId: app.id });
  assert.equal(list.totalCount, 1);
  assert.equal(list.items[0].id, t.id);

  const patched = await api.dataTable.patch({ applicationId: app.id, dataTableId: t.id, dataTable: { description: 'parts' } });
  assert.equal(patched.description, 'parts');
  const added = await api.dataTable.addColumn({ applicationId: app.id, dataTableId: t.id,
    dataTableColumn: { name: 'bin', dataType: 'number', constraint: 'optional' } });
  assert.equal(added.columns.length, 5);
  await apiError(api.dataTable.addColumn({ applicationId: app.id, dataTableId: t.id,
    dataTableColumn: { name: 'bin', dataType: 'number', constraint: 'optional' } }), 400, 'Validation');
  await apiError(api.dataTable.addColumn({ applicationId: app.id, dataTableId: t.id,
    dataTableColumn: { name: 'x', dataType: 'date', constraint: 'optional' } }), 400, 'Validation');
  const removed = await api.dataTable.removeColumn({ applicationId: app.id, dataTableId: t.id, columnName: 'bin' });
  assert.deepEqual(removed.columns.map((c) => c.name), ['sku', 'qty', 'label', 'active']);
  await apiError(api.dataTable.removeColumn({ applicationId: app.id, dataTableId: t.id, columnName: 'bin' }), 404, 'NotFound');

  await apiError(api.dataTables.post({ applicationId: app.id, dataTable: { name: '' } }), 400, 'Validation');
  const tooMany = Array.from({ length: 51 }, (_, i) => ({ name: `c${i}`, dataType: 'string', constraint: 'optional' }));
  await apiError(api.dataTables.post({ applicationId: app.id, dataTable: { name: 'wide', columns: tooMany } }), 400, 'Validation');

  assert.deepEqual(await api.dataTable.delete({ applicationId: app.id, dataTableId: t.id }), { success: true });
  await apiError(api.dataTable.get({ applicationId: app.id, dataTableId: t.id }), 404, 'NotFound');
});

test('rows: post one and many, get with sorting and paging, query, row get/patch/delete, delete by query, truncate', async () => {
  const app = await createApp(api);
  const t = await newTable(app.id);
  const ids = { applicationId: app.id, dataTableId: t.id };

  const one = await api.dataTableRows.post({ ...ids, dataTableRow: { sku: 'bolt', qty: 7, active: true } });
  assert.match(one.id, hexID);
  assert.match(one.createdAt, isoTime);
  assert.equal(one.label, 'new', 'the default fills a column left out');
  const bulk = await api.dataTableRows.post({ ...ids, dataTableRow: [
    { sku: 'nut', qty: 3 }, { sku: 'washer', qty: 0.5, label: 'Old stock' }, { sku: 'screw', qty: 12, label: null },
  ] });
  assert.equal(bulk.count, 3);
  assert.equal(bulk.rowIds.length, 3);

  const page = await api.dataTableRows.get({ ...ids, sortColumn: 'qty', sortDirection: 'desc', limit: 2, offset: 1 });
  assert.equal(page.totalCount, 4);
  assert.deepEqual(page.items.map((r) => r.sku), ['bolt', 'nut']);
  const fields = await api.dataTableRows.get({ ...ids, includeFields: 'sku' });
  assert.deepEqual(Object.keys(fields.items[0]).sort(), ['id', 'sku']);

  const q = async (query) => (await api.dataTableRows.query({ ...ids, query, sortColumn: 'sku' })).items.map((r) => r.sku);
  assert.deepEqual(await q({ qty: { $gte: 3, $lt: 12 } }), ['bolt', 'nut']);
  assert.deepEqual(await q({ $or: [{ sku: 'screw' }, { label: { $startsWith: 'old', $ci: true } }] }), ['screw', 'washer']);
  assert.deepEqual(await q({ label: null }), ['screw']);
  assert.deepEqual(await q({ label: { $ne: 'new' } }), ['screw', 'washer']);
  assert.deepEqual(await q({ sku: { $in: ['nut', 'bolt'] }, active: { $ne: true } }), ['nut']);
  assert.deepEqual(await q({ sku: { $contains: 'ash' } }), ['washer']);
  assert.deepEqual(await q({ sku: { $endsWith: 'ew' } }), ['screw']);
  assert.deepEqual(await q({ $nor: [{ qty: { $gt: 1 } }] }), ['washer']);

  const bad = await apiError(api.dataTableRows.query({ ...ids, query: { $and: [{ colour: 'red' }] } }), 400, 'Validation');
  assert.match(bad.message, /query\.\$and\[0\]\.colour/);
  await apiError(api.dataTableRows.query({ ...ids, query: { qty: { $gt: 'many' } } }), 400, 'Validation');
  await apiError(api.dataTableRows.query({ ...ids, query: { qty: { $regex: 'x' } } }), 400, 'Validation');
  await apiError(api.dataTableRows.get({ ...ids, sortColumn: 'nope' }), 400, 'Validation');

  await apiError(api.dataTableRows.post({ ...ids, dataTableRow: { sku: 'bolt', qty: 1 } }), 400, 'Validation');
  await apiError(api.dataTableRows.post({ ...ids, dataTableRow: { sku: 'pin' } }), 400, 'Validation');
  await apiError(api.dataTableRows.post({ ...ids, dataTableRow: [{ sku: 'pin', qty: 1 }, { sku: 'pin', qty: 2 }] }), 400, 'Validation');
  assert.equal((await api.dataTableRows.get(ids)).totalCount, 4, 'a refused insert inserts nothing');

  const row = await api.dataTableRow.get({ ...ids, rowId: one.id });
  assert.equal(row.sku, 'bolt');
  const patched = await api.dataTableRow.patch({ ...ids, rowId: one.id, dataTableRow: { qty: 8, label: null } });
  assert.equal(patched.qty, 8);
  assert.equal(patched.label, null);
  assert.equal(patched.sku, 'bolt');
  await apiError(api.dataTableRow.patch({ ...ids, rowId: one.id, dataTableRow: { qty: null } }), 400, 'Validation');
  assert.deepEqual(await api.dataTableRow.delete({ ...ids, rowId: one.id }), { success: true });
  await apiError(api.dataTableRow.get({ ...ids, rowId: one.id }), 404, 'NotFound');

  assert.deepEqual(await api.dataTableRows.delete({ ...ids, query: { qty: { $lt: 5 } } }), { removed: 2 });
  assert.equal((await api.dataTableRows.get(ids)).totalCount, 1);
  const exp = await apiError(api.dataTableRows.export({ ...ids, exportData: { email: 'ops@example.com' } }), 400, 'Validation');
  assert.match(exp.message, /sends no email/);
  const receiver = await exportReceiver();
  try {
    const job = await api.dataTableRows.export({ ...ids, exportData: { callbackUrl: receiver.url, query: {} } });
    assert.equal(job.jobQueued, true);
    const done = await receiver.next();
    assert.equal(done.jobId, job.jobId);
    assert.equal(done.success, true);
    assert.equal(done.count, 1);
    const csv = await fetchCSV(done.url);
    assert.deepEqual(csv[0].slice(0, 3), ['id', 'createdAt', 'updatedAt']);
    assert.equal(csv.length, 2);
    assert.match(csv[1][0], hexID);
  } finally {
    await receiver.close();
  }
  assert.deepEqual(await api.dataTableRows.truncate(ids), { success: true });
  assert.equal((await api.dataTableRows.get(ids)).totalCount, 0);
});

test('a virtual button inserts a row and queries it back; the dataTable trigger hears the insert', async () => {
  const app = await createApp(api);
  const t = await newTable(app.id);
  const { key, ids } = await createFlow(api, app.id, {
    triggers: [button(['ins'])],
    nodes: [
      node('ins', 'DataTableInsertRowNode', {
        dataTableIdTemplate: t.id, dataMethod: 'individualFields',
        rowFields: [{ columnTemplate: 'sku', valueTemplate: '{{data.sku}}' }, { columnTemplate: 'qty', valueTemplate: '{{data.qty}}' }],
        resultPath: 'working.inserted',
      }, [['get']]),
      node('get', 'DataTableQueryNode', {
        dataTableIdTemplate: t.id, queryTemplate: '{"sku": "{{data.sku}}"}', resultPath: 'working.found',
      }, [['keep']]),
      node('keep', 'StoreValueNode', { keyName: 'found', valueType: 'path', value: 'working.found.items.[0]' }, []),
    ],
  });
  const watcher = await createFlow(api, app.id, {
    triggers: [{ type: 'dataTable', key: t.id, config: { insert: true }, meta: { label: 'rows' }, outputIds: [['seen']] }],
    nodes: [node('seen', 'StoreValueNode', { keyName: 'seen', valueType: 'path', value: 'data' }, [])],
  });

  await api.flow.pressVirtualButton({ ...ids, button: { key, payload: { sku: 'gear', qty: '4' } } });
  const found = await eventually(async () => (await api.flow.getStorageEntries(ids)).found, { what: 'the flow stored the row it found' });
  assert.equal(found.sku, 'gear');
  assert.equal(found.qty, 4, 'text from a template converts to the number column');
  const rows = await api.dataTableRows.query({ applicationId: app.id, dataTableId: t.id, query: { sku: 'gear' } });
  assert.equal(rows.items[0].id, found.id);

  const seen = await eventually(async () => (await api.flow.getStorageEntries(watcher.ids)).seen, { what: 'the dataTable trigger ran' });
  assert.equal(seen.action, 'insert');
  assert.equal(seen.newRow.id, found.id);
});
