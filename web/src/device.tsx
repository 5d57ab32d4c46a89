import { useCallback, useState } from 'react';
import { api, type List } from './api';
import { tagsText } from './attributes';
import { HistoryChart, type State } from './history';
import { Connection, devicesPath, type Composite, type Device } from './devices';
import { EditDevice } from './device_edit';
import { Delete, ErrorLine } from './pages';
import { ago, show, useRefresh } from './pager';

interface Command {
  name: string;
  payload?: unknown;
  time: string;
}

const historyLimit = 100;
const childrenShown = 100;
const refreshEvery = 3000; // ms: new state shows without a reload

/** Sends a command to the device: a name and an optional JSON payload. */
function SendCommand({ path, onSent }: { path: string; onSent: () => void }) {
  const [name, setName] = useState('');
  const [payload, setPayload] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  return (
    <form
      className="panel"
      id="send-command-form"
      aria-label="Send command"
      onSubmit={async (e) => {
        e.preventDefault();
        setNotice('');
        const body: { name: string; payload?: unknown } = { name: name.trim() };
        if (payload.trim() !== '') {
          try {
            body.payload = JSON.parse(payload);
          } catch (err) {
            setError('The payload is not JSON: ' + (err as Error).message);
            return;
          }
        }
        try {
          await api('POST', `${path}/command`, body);
          setError('');
          setNotice(`Sent ${body.name}.`);
          onSent();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>Send command</h2>
      <ErrorLine error={error} />
      {notice && (
        <p className="notice" role="status" id="command-sent">
          {notice}
        </p>
      )}
      <div className="create">
        <input id="command-name" placeholder="Command name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" id="send-command" disabled={name.trim() === ''}>
          Send command
        </button>
      </div>
      <textarea id="command-payload" className="json" placeholder='Payload as JSON (optional), e.g. {"level": 3}' value={payload} onChange={(e) => setPayload(e.target.value)} />
    </form>
  );
}

/** Where a device sits in its application's hierarchy: its parent and its children, each linking to its page. */
function Hierarchy({ appId, parent, children }: { appId: string; parent: Device | string | null; children: List<Device> | null }) {
  const link = (d: Device) => <a href={`#/applications/${appId}/devices/${d.id}`}>{d.name}</a>;
  return (
    <div className="panel" id="hierarchy">
      <h2>Hierarchy</h2>
      <p id="device-parent">
        Parent: {parent === null ? <span className="sub">none (a top device)</span> : typeof parent === 'string' ? <code>{parent}</code> : link(parent)}
      </p>
      {!children || children.items.length === 0 ? (
        <p className="empty" id="device-no-children">
          No devices below it.
        </p>
      ) : (
        <>
          <p>Children ({children.totalCount}):</p>
          <ul id="device-children">
            {children.items.map((d) => (
              <li key={d.id} data-id={d.id}>
                {link(d)} <span className="sub">{d.deviceClass}</span>
              </li>
            ))}
          </ul>
          {children.totalCount > children.items.length && <p className="hint">The first {children.items.length} are listed, by name.</p>}
        </>
      )}
    </div>
  );
}

/** A device's page: attributes, tags, last state, hierarchy, history, chart and commands. */
export function DevicePage({ appId, deviceId }: { appId: string; deviceId: string }) {
  const path = `${devicesPath(appId)}/${deviceId}`;
  const [device, setDevice] = useState<Device | null>(null);
  const [composite, setComposite] = useState<Composite>({});
  const [history, setHistory] = useState<State[]>([]);
  const [commands, setCommands] = useState<Command[]>([]);
  const [parent, setParent] = useState<Device | string | null>(null);
  const [children, setChildren] = useState<List<Device> | null>(null);
  const [error, setError] = useState('');
  const [editing, setEditing] = useState(false);
  const load = useCallback(async () => {
    try {
      const [d, c, h, cmds, kids] = await Promise.all([
        api<Device>('GET', path),
        api<Composite>('GET', `${path}/compositeState`),
        api<State[]>('GET', `${path}/state?limit=${historyLimit}&sortDirection=desc`),
        api<Command[]>('GET', `${path}/command?limit=10&sortDirection=desc`),
        api<List<Device>>('GET', `${devicesPath(appId)}?parentId=${deviceId}&sortField=name&perPage=${childrenShown}&excludeConnectionInfo=true`),
      ]);
      // The parent's name, or its id alone when it cannot be read.
      const up = d.parentId ? await api<Device>('GET', `${devicesPath(appId)}/${d.parentId}`).catch(() => d.parentId as string) : null;
      setDevice(d), setComposite(c ?? {}), setHistory(h ?? []), setCommands(cmds ?? []), setChildren(kids), setParent(up), setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path, appId, deviceId]);
  useRefresh(load, refreshEvery);
  if (!device) return error ? <ErrorLine error={error} /> : <p>Loading…</p>;
  const numeric = device.attributes.filter((a) => a.dataType === 'number').map((a) => a.name);
  const columns = [...new Set(history.flatMap((s) => Object.keys(s.data)))].sort();
  return (
    <section id="device" data-id={device.id}>
      <nav className="crumbs">
        <a href={`#/applications/${appId}/devices`}>Devices</a> / <strong id="device-name">{device.name}</strong> <Connection info={device.connectionInfo} />
      </nav>
      <ErrorLine error={error} />
      <p className="sub">
        id {device.id} · {device.deviceClass} · created {ago(device.creationDate)}
        {device.description ? ` · ${device.description}` : ''}{' '}
        {!editing && (
          <button type="button" className="link" id="edit-device-open" onClick={() => setEditing(true)}>
            Edit device
          </button>
        )}
      </p>
      <p className="actions">
        <Delete what={`device ${device.name} and its history`} onDelete={() => api('DELETE', path).then(() => void (location.hash = `#/applications/${appId}/devices`), (err) => setError(err.message))} />
      </p>
      {editing && <EditDevice path={path} device={device} onDone={(saved) => (setEditing(false), saved && load())} />}
      <div className="panel">
        <h2>Attributes and last state</h2>
        <table className="kv" id="composite">
          <thead>
            <tr>
              <th>Attribute</th>
              <th>Type</th>
              <th>Last value</th>
              <th>Reported</th>
            </tr>
          </thead>
          <tbody>
            {device.attributes.map((a) => (
              <tr key={a.name} data-attr={a.name}>
                <td>{a.name}</td>
                <td>{a.dataType}</td>
                <td className="value">{show(composite[a.name]?.value)}</td>
                <td className="sub">{ago(composite[a.name]?.time)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="sub" id="device-tags">
          Tags: {tagsText(device.tags) || 'none'}
        </p>
      </div>
      <Hierarchy appId={appId} parent={parent} children={children} />
      <div className="panel">
        <h2>History</h2>
        <HistoryChart appId={appId} deviceId={deviceId} numeric={numeric} recent={history} />
        {history.length === 0 ? (
          <p className="empty">No state reported yet.</p>
        ) : (
          <table className="kv" id="history">
            <thead>
              <tr>
                <th>Time</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {history.slice(0, 20).map((s, i) => (
                <tr key={s.time + i}>
                  <td>{new Date(s.time).toLocaleString()}</td>
                  {columns.map((c) => (
                    <td key={c}>{show(s.data[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="hint">Recent reports charts the last {historyLimit}; the newest 20 are listed. The page refreshes every few seconds.</p>
      </div>
      <SendCommand path={path} onSent={load} />
      <div className="panel">
        <h2>Recent commands</h2>
        {commands.length === 0 ? (
          <p className="empty">No commands sent yet.</p>
        ) : (
          <ul id="commands">
            {commands.map((c, i) => (
              <li key={c.time + i}>
                <strong>{c.name}</strong> <code>{show(c.payload)}</code> <span className="sub">{ago(c.time)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
