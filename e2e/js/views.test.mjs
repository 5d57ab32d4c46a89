// Experience views, the develop experience version and application files
// through losant-rest, and an experience page that renders them: a layout,
// a page and a component, an endpoint whose flow replies with the page, and
// a CSS file the layout references.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apiError, client, createApp, createFlow, env, eventually, hexID, isoTime, node } from './helpers.mjs';

const api = client();

test('experienceViews.post/get, experienceView.get/patch/delete, experienceVersions', async () => {
  const app = await createApp(api);
  const applicationId = app.id;
  const layout = await api.experienceViews.post({ applicationId,
    experienceView: { name: 'main', viewType: 'layout', body: '<main>{{page}}</main>' } });
  assert.match(layout.id, hexID);
  assert.equal(layout.experienceViewId, layout.id);
  assert.match(layout.creationDate, isoTime);
  const page = await api.experienceViews.post({ applicationId, experienceView: {
    name: 'home', viewType: 'page', body: '<p>{{pageData.x}}</p>', layoutId: layout.id,
    viewTags: { title: 'Home' }, description: 'the home page' } });
  assert.equal(page.layoutId, layout.id);
  assert.deepEqual(page.viewTags, { title: 'Home' });

  const pages = await api.experienceViews.get({ applicationId, viewType: 'page' });
  assert.equal(pages.totalCount, 1);
  assert.equal(pages.items[0].id, page.id);
  assert.equal((await api.experienceViews.get({ applicationId })).totalCount, 2);
  await apiError(api.experienceViews.get({ applicationId, version: 'v1' }), 404, 'NotFound', 'a version weir does not keep');

  const patched = await api.experienceView.patch({ applicationId, experienceViewId: page.id,
    experienceView: { body: '<p>{{pageData.y}}</p>', layoutId: null } });
  assert.equal(patched.body, '<p>{{pageData.y}}</p>');
  assert.equal(patched.layoutId, null);
  assert.equal((await api.experienceView.get({ applicationId, experienceViewId: page.id })).viewType, 'page');

  await apiError(api.experienceViews.post({ applicationId, experienceView: { name: 'home', viewType: 'page', body: 'x' } }),
    400, 'Validation', 'a second page named home');
  await apiError(api.experienceViews.post({ applicationId, experienceView: { name: 'x', viewType: 'widget', body: 'x' } }),
    400, 'Validation', 'an unknown view type');
  await apiError(api.experienceViews.post({ applicationId, experienceView: { name: 'x', viewType: 'page', body: '' } }),
    400, 'Validation', 'an empty body');
  const other = await createApp(api);
  await apiError(api.experienceView.get({ applicationId: other.id, experienceViewId: page.id }), 404, 'NotFound',
    'another application reads the view');
  await apiError(api.experienceViews.post({ applicationId: other.id,
    experienceView: { name: 'p', viewType: 'page', body: 'x', layoutId: layout.id } }), 400, 'Validation',
  'a layout of another application');

  await api.experienceView.delete({ applicationId, experienceViewId: layout.id });
  await apiError(api.experienceView.get({ applicationId, experienceViewId: layout.id }), 404, 'NotFound');

  const versions = await api.experienceVersions.get({ applicationId });
  assert.deepEqual(versions.items.map((v) => v.version), ['develop']);
  assert.equal((await api.experienceVersion.get({ applicationId, experienceVersionIdOrName: 'develop' })).version, 'develop');
  await apiError(api.experienceVersions.post({ applicationId, experienceVersion: { version: 'v2' } }), 400, 'Validation');
});

test('files.post, file.upload, files.get, file.get/delete and the file served to browsers', async () => {
  const app = await createApp(api);
  const applicationId = app.id;
  const created = await api.files.post({ applicationId,
    file: { name: 'site.css', parentDirectory: '/css/', type: 'file', contentType: 'text/css', fileSize: 18 } });
  assert.equal(created.status, 'pending');
  assert.equal(created.parentDirectory, '/css/');
  assert.ok(created.upload && created.upload.url.endsWith(`/file-uploads/${applicationId}/${created.id}`), 'where the content goes');
  const uploaded = await api.file.upload({ applicationId, fileId: created.id, file: Buffer.from('body{color:red}\n') });
  assert.equal(uploaded.status, 'completed');
  assert.equal(uploaded.fileSize, 16);
  assert.equal(uploaded.url, `/files/${applicationId}/css/site.css`);

  const res = await fetch(env('WEIR_URL') + uploaded.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/css');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(await res.text(), 'body{color:red}\n');

  const html = await api.files.post({ applicationId, file: { name: 'evil.html', type: 'file' } });
  await api.file.upload({ applicationId, fileId: html.id, file: Buffer.from('<script>alert(1)</script>') });
  const evil = await fetch(`${env('WEIR_URL')}/files/${applicationId}/evil.html`);
  assert.match(evil.headers.get('content-type'), /^text\/html/);
  assert.match(evil.headers.get('content-disposition'), /^attachment/, 'HTML is downloaded, not rendered');
  assert.match(evil.headers.get('content-security-policy'), /sandbox/);

  const root = await api.files.get({ applicationId, directory: '/' });
  assert.deepEqual(root.items.map((f) => `${f.type} ${f.name}`).sort(), ['directory css', 'file evil.html']);
  assert.equal((await api.files.get({ applicationId, directory: '/css/' })).items[0].id, created.id);
  await apiError(api.files.post({ applicationId, file: { name: '..', type: 'file' } }), 400, 'Validation', 'a name of ..');
  await apiError(api.files.post({ applicationId, file: { name: 'x', parentDirectory: '/a/../b', type: 'file' } }),
    400, 'Validation', 'a directory with ..');
  await apiError(api.files.post({ applicationId, file: { name: 'big', type: 'file', fileSize: 1e12 } }),
    413, 'PayloadTooLarge', 'a file over the size limit');
  assert.equal((await fetch(`${env('WEIR_URL')}/files/${applicationId}/css%2F..%2Fevil.html`)).status, 404, 'an encoded .. is refused');

  const css = root.items.find((f) => f.name === 'css');
  await api.file.delete({ applicationId, fileId: css.id });
  await apiError(api.file.get({ applicationId, fileId: created.id }), 404, 'NotFound', 'a file of a deleted directory');
  assert.equal((await fetch(env('WEIR_URL') + uploaded.url)).status, 404);
});

test('files.post answers a signed post a browser uploads to without a token, as to S3', async () => {
  const app = await createApp(api);
  const created = await api.files.post({ applicationId: app.id, file: { name: 'logo.txt', type: 'file' } });
  const form = new FormData();
  for (const [k, v] of Object.entries(created.upload.fields)) {
    form.append(k, v);
  }
  form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'logo.txt');
  const res = await fetch(created.upload.url, { method: 'POST', body: form });
  assert.equal(res.status, 204);
  const file = await api.file.get({ applicationId: app.id, fileId: created.id });
  assert.equal(file.status, 'completed');
  assert.equal(await (await fetch(env('WEIR_URL') + file.url)).text(), 'hello');

  form.set('signature', '0'.repeat(64));
  assert.equal((await fetch(created.upload.url, { method: 'POST', body: form })).status, 403, 'a forged signature');
});

test('an endpoint whose flow replies with a page renders it in its layout, with its component and file', async () => {
  const { applicationId } = await experiencePage(api);
  const res = await eventually(async () => {
    const r = await fetch(`${env('WEIR_URL')}/experience/${applicationId}/hello/Ann`);
    return r.status === 200 ? r : undefined;
  }, { what: 'the page answers' });
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const html = await res.text();
  assert.match(html, /<title>Hello page<\/title>/);
  assert.match(html, new RegExp(`<link rel="stylesheet" href="/files/${applicationId}/site.css">`));
  assert.match(html, /<h1 id="greeting">Hello, &lt;b&gt;Ann&lt;\/b&gt;<\/h1>/, 'page data is escaped');
  assert.match(html, /<footer class="badge">\/hello\/Ann<\/footer>/);
});

test('experienceVersion.patch keeps globals and unauthorizedReply; pages see them, refused visitors are redirected', async () => {
  const { applicationId } = await experiencePage(api);
  await api.application.patch({ applicationId, application: { globals: [{ key: 'site', json: '"application"' }, { key: 'owner', json: '"application"' }] } });
  const patched = await api.experienceVersion.patch({ applicationId, experienceVersionIdOrName: 'develop', experienceVersion: {
    globals: [{ key: 'site', json: '"version"' }],
    unauthorizedReply: { type: 'redirect', value: '/sign-in?to={{encodeURIComponent request.path}}' } } });
  assert.deepEqual(patched.globals, [{ key: 'site', json: '"version"' }]);
  assert.deepEqual(patched.unauthorizedReply, { type: 'redirect', value: '/sign-in?to={{encodeURIComponent request.path}}' });
  await apiError(api.experienceVersion.patch({ applicationId, experienceVersionIdOrName: 'develop',
    experienceVersion: { globals: [{ key: 'bad key', json: '1' }] } }), 400, 'Validation', 'a global key with a space');
  await apiError(api.experienceVersion.patch({ applicationId, experienceVersionIdOrName: 'develop',
    experienceVersion: { unauthorizedReply: { type: 'page', value: 'x' } } }), 400, 'Validation', 'an unauthorized reply that is no redirect');
  const listed = await api.experienceVersions.get({ applicationId });
  assert.deepEqual(listed.items[0].globals, [{ key: 'site', json: '"version"' }], 'the refused patches changed nothing');

  const badge = (await api.experienceViews.get({ applicationId, viewType: 'component' })).items[0];
  await api.experienceView.patch({ applicationId, experienceViewId: badge.id,
    experienceView: { body: '<footer class="badge">{{globals.site}} {{globals.owner}}</footer>' } });
  const html = await eventually(async () => {
    const r = await fetch(`${env('WEIR_URL')}/experience/${applicationId}/hello/Ann`);
    const text = r.status === 200 ? await r.text() : '';
    return text.includes('<footer class="badge">version application</footer>') ? text : undefined;
  }, { what: 'the page with the version\'s global over the application\'s' });
  assert.match(html, /Hello, &lt;b&gt;Ann&lt;\/b&gt;/);

  await api.experienceEndpoints.post({ applicationId,
    experienceEndpoint: { route: '/private', method: 'get', access: 'authenticated', enabled: true } });
  const res = await fetch(`${env('WEIR_URL')}/experience/${applicationId}/private`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/sign-in?to=%2Fprivate', 'the version\'s unauthorized reply');
});

/**
 * Creates, through the client, an application whose GET /hello/{name}
 * endpoint replies with a page: layout + page + component and a CSS file.
 * Returns the application id.
 */
async function experiencePage(api) {
  const app = await createApp(api);
  const applicationId = app.id;
  const file = await api.files.post({ applicationId, file: { name: 'site.css', type: 'file', contentType: 'text/css' } });
  await api.file.upload({ applicationId, fileId: file.id, file: Buffer.from('#greeting { color: rgb(255, 0, 0); }\n') });
  const layout = await api.experienceViews.post({ applicationId, experienceView: { name: 'main', viewType: 'layout',
    body: '<!doctype html><html><head>{{#section "title"}}<title>weir</title>{{/section}}' +
      '<link rel="stylesheet" href="{{file \'site.css\'}}"></head><body>{{page}}{{component "badge" path=request.path}}</body></html>' } });
  await api.experienceViews.post({ applicationId, experienceView: { name: 'badge', viewType: 'component',
    body: '<footer class="badge">{{@args.path}}</footer>' } });
  const page = await api.experienceViews.post({ applicationId, experienceView: { name: 'hello', viewType: 'page',
    layoutId: layout.id, viewTags: { title: 'Hello page' },
    body: '{{#fillSection "title"}}<title>{{experience.page.viewTags.title}}</title>{{/fillSection}}' +
      '<h1 id="greeting">Hello, {{pageData.name}}</h1>' } });
  const ep = await api.experienceEndpoints.post({ applicationId,
    experienceEndpoint: { route: '/hello/{name}', method: 'get', access: 'public', enabled: true } });
  await createFlow(api, applicationId, {
    triggers: [{ type: 'endpoint', key: ep.id, config: {}, meta: { label: 'GET /hello' }, outputIds: [['reply']] }],
    nodes: [
      node('reply', 'EndpointReplyNode', { replyType: 'page', bodyTemplateType: 'json',
        bodyTemplate: '{"name": "<b>{{data.params.name}}</b>"}', pageIdTemplate: page.id, responseCodeTemplate: '200' }),
    ],
  });
  return { applicationId };
}
