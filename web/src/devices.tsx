import { useCallback, useState } from 'react';
import { api, appPath, type List } from './api';
import { Delete, ErrorLine } from './pages';
import { Pager, ago, show, useRefresh } from './pager';
import { AttributesEditor, blankAttr, namedAttrs, parseTags, tagsText } from './attributes';

/** A device as the REST API answers it. */
export interface Device {
  id: string;
  name: string;
  description?: string;
  deviceClass: string;
  parentId?: string;
  tags: { key: string; value: string }[];
  attributes: { name: string; dataType: string; description?: string }[];
  connectionInfo: { connected: number | null; time?: string };
  creationDate: string;
  lastUpdated: string;
}

/** A device's latest value and time of each attribute. */
export type Composite = Record<string, { value: unknown; time: string }>;

export const devicesPath = (appId: string) => `${appPath(appId)}/devices`;
const perPage = 25;
// The list's orders, as the query string of devices.get.
const sorts = [
  ['sortField=name', 'Name'],
  ['sortField=lastUpdated&sortDirection=desc', 'Recently changed'],
  ['sortField=creationDate&sortDirection=desc', 'Newest'],
] as const;
const refreshEvery = 10000; // ms: status and last state stay current

/** Whether a device is connected, as a word with its class. */
export function Connection({ info }: { info: Device['connectionInfo'] }) {
  const on = info?.connected === 1;
  const known = info && info.connected !== null && info.connected !== undefined;
  return (
    <span className={'status ' + (on ? 'connected' : 'disconnected')} title={info?.time ? ago(info.time) : undefined}>
      {on ? 'Connected' : known ? 'Disconnected' : 'Never connected'}
    </span>
  );
}

/** The newest report time of a composite state and its values in short. */
function lastState(c: Composite | undefined): { time: string; text: string } {
  if (!c) return { time: '', text: '' };
  const names = Object.keys(c).sort();
  const time = names.map((n) => c[n].time).sort().pop() ?? '';
  return { time, text: names.map((n) => `${n}: ${show(c[n].value)}`).join(' · ') };
}

function NewDevice({ appId, onCreated }: { appId: string; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [attrs, setAttrs] = useState([blankAttr()]);
  const [error, setError] = useState('');
  return (
    <form
      className="panel"
      id="new-device"
      aria-label="New device"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const d = await api<Device>('POST', devicesPath(appId), {
            name: name.trim(),
            description,
            deviceClass: 'standalone',
            tags: parseTags(tags),
            attributes: namedAttrs(attrs),
          });
          setName(''), setDescription(''), setTags(''), setAttrs([blankAttr()]), setError('');
          onCreated(d.id);
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>New device</h2>
      <ErrorLine error={error} />
      <div className="create">
        <input id="new-device-name" placeholder="Device name" value={name} onChange={(e) => setName(e.target.value)} />
        <input id="new-device-description" placeholder="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} />
        <input id="new-device-tags" placeholder="Tags: floor=2, kind=sensor" value={tags} onChange={(e) => setTags(e.target.value)} />
      </div>
      <AttributesEditor attrs={attrs} set={setAttrs} />
      <div className="create">
        <button type="submit" id="create-device" className="primary" disabled={name.trim() === ''}>
          Create device
        </button>
      </div>
    </form>
  );
}

/** An application's devices: search, status, last state, paging, create and delete. */
export function Devices({ appId }: { appId: string }) {
  const [list, setList] = useState<List<Device> | null>(null);
  const [states, setStates] = useState<Record<string, Composite>>({});
  const [page, setPage] = useState(0);
  const [query, setQuery] = useState('');
  const [tagQuery, setTagQuery] = useState('');
  const [sort, setSort] = useState(sorts[0][0]);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      let filter = query.trim() ? `&filterField=name&filter=${encodeURIComponent(query.trim())}` : '';
      parseTags(tagQuery).forEach((tag, i) => {
        if (tag.key) filter += `&tagFilter[${i}][key]=${encodeURIComponent(tag.key)}`;
        if (tag.value) filter += `&tagFilter[${i}][value]=${encodeURIComponent(tag.value)}`;
      });
      const l = await api<List<Device>>('GET', `${devicesPath(appId)}?${sort}&perPage=${perPage}&page=${page}${filter}`);
      setList(l);
      setError('');
      const cs = await Promise.all(l.items.map((d) => api<Composite>('GET', `${devicesPath(appId)}/${d.id}/compositeState`).catch(() => ({}) as Composite)));
      setStates(Object.fromEntries(l.items.map((d, i) => [d.id, cs[i]])));
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, page, query, tagQuery, sort]);
  useRefresh(load, refreshEvery);
  const open = (id: string) => (location.hash = `#/applications/${appId}/devices/${id}`);
  return (
    <section id="devices">
      <ErrorLine error={error} />
      <NewDevice appId={appId} onCreated={open} />
      <div className="create">
        <input type="search" className="search" id="device-search" placeholder="Search devices by name" value={query} onChange={(e) => (setQuery(e.target.value), setPage(0))} />
        <select id="device-sort" aria-label="Order" value={sort} onChange={(e) => (setSort(e.target.value as typeof sort), setPage(0))}>
          {sorts.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <input type="search" className="search" id="device-tag-filter" placeholder="Filter by tags: floor=2, kind" title="Every tag listed must match; a key alone matches any value" value={tagQuery} onChange={(e) => (setTagQuery(e.target.value), setPage(0))} />
      </div>
      {list === null ? (
        <p>Loading…</p>
      ) : list.items.length === 0 ? (
        <p className="empty">{query || tagQuery ? 'No device matches.' : 'No devices yet.'}</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th>Device</th>
              <th>Connection</th>
              <th>Last state</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.items.map((d) => {
              const last = lastState(states[d.id]);
              return (
                <tr key={d.id} data-id={d.id}>
                  <td>
                    <a href={`#/applications/${appId}/devices/${d.id}`} className="name">
                      {d.name}
                    </a>
                    <div className="sub">{tagsText(d.tags) || d.description}</div>
                  </td>
                  <td>
                    <Connection info={d.connectionInfo} />
                    <div className="sub last-seen">{d.connectionInfo?.time ? ago(d.connectionInfo.time) : ''}</div>
                  </td>
                  <td className="last-state">
                    {last.text || <span className="sub">no state yet</span>}
                    <div className="sub">{ago(last.time)}</div>
                  </td>
                  <td className="actions">
                    <Delete what={`device ${d.name} and its history`} onDelete={() => api('DELETE', `${devicesPath(appId)}/${d.id}`).then(load, (err) => setError(err.message))} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list && <Pager id="devices-pager" page={page} perPage={perPage} total={list.totalCount} onPage={setPage} />}
    </section>
  );
}
