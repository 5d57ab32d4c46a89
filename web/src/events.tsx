import { useCallback, useState } from 'react';
import { api, appPath, type List } from './api';
import { Delete, ErrorLine } from './pages';
import { Pager, ago, useRefresh } from './pager';
import { parseTags } from './attributes';
import { devicesPath, type Device } from './devices';

/** A change of one field of an event: from what to what. */
export interface Change {
  old?: string;
  new?: string;
}

/** One change of an event: who, when, the comment and data, and what changed. */
export interface EventUpdate {
  sourceType?: string;
  sourceId?: string;
  sourceName?: string;
  creationDate: string;
  comment?: string;
  data?: unknown;
  state: string;
  stateChange?: Change;
  levelChange?: Change;
  subjectChange?: Change;
  deviceIdChange?: { old?: string; oldDeviceName?: string; new?: string; newDeviceName?: string };
  tagsChange?: Record<string, Change>;
}

/** An event as the REST API answers it. */
export interface WeirEvent {
  id: string;
  level: string;
  state: string;
  subject: string;
  message?: string;
  data?: unknown;
  deviceId?: string;
  deviceName?: string;
  eventTags: Record<string, string>;
  sourceType?: string;
  sourceName?: string;
  updates: EventUpdate[];
  creationDate: string;
  lastUpdated: string;
}

export const eventsPath = (appId: string) => `${appPath(appId)}/events`;
export const levels = ['info', 'warning', 'error', 'critical'] as const;
const states = ['new', 'acknowledged', 'resolved'] as const;
const perPage = 25;
const refreshEvery = 10000; // ms: events raised by flows and devices show without a reload

/** An event's level as a coloured badge. */
export function Level({ level }: { level: string }) {
  return <span className={'level level-' + level}>{level}</span>;
}

/** An event's state as a word with its class. */
export function EventState({ state }: { state: string }) {
  return <span className={'event-state state-' + state}>{state}</span>;
}

/**
 * The new events counted by level, with the most severe and most recent
 * one (mostRecentBySeverity) named beside them; a count shows those
 * events in the list, and a button acknowledges every new event at once
 * (events.patch).
 */
function NewCounts(props: { appId: string; counts: Record<string, number>; worst: { event?: WeirEvent; newCount: number } | null; onShow: (level: string) => void; onAcknowledgeAll: () => void }) {
  const { appId, counts, worst, onShow, onAcknowledgeAll } = props;
  return (
    <div className="panel" id="event-counts">
      <h2>New events</h2>
      <div className="create">
        {levels.map((l) => (
          <button type="button" key={l} className="link count" data-level={l} title={`Show the new ${l} events`} onClick={() => onShow(l)}>
            <Level level={l} /> <strong className="n">{counts[l] ?? '…'}</strong>
          </button>
        ))}
        <span className="sub" id="new-total">
          {worst ? `${worst.newCount} new in all` : ''}
        </span>
        {worst && worst.newCount > 0 && (
          <button type="button" id="acknowledge-all" onClick={onAcknowledgeAll}>
            Acknowledge all new
          </button>
        )}
      </div>
      {worst?.event && (
        <p className="sub" id="most-severe">
          Most severe: <Level level={worst.event.level} />{' '}
          <a href={`#/applications/${appId}/events/${worst.event.id}`}>{worst.event.subject}</a> · {ago(worst.event.creationDate)}
        </p>
      )}
    </div>
  );
}

/** Reads the JSON text of a data field: undefined when empty. */
export function parseData(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error('The data is not JSON: ' + (err as Error).message);
  }
}

function NewEvent({ appId, onCreated }: { appId: string; onCreated: (id: string) => void }) {
  const [subject, setSubject] = useState('');
  const [level, setLevel] = useState<string>('info');
  const [message, setMessage] = useState('');
  const [data, setData] = useState('');
  const [tags, setTags] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [devices, setDevices] = useState<Device[]>([]);
  const [error, setError] = useState('');
  return (
    <details
      className="panel"
      id="new-event-panel"
      onToggle={(e) => {
        if (!(e.target as HTMLDetailsElement).open) return;
        api<List<Device>>('GET', `${devicesPath(appId)}?perPage=1000&sortField=name`).then((l) => setDevices(l.items), (err) => setError(err.message));
      }}
    >
      <summary>New event</summary>
      <form
        id="new-event"
        aria-label="New event"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const body: Record<string, unknown> = { subject: subject.trim(), level, message };
            const d = parseData(data);
            if (d !== undefined) body.data = d;
            if (deviceId) body.deviceId = deviceId;
            const t = parseTags(tags).filter((x) => x.key);
            if (t.length) body.eventTags = Object.fromEntries(t.map((x) => [x.key, x.value]));
            const ev = await api<WeirEvent>('POST', eventsPath(appId), body);
            setSubject(''), setLevel('info'), setMessage(''), setData(''), setTags(''), setDeviceId(''), setError('');
            onCreated(ev.id);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <ErrorLine error={error} />
        <div className="create">
          <input id="new-event-subject" placeholder="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} />
          <select id="new-event-level" aria-label="Level" value={level} onChange={(e) => setLevel(e.target.value)}>
            {levels.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
          <select id="new-event-device" aria-label="Device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">No device</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <input id="new-event-tags" placeholder="Tags: zone=boiler, shift=night" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
        <textarea id="new-event-message" placeholder="Message (markdown, optional)" value={message} onChange={(e) => setMessage(e.target.value)} />
        <textarea id="new-event-data" className="json" placeholder='Data as JSON (optional), e.g. {"temp": 71}' value={data} onChange={(e) => setData(e.target.value)} />
        <div className="create">
          <button type="submit" id="create-event" className="primary" disabled={subject.trim() === ''}>
            Create event
          </button>
        </div>
      </form>
    </details>
  );
}

/** A choice of one of the values, or any ("Any level"). */
function Filter({ id, label, value, choices, set }: { id: string; label: string; value: string; choices: readonly string[]; set: (v: string) => void }) {
  return (
    <select id={id} aria-label={label} value={value} onChange={(e) => set(e.target.value)}>
      <option value="">Any {label.toLowerCase()}</option>
      {choices.map((c) => (
        <option key={c} value={c}>
          {c[0].toUpperCase() + c.slice(1)}
        </option>
      ))}
    </select>
  );
}

/**
 * The advanced query of the list filtered by level, which the plain
 * filters of events.get cannot name: the level, the state, and the subject
 * search as case-insensitive pieces between its '*'s, each contained in the
 * subject (in any order, unlike the plain search).
 */
function levelQuery(level: string, state: string, subject: string): unknown {
  const and: unknown[] = [{ level }];
  if (state) and.push({ state });
  for (const piece of subject.split('*')) if (piece.trim()) and.push({ subject: { $contains: piece.trim(), $ci: true } });
  return { $and: and };
}

/** An application's events: new counts by level, level and state filters, subject search, paging, create and delete. */
export function Events({ appId }: { appId: string }) {
  const [list, setList] = useState<List<WeirEvent> | null>(null);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [worst, setWorst] = useState<{ event?: WeirEvent; newCount: number } | null>(null);
  const [page, setPage] = useState(0);
  const [state, setState] = useState('');
  const [level, setLevel] = useState('');
  const [query, setQuery] = useState('');
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    const path = eventsPath(appId);
    try {
      let filter = state ? `&state=${state}` : '';
      if (query.trim()) filter += `&filterField=subject&filter=${encodeURIComponent(query.trim())}`;
      if (level) filter = `&query=${encodeURIComponent(JSON.stringify(levelQuery(level, state, query)))}`;
      const countOf = (level: string) =>
        api<List<WeirEvent>>('GET', `${path}?perPage=1&query=${encodeURIComponent(JSON.stringify({ state: 'new', level }))}`).then((l) => l.totalCount);
      const [l, w, ...ns] = await Promise.all([
        api<List<WeirEvent>>('GET', `${path}?sortField=creationDate&sortDirection=desc&perPage=${perPage}&page=${page}${filter}`),
        api<{ event?: WeirEvent; newCount: number }>('GET', `${path}/mostRecentBySeverity`),
        ...levels.map(countOf),
      ]);
      setList(l), setWorst(w), setCounts(Object.fromEntries(levels.map((lv, i) => [lv, ns[i]]))), setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, page, state, query, level]);
  useRefresh(load, refreshEvery);
  return (
    <section id="events">
      <ErrorLine error={error} />
      <NewCounts
        appId={appId}
        counts={counts}
        worst={worst}
        onShow={(l) => (setLevel(l), setState('new'), setQuery(''), setPage(0))}
        onAcknowledgeAll={() => api('PATCH', `${eventsPath(appId)}?state=new`, { state: 'acknowledged', comment: 'Acknowledged with all new events' }).then(load, (err) => setError(err.message))}
      />
      <NewEvent appId={appId} onCreated={(id) => (location.hash = `#/applications/${appId}/events/${id}`)} />
      <div className="create">
        <input type="search" className="search" id="event-search" placeholder="Search by subject (* matches anything)" value={query} onChange={(e) => (setQuery(e.target.value), setPage(0))} />
        <Filter id="event-level-filter" label="Level" value={level} choices={levels} set={(v) => (setLevel(v), setPage(0))} />
        <Filter id="event-state-filter" label="State" value={state} choices={states} set={(v) => (setState(v), setPage(0))} />
      </div>
      {list === null ? (
        <p>Loading…</p>
      ) : list.items.length === 0 ? (
        <p className="empty">{query || state || level ? 'No event matches.' : 'No events yet.'}</p>
      ) : (
        <table className="list" id="event-list">
          <thead>
            <tr>
              <th>Level</th>
              <th>Event</th>
              <th>State</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.items.map((ev) => (
              <tr key={ev.id} data-id={ev.id}>
                <td>
                  <Level level={ev.level} />
                </td>
                <td>
                  <a href={`#/applications/${appId}/events/${ev.id}`} className="name">
                    {ev.subject}
                  </a>
                  <div className="sub">{ev.deviceName ?? ev.deviceId ?? ''}</div>
                </td>
                <td>
                  <EventState state={ev.state} />
                </td>
                <td className="sub">{ago(ev.creationDate)}</td>
                <td className="actions">
                  <Delete what={`event ${ev.subject}`} onDelete={() => api('DELETE', `${eventsPath(appId)}/${ev.id}`).then(load, (err) => setError(err.message))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && <Pager id="events-pager" page={page} perPage={perPage} total={list.totalCount} onPage={setPage} />}
    </section>
  );
}
