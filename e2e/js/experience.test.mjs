// Experience users and groups through losant-rest, and a sign-in through an
// experience endpoint whose token opens a group endpoint.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, env, hexID, isoTime, node, unique } from './helpers.mjs';

const api = client();

test('experienceUsers and experienceUser: post, get with filters, patch, delete; passwords never answered', async () => {
  const app = await createApp(api);
  const group = await api.experienceGroups.post({ applicationId: app.id, experienceGroup: { name: 'Staff' } });
  const ann = await api.experienceUsers.post({ applicationId: app.id, experienceUser: {
    email: 'Ann@Example.com', password: 'correct horse', firstName: 'Ann', userTags: { plan: 'gold' },
    experienceGroupIds: [group.id] } });
  assert.match(ann.id, hexID);
  assert.equal(ann.email, 'ann@example.com');
  assert.equal(ann.password, undefined, 'the password is never answered');
  assert.match(ann.creationDate, isoTime);
  assert.deepEqual(ann.experienceGroups.map((g) => g.name), ['Staff']);
  await api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'bob@example.com', password: 'battery staple' } });

  const inGroup = await api.experienceUsers.get({ applicationId: app.id, experienceGroupId: group.id });
  assert.deepEqual(inGroup.items.map((u) => u.email), ['ann@example.com']);
  const none = await api.experienceUsers.get({ applicationId: app.id, experienceGroupId: 'none' });
  assert.deepEqual(none.items.map((u) => u.email), ['bob@example.com']);
  const filtered = await api.experienceUsers.get({ applicationId: app.id, filterField: 'firstName', filter: 'a*n' });
  assert.equal(filtered.totalCount, 1);
  const paged = await api.experienceUsers.get({ applicationId: app.id, perPage: 1, page: 1, sortDirection: 'desc' });
  assert.deepEqual([paged.totalCount, paged.items[0].email], [2, 'ann@example.com']);

  const patched = await api.experienceUser.patch({ applicationId: app.id, experienceUserId: ann.id,
    experienceUser: { lastName: 'Lee', password: 'new password', experienceGroupIds: [] } });
  assert.equal(patched.lastName, 'Lee');
  assert.deepEqual(patched.experienceGroups, []);
  assert.match(patched.passwordLastUpdated, isoTime);
  assert.equal((await api.experienceUser.get({ applicationId: app.id, experienceUserId: ann.id })).lastName, 'Lee');

  await apiError(api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'ann@example.com', password: 'x1234567' } }),
    400, 'Validation', 'a taken email');
  await apiError(api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'cy@example.com', password: 'short' } }),
    400, 'Validation', 'a short password');
  await apiError(api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'cy@example.com', password: 'x1234567',
    experienceGroupIds: ['000000000000000000000000'] } }), 400, 'Validation', 'an unknown group');
  const other = await createApp(api);
  await apiError(api.experienceUser.get({ applicationId: other.id, experienceUserId: ann.id }), 404, 'NotFound', 'another application');

  await api.experienceUser.delete({ applicationId: app.id, experienceUserId: ann.id });
  await apiError(api.experienceUser.get({ applicationId: app.id, experienceUserId: ann.id }), 404, 'NotFound');
});

test('experienceGroups and experienceGroup: a tree with members and devices', async () => {
  const app = await createApp(api);
  const user = await api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'u@example.com', password: 'password1' } });
  const top = await api.experienceGroups.post({ applicationId: app.id, experienceGroup: {
    name: 'Customers', experienceUserIds: [user.id], groupTags: { tier: 'top' } } });
  const site = await api.experienceGroups.post({ applicationId: app.id, experienceGroup: {
    name: 'North site', parentId: top.id, deviceTags: [{ key: 'site', value: 'north' }] } });
  assert.equal(site.parentId, top.id);
  assert.deepEqual(site.ancestorIds, [top.id]);
  assert.deepEqual(top.experienceUserIds, [user.id]);
  await api.devices.post({ applicationId: app.id, device: { name: 'pump', tags: [{ key: 'site', value: 'north' }],
    attributes: [{ name: 'temp', dataType: 'number' }] } });
  const counted = await api.experienceGroup.get({ applicationId: app.id, experienceGroupId: top.id,
    includeDirectDeviceCount: true, includeTotalDeviceCount: true });
  assert.deepEqual([counted.directDeviceCount, counted.totalDeviceCount], [0, 1]);
  const seen = await api.devices.get({ applicationId: app.id, query: { experienceUserId: user.id } });
  assert.deepEqual(seen.items.map((d) => d.name), ['pump'], 'the device the user may see through the group tree');
  const unseen = await api.devices.get({ applicationId: app.id, query: { experienceGroupId: { $ne: site.id } } });
  assert.equal(unseen.totalCount, 0);

  const list = await api.experienceGroups.get({ applicationId: app.id, sortField: 'name' });
  assert.deepEqual(list.items.map((g) => g.name), ['Customers', 'North site']);
  await apiError(api.experienceGroup.patch({ applicationId: app.id, experienceGroupId: top.id,
    experienceGroup: { parentId: site.id } }), 400, 'Validation', 'a cycle');
  const renamed = await api.experienceGroup.patch({ applicationId: app.id, experienceGroupId: site.id,
    experienceGroup: { name: 'North', parentId: null } });
  assert.equal(renamed.parentId, null);
  await apiError(api.experienceGroups.post({ applicationId: app.id, experienceGroup: { name: '' } }), 400, 'Validation');
  await api.experienceGroup.delete({ applicationId: app.id, experienceGroupId: top.id });
  assert.deepEqual((await api.experienceUser.get({ applicationId: app.id, experienceUserId: user.id })).experienceGroups, []);
  await apiError(api.experienceGroup.get({ applicationId: app.id, experienceGroupId: top.id }), 404, 'NotFound');
});

test('an Authenticate flow signs a user in; the token opens a group endpoint for members only', async () => {
  const app = await createApp(api);
  const staff = await api.experienceGroups.post({ applicationId: app.id, experienceGroup: { name: 'Staff' } });
  await api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'ann@example.com', password: 'correct horse',
    experienceGroupIds: [staff.id] } });
  await api.experienceUsers.post({ applicationId: app.id, experienceUser: { email: 'bob@example.com', password: 'battery staple' } });
  const reply = (body, code = '200') => ({ replyIdPath: '', replyType: 'custom', responseCodeTemplate: code, bodyTemplateType: 'json',
    bodyTemplate: body, headerInfo: [], cookieInfo: [], mqttTopicsTemplate: [], sameSiteTemplate: '' });

  const login = await api.experienceEndpoints.post({ applicationId: app.id,
    experienceEndpoint: { route: '/login', method: 'post', access: 'public' } });
  const auth = node('auth', 'ExperienceUserAuthNode', { emailTemplate: '{{data.body.email}}', passwordTemplate: '{{data.body.password}}',
    tokenResultPath: 'working.token', userResultPath: '', ttlTemplate: '600000' }, [['no'], ['yes']]);
  auth.meta.authMode = 'emailPassword';
  await api.flows.post({ applicationId: app.id, flow: { name: unique('login'),
    triggers: [{ type: 'endpoint', key: login.id, config: {}, outputIds: [['auth']] }],
    nodes: [auth, node('yes', 'EndpointReplyNode', reply('{"token": "{{working.token}}"}')),
      node('no', 'EndpointReplyNode', reply('{"error": "no"}', '401'))] } });

  const staffOnly = await api.experienceEndpoints.post({ applicationId: app.id,
    experienceEndpoint: { route: '/staff', method: 'get', access: 'group', experienceGroupIds: [staff.id] } });
  assert.deepEqual(staffOnly.experienceGroupIds, [staff.id]);
  await apiError(api.experienceEndpoints.post({ applicationId: app.id, experienceEndpoint: { route: '/nobody', method: 'get',
    access: 'group', experienceGroupIds: ['000000000000000000000000'] } }), 400, 'Validation', 'an unknown group');
  await api.flows.post({ applicationId: app.id, flow: { name: unique('staff'),
    triggers: [{ type: 'endpoint', key: staffOnly.id, config: {}, outputIds: [['me']] }],
    nodes: [node('me', 'EndpointReplyNode', reply('{"email": "{{experience.user.email}}"}'))] } });

  const base = `${env('WEIR_URL')}/experience/${app.id}`;
  const signIn = async (email, password) => {
    const res = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }) });
    return [res.status, await res.json()];
  };
  const [status, body] = await signIn('ann@example.com', 'correct horse');
  assert.equal(status, 200);
  assert.ok(body.token, 'a token');
  assert.equal((await signIn('ann@example.com', 'wrong horse'))[0], 401);
  const bob = (await signIn('bob@example.com', 'battery staple'))[1].token;

  const me = await fetch(`${base}/staff`, { headers: { authorization: `Bearer ${body.token}` } });
  assert.deepEqual([me.status, await me.json()], [200, { email: 'ann@example.com' }]);
  const refused = await fetch(`${base}/staff`, { headers: { authorization: `Bearer ${bob}` } });
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).type, 'Unauthorized');
});
