import { useCallback, useEffect, useState } from 'react';
import { api, appPath, type List } from './api';
import { Delete, ErrorLine } from './pages';
import { GroupPicker, groupsPath, type ExperienceGroup } from './groups';

/**
 * Loads a list resource of an application (query: more of the list's query
 * string) and runs changes that reload it.
 */
export function useList<T>(path: string, sortField: string, query = '') {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setItems((await api<List<T>>('GET', `${path}?perPage=1000&sortField=${sortField}${query}`)).items);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path, sortField, query]);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  };
  return { items, error, act, load };
}

interface Webhook {
  id: string;
  name: string;
  token: string;
  waitForReply?: boolean;
}

export function Webhooks({ appId }: { appId: string }) {
  const path = `${appPath(appId)}/webhooks`;
  const { items, error, act } = useList<Webhook>(path, 'name');
  const [name, setName] = useState('');
  const [wait, setWait] = useState(false);
  return (
    <section id="webhooks">
      <ErrorLine error={error} />
      <form
        className="create"
        onSubmit={(e) => {
          e.preventDefault();
          act(() => api('POST', path, { name: name.trim(), waitForReply: wait })).then((ok) => ok && (setName(''), setWait(false)));
        }}
      >
        <input id="new-webhook-name" placeholder="New webhook name" value={name} onChange={(e) => setName(e.target.value)} />
        <label className="toggle">
          <input type="checkbox" id="new-webhook-wait" checked={wait} onChange={(e) => setWait(e.target.checked)} /> Waits for a Webhook Reply node
        </label>
        <button type="submit" id="create-webhook" disabled={name.trim() === ''}>
          Create webhook
        </button>
      </form>
      <p className="hint">A flow's Webhook trigger names the webhook by its id.</p>
      <table className="list">
        <tbody>
          {items?.map((w) => (
            <tr key={w.id} data-id={w.id}>
              <td>
                <strong>{w.name}</strong>
                <div className="sub">id {w.id}</div>
              </td>
              <td>
                <code className="webhook-url">{`${location.origin}/webhooks/${w.token}`}</code>
              </td>
              <td>{w.waitForReply ? 'waits for a reply' : 'answers at once'}</td>
              <td className="actions">
                <Delete what={`webhook ${w.name}`} onDelete={() => act(() => api('DELETE', `${path}/${w.id}`)).then(() => {})} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items?.length === 0 && <p className="empty">No webhooks yet.</p>}
    </section>
  );
}

interface Endpoint {
  id: string;
  route: string;
  method: string;
  access: string;
  enabled: boolean;
  description?: string;
  experienceGroupIds?: string[];
}

/** Who may call an experience endpoint. */
function AccessSelect({ id, value, onChange }: { id?: string; value: string; onChange: (v: string) => void }) {
  return (
    <select id={id} className="access-select" aria-label="Access" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="public">public: anyone</option>
      <option value="authenticated">authenticated: any signed-in user</option>
      <option value="group">group: users of chosen groups</option>
    </select>
  );
}

export function Endpoints({ appId }: { appId: string }) {
  const path = `${appPath(appId)}/experience/endpoints`;
  const { items, error, act } = useList<Endpoint>(path, 'route');
  const [route, setRoute] = useState('');
  const [method, setMethod] = useState('get');
  const [access, setAccess] = useState('public');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const groups = useList<ExperienceGroup>(groupsPath(appId), 'name');
  return (
    <section id="endpoints">
      <ErrorLine error={error} />
      <form
        className="create"
        onSubmit={(e) => {
          e.preventDefault();
          const body = { route: route.trim(), method, access, enabled: true, ...(access === 'group' ? { experienceGroupIds: groupIds } : {}) };
          act(() => api('POST', path, body)).then((ok) => ok && (setRoute(''), setGroupIds([])));
        }}
      >
        <select id="new-endpoint-method" aria-label="Method" value={method} onChange={(e) => setMethod(e.target.value)}>
          {['get', 'post', 'put', 'patch', 'delete', 'options'].map((m) => (
            <option key={m} value={m}>
              {m.toUpperCase()}
            </option>
          ))}
        </select>
        <input id="new-endpoint-route" placeholder="Route, e.g. /devices/{id}" value={route} onChange={(e) => setRoute(e.target.value)} />
        <AccessSelect id="new-endpoint-access" value={access} onChange={setAccess} />
        <button type="submit" id="create-endpoint" disabled={route.trim() === ''}>
          Create endpoint
        </button>
        {access === 'group' && <GroupPicker id="new-endpoint-groups" groups={groups.items ?? []} value={groupIds} onChange={setGroupIds} />}
      </form>
      <p className="hint">
        Endpoints answer below <code>{`${location.origin}/experience/${appId}`}</code>; a flow's Endpoint trigger names one by its id.
      </p>
      <table className="list">
        <tbody>
          {items?.map((ep) => (
            <tr key={ep.id} data-id={ep.id}>
              <td>
                <strong>
                  {ep.method.toUpperCase()} {ep.route}
                </strong>
                <div className="sub">id {ep.id}</div>
              </td>
              <td className="access">
                <AccessSelect value={ep.access} onChange={(v) => act(() => api('PATCH', `${path}/${ep.id}`, { access: v }))} />
                {ep.access === 'group' && !ep.experienceGroupIds?.length && <div className="warn no-groups">No group chosen: nobody may call it.</div>}
                {ep.access === 'group' && (
                  <GroupPicker
                    id={`endpoint-groups-${ep.id}`}
                    groups={groups.items ?? []}
                    value={ep.experienceGroupIds ?? []}
                    onChange={(ids) => act(() => api('PATCH', `${path}/${ep.id}`, { experienceGroupIds: ids }))}
                  />
                )}
              </td>
              <td>
                <label className="toggle">
                  <input type="checkbox" className="enabled" checked={ep.enabled} onChange={(e) => act(() => api('PATCH', `${path}/${ep.id}`, { enabled: e.target.checked }))} /> Enabled
                </label>
              </td>
              <td className="actions">
                <Delete what={`endpoint ${ep.route}`} onDelete={() => act(() => api('DELETE', `${path}/${ep.id}`)).then(() => {})} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items?.length === 0 && <p className="empty">No experience endpoints yet.</p>}
    </section>
  );
}

interface Token {
  id: string;
  name: string;
  status: string;
  scope?: string[];
  expirationDate?: string;
  token?: string; // only in the answer that created it
}

export function Tokens({ appId }: { appId: string }) {
  const path = `${appPath(appId)}/tokens`;
  const { items, error, act } = useList<Token>(path, 'name');
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<Token | null>(null);
  return (
    <section id="tokens">
      <ErrorLine error={error} />
      <form
        className="create"
        onSubmit={(e) => {
          e.preventDefault();
          const body: any = { name: name.trim(), scope: ['all.Application'] };
          if (days.trim() !== '') body.expirationDate = new Date(Date.now() + Number(days) * 86400e3).toISOString();
          act(async () => setCreated(await api<Token>('POST', path, body))).then((ok) => ok && (setName(''), setDays('')));
        }}
      >
        <input id="new-token-name" placeholder="New token name" value={name} onChange={(e) => setName(e.target.value)} />
        <input id="new-token-days" placeholder="Expires after days (empty: never)" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        <button type="submit" id="create-token" disabled={name.trim() === '' || (days.trim() !== '' && !(Number(days) > 0))}>
          Create token
        </button>
      </form>
      {created?.token && (
        <div className="notice created-token" role="status">
          <p>
            Token <strong>{created.name}</strong> (scope all.Application), shown only now:
          </p>
          <textarea id="created-token" readOnly rows={3} value={created.token} />
          <p>
            Console link: <code id="created-token-link">{`${location.origin}/console/#token=${created.token}`}</code>
          </p>
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <table className="list">
        <tbody>
          {items?.map((tk) => (
            <tr key={tk.id} data-id={tk.id}>
              <td>
                <strong>{tk.name}</strong>
                <div className="sub">
                  {(tk.scope ?? []).join(', ')}
                  {tk.expirationDate ? ` · expires ${new Date(tk.expirationDate).toLocaleString()}` : ''}
                </div>
              </td>
              <td>
                <label className="toggle">
                  <input
                    type="checkbox"
                    className="active"
                    checked={tk.status === 'active'}
                    onChange={(e) => act(() => api('PATCH', `${path}/${tk.id}`, { status: e.target.checked ? 'active' : 'inactive' }))}
                  />{' '}
                  Active
                </label>
              </td>
              <td className="actions">
                <Delete what={`token ${tk.name}`} onDelete={() => act(() => api('DELETE', `${path}/${tk.id}`)).then(() => {})} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
