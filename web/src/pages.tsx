import { useCallback, useEffect, useRef, useState } from 'react';
import { CORE_SCHEMA, load } from 'js-yaml';
import { api, appPath, flowPath, type Application, type Flow, type List } from './api';
import { download, exportable, fileName } from './doc';
import { Endpoints, Tokens, Webhooks } from './resources';
import { Devices } from './devices';
import { DevicePage } from './device';
import { Tables } from './tables';
import { TablePage } from './table';
import { Events } from './events';
import { EventPage } from './event';
import { Users } from './users';
import { Groups } from './groups';
import { Views } from './views';

/** Shows an error answer or a failure under a page's heading. */
export function ErrorLine({ error }: { error: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

const message = (err: unknown) => (err as Error).message;

/** A name shown as text, or as a field while it is renamed. */
function Rename({ name, onRename }: { name: string; onRename: (n: string) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  if (!editing) {
    return (
      <button type="button" className="link rename" onClick={() => (setValue(name), setEditing(true))}>
        Rename
      </button>
    );
  }
  return (
    <form
      className="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        await onRename(value.trim());
        setEditing(false);
      }}
    >
      <input aria-label="New name" className="rename-input" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
      <button type="submit">Save name</button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}

/** A delete button that asks once more before it deletes. */
export function Delete({ what, onDelete }: { what: string; onDelete: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger delete" onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  }
  return (
    <span className="confirm">
      Delete {what}?{' '}
      <button type="button" className="danger confirm-delete" onClick={() => onDelete().finally(() => setAsking(false))}>
        Yes, delete
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

const matches = (q: string, ...texts: (string | undefined)[]) =>
  q === '' || texts.some((t) => (t ?? '').toLowerCase().includes(q.toLowerCase()));

export function Applications() {
  const [apps, setApps] = useState<Application[] | null>(null);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const load = useCallback(async () => {
    try {
      const list = await api<List<Application>>('GET', '/applications?perPage=1000&sortField=name');
      setApps(list.items);
      setError('');
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <main className="page">
      <h1>Applications</h1>
      <ErrorLine error={error} />
      <form
        className="create"
        aria-label="New application"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            const app = await api<Application>('POST', '/applications', { name: name.trim(), description });
            setName('');
            setDescription('');
            location.hash = `#/applications/${app.id}`;
          });
        }}
      >
        <input id="new-app-name" placeholder="New application name" value={name} onChange={(e) => setName(e.target.value)} />
        <input id="new-app-description" placeholder="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} />
        <button type="submit" id="create-app" disabled={name.trim() === ''}>
          Create application
        </button>
      </form>
      <input type="search" className="search" id="search" placeholder="Search applications" value={query} onChange={(e) => setQuery(e.target.value)} />
      {apps === null ? (
        <p>Loading…</p>
      ) : apps.length === 0 ? (
        <p className="empty">No applications yet. Create one above.</p>
      ) : (
        <table className="list" id="applications">
          <tbody>
            {apps
              .filter((a) => matches(query, a.name, a.description, a.id))
              .map((a) => (
                <tr key={a.id} data-id={a.id}>
                  <td>
                    <a href={`#/applications/${a.id}`} className="name">
                      {a.name}
                    </a>
                    <div className="sub">{a.description}</div>
                  </td>
                  <td className="actions">
                    <Rename name={a.name} onRename={(n) => act(() => api('PATCH', appPath(a.id), { name: n }))} />
                    <Delete what={`application ${a.name} and all its flows`} onDelete={() => act(() => api('DELETE', appPath(a.id)))} />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/**
 * Reads an export file: Losant's workflow export (one flow, {flows: […]}
 * or a list) in JSON, or a template library file ({resourceType: Flow,
 * resources: […]}) in YAML or JSON.
 */
/**
 * Gives flows whose id is a template placeholder ("~exportplaceholderid-
 * flow-…~") a stand-in id, the same everywhere the file names it, so the
 * import, which gives every flow a new id, rewrites references to it too.
 */
function withFlowIDs(body: { flows: any[] }): { flows: any[] } {
  const ids = new Map<string, string>();
  for (const f of body.flows) {
    if (typeof f?.id === 'string' && !/^[0-9a-f]{24}$/.test(f.id)) {
      const a = new Uint8Array(12);
      crypto.getRandomValues(a);
      ids.set(f.id, Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(''));
    }
  }
  if (ids.size === 0) return body;
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'string' && ids.has(v) ? ids.get(v) : v));
  return JSON.parse(text);
}

export function importBody(text: string): { flows: any[] } {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = load(text, { schema: CORE_SCHEMA }); // no timestamps or binaries: JSON's values only
    } catch {
      throw new Error('The file is neither JSON nor YAML. Import takes Losant workflow export and template files.');
    }
  }
  if (doc && (doc.resourceType !== undefined || doc.resources !== undefined)) {
    if (doc.resourceType !== 'Flow' || !Array.isArray(doc.resources)) {
      throw new Error(`The file holds ${doc.resourceType ?? 'unknown'} resources; import takes workflows (resourceType Flow).`);
    }
    return withFlowIDs({ flows: doc.resources });
  }
  if (Array.isArray(doc)) return withFlowIDs({ flows: doc });
  if (doc && Array.isArray(doc.flows)) return withFlowIDs(doc);
  if (doc && (doc.nodes || doc.triggers || doc.name)) return withFlowIDs({ flows: [doc] });
  throw new Error('The file holds no workflow: expected a flow, an object with a flows list, or a Flow template.');
}

/** The classes of flows the flow list shows, one at a time (flows.get's flowClass). */
const flowClasses = [
  ['cloud', 'Application flows'],
  ['customNode', 'Custom nodes'],
  ['experience', 'Experience flows'],
  ['edge', 'Edge flows'],
  ['embedded', 'Embedded flows'],
] as const;

const appTabs = [
  ['flows', 'Flows'],
  ['webhooks', 'Webhooks'],
  ['endpoints', 'Experience endpoints'],
  ['tokens', 'API tokens'],
  ['devices', 'Devices'],
  ['tables', 'Data tables'],
  ['events', 'Events'],
  ['users', 'Experience users'],
  ['groups', 'Experience groups'],
  ['views', 'Experience views'],
] as const;

export type AppTab = (typeof appTabs)[number][0];

/** The tabs of an application's page, for the router. */
export const appTabNames: readonly string[] = appTabs.map(([k]) => k);

/**
 * An application's page: its flows, webhooks, experience endpoints, tokens,
 * devices, data tables or events; item is a device's, table's or event's id
 * on their tabs.
 */
export function Flows({ appId, tab = 'flows', item }: { appId: string; tab?: AppTab; item?: string }) {
  const [app, setApp] = useState<Application | null>(null);
  const [flows, setFlows] = useState<Flow[] | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [query, setQuery] = useState('');
  const [flowClass, setFlowClass] = useState('cloud'); // the list shows one class of flows, as the API does
  const [name, setName] = useState('');
  const [dropping, setDropping] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const load = useCallback(async () => {
    try {
      const [a, list] = await Promise.all([
        api<Application>('GET', appPath(appId)),
        api<List<Flow>>('GET', `${appPath(appId)}/flows?perPage=1000&sortField=name&flowClass=${flowClass}`),
      ]);
      setApp(a);
      setFlows(list.items);
      setError('');
    } catch (err) {
      setError(message(err));
    }
  }, [appId, flowClass]);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  const importFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setNotice('');
    await act(async () => {
      let n = 0;
      for (const file of Array.from(files)) {
        const body = importBody(await file.text());
        const res = await api<{ flows: Flow[] }>('POST', `${appPath(appId)}/flows/import`, body);
        n += res.flows.length;
      }
      setNotice(`Imported ${n} flow${n === 1 ? '' : 's'} (disabled until you enable them).`);
    });
  };
  const exportAll = async () => {
    try {
      const list = await api<List<Flow>>('GET', `${appPath(appId)}/flows?perPage=1000&sortField=name`);
      download(fileName(app?.name ?? 'flows') , { flows: list.items.map(exportable), flowVersions: [] });
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <main
      className={'page' + (dropping ? ' dropping' : '')}
      onDragOver={(e) => {
        if (tab === 'flows' && e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        if (tab !== 'flows' || !e.dataTransfer.files.length) return;
        e.preventDefault();
        setDropping(false);
        importFiles(e.dataTransfer.files);
      }}
    >
      <nav className="crumbs">
        <a href="#/">Applications</a> / <span id="app-name">{app?.name ?? '…'}</span>
      </nav>
      <nav className="tabs app-tabs">
        {appTabs.map(([k, label]) => (
          <a key={k} id={'apptab-' + k} className={tab === k ? 'on' : ''} href={`#/applications/${appId}${k === 'flows' ? '' : '/' + k}`}>
            {label}
          </a>
        ))}
      </nav>
      <ErrorLine error={error} />
      {tab === 'webhooks' && <Webhooks appId={appId} />}
      {tab === 'endpoints' && <Endpoints appId={appId} />}
      {tab === 'tokens' && <Tokens appId={appId} />}
      {tab === 'devices' && (item ? <DevicePage key={item} appId={appId} deviceId={item} /> : <Devices appId={appId} />)}
      {tab === 'tables' && (item ? <TablePage key={item} appId={appId} tableId={item} /> : <Tables appId={appId} />)}
      {tab === 'events' && (item ? <EventPage key={item} appId={appId} eventId={item} /> : <Events appId={appId} />)}
      {tab === 'users' && <Users appId={appId} />}
      {tab === 'groups' && <Groups appId={appId} />}
      {tab === 'views' && <Views appId={appId} />}
      {tab === 'flows' && (
        <>
      {notice && (
        <p className="notice" role="status" id="notice">
          {notice}
        </p>
      )}
      <form
        className="create"
        aria-label="New flow"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            const f = await api<Flow>('POST', `${appPath(appId)}/flows`, { name: name.trim(), triggers: [], nodes: [] });
            setName('');
            location.hash = `#/applications/${appId}/flows/${f.id}`;
          });
        }}
      >
        <input id="new-flow-name" placeholder="New flow name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" id="create-flow" disabled={name.trim() === ''}>
          Create flow
        </button>
        <span className="spacer" />
        <button type="button" id="import" onClick={() => fileInput.current?.click()}>
          Import…
        </button>
        <input ref={fileInput} id="import-file" type="file" accept=".json,.yaml,.yml,application/json" multiple hidden onChange={(e) => (importFiles(e.target.files), (e.target.value = ''))} />
        <button type="button" id="export-all" onClick={exportAll} disabled={!flows?.length}>
          Export all
        </button>
      </form>
      <p className="hint">Drop Losant workflow export files (.json) or template files (.yaml) anywhere on this page to import them.</p>
      <div className="create">
        <input type="search" className="search" id="search" placeholder="Search flows" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select id="flow-class" aria-label="Class of flows" value={flowClass} onChange={(e) => setFlowClass(e.target.value)}>
          {flowClasses.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {flows === null ? (
        <p>Loading…</p>
      ) : flows.length === 0 ? (
        <p className="empty">No flows yet. Create one, or import an export file.</p>
      ) : (
        <table className="list" id="flows">
          <tbody>
            {flows
              .filter((f) => matches(query, f.name, f.description, f.id))
              .map((f) => (
                <tr key={f.id} data-id={f.id}>
                  <td>
                    <a href={`#/applications/${appId}/flows/${f.id}`} className="name">
                      {f.name}
                    </a>
                    <div className="sub">
                      {f.flowClass !== 'cloud' ? f.flowClass + ' · ' : ''}
                      {f.nodes?.length ?? 0} nodes · {f.triggers?.length ?? 0} triggers
                    </div>
                  </td>
                  <td>
                    <label className="toggle">
                      <input
                        type="checkbox"
                        className="enabled"
                        checked={f.enabled}
                        onChange={(e) => {
                          const enabled = e.target.checked;
                          setFlows((fs) => fs && fs.map((x) => (x.id === f.id ? { ...x, enabled } : x)));
                          act(() => api('PATCH', flowPath(appId, f.id), { enabled }));
                        }}
                      />{' '}
                      Enabled
                    </label>
                  </td>
                  <td className="actions">
                    <button type="button" className="link export" onClick={() => download(fileName(f.name), exportable(f))}>
                      Export
                    </button>
                    <Rename name={f.name} onRename={(n) => act(() => api('PATCH', flowPath(appId, f.id), { name: n }))} />
                    <Delete what={`flow ${f.name}`} onDelete={() => act(() => api('DELETE', flowPath(appId, f.id)))} />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
        </>
      )}
    </main>
  );
}
