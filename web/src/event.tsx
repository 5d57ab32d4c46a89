import { useCallback, useState } from 'react';
import { api } from './api';
import { EventState, Level, eventsPath, parseData, type EventUpdate, type WeirEvent } from './events';
import { Delete, ErrorLine } from './pages';
import { ago, show, useRefresh } from './pager';

const refreshEvery = 5000; // ms: changes made by flows or others show without a reload

/** What an update changed, in words: "state new → acknowledged · level …". */
function changes(u: EventUpdate): string {
  const parts: string[] = [];
  const one = (name: string, c?: { old?: string; new?: string }) => c && parts.push(`${name} ${c.old || '—'} → ${c.new || '—'}`);
  one('state', u.stateChange);
  one('level', u.levelChange);
  one('subject', u.subjectChange);
  if (u.deviceIdChange) parts.push(`device ${u.deviceIdChange.oldDeviceName || u.deviceIdChange.old || '—'} → ${u.deviceIdChange.newDeviceName || u.deviceIdChange.new || '—'}`);
  for (const [k, c] of Object.entries(u.tagsChange ?? {})) one(`tag ${k}`, c);
  return parts.join(' · ');
}

/** Who made a change: a name, else the kind of source and its id. */
const source = (s: { sourceType?: string; sourceId?: string; sourceName?: string }) => s.sourceName || [s.sourceType, s.sourceId].filter(Boolean).join(' ') || 'unknown';

/** Acknowledges, resolves or reopens the event, or comments on it, with optional data. */
function ChangeState({ path, ev, onChanged }: { path: string; ev: WeirEvent; onChanged: () => void }) {
  const [comment, setComment] = useState('');
  const [data, setData] = useState('');
  const [error, setError] = useState('');
  // state undefined: a comment (and data) alone, recorded as an update.
  const move = async (state?: string) => {
    try {
      const body: Record<string, unknown> = state ? { state } : {};
      if (comment.trim()) body.comment = comment;
      const d = parseData(data);
      if (d !== undefined) body.data = d;
      await api('PATCH', path, body);
      setComment(''), setData(''), setError('');
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="panel" id="event-change" aria-label="Change state" onSubmit={(e) => e.preventDefault()}>
      <h2>Change state or comment</h2>
      <ErrorLine error={error} />
      <textarea id="event-comment" placeholder="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
      <textarea id="event-update-data" className="json" placeholder="Data as JSON (optional)" value={data} onChange={(e) => setData(e.target.value)} />
      <div className="create">
        <button type="button" id="acknowledge-event" disabled={ev.state !== 'new'} onClick={() => move('acknowledged')}>
          Acknowledge
        </button>
        <button type="button" id="resolve-event" className="primary" disabled={ev.state === 'resolved'} onClick={() => move('resolved')}>
          Resolve
        </button>
        <button type="button" id="comment-event" disabled={comment.trim() === ''} onClick={() => move()}>
          Add comment
        </button>
        {ev.state === 'resolved' && (
          <button type="button" id="reopen-event" onClick={() => move('new')}>
            Reopen
          </button>
        )}
      </div>
    </form>
  );
}

/** An event's page: level, state, message, device, data, tags, updates and actions. */
export function EventPage({ appId, eventId }: { appId: string; eventId: string }) {
  const path = `${eventsPath(appId)}/${eventId}`;
  const [ev, setEv] = useState<WeirEvent | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setEv(await api<WeirEvent>('GET', path));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path]);
  useRefresh(load, refreshEvery);
  if (!ev) return error ? <ErrorLine error={error} /> : <p>Loading…</p>;
  const tags = Object.entries(ev.eventTags ?? {});
  return (
    <section id="event" data-id={ev.id}>
      <nav className="crumbs">
        <a href={`#/applications/${appId}/events`}>Events</a> / <Level level={ev.level} /> <strong id="event-subject">{ev.subject}</strong> <EventState state={ev.state} />
      </nav>
      <ErrorLine error={error} />
      <p className="sub">
        id {ev.id} · created {ago(ev.creationDate)} by {source(ev)} · changed {ago(ev.lastUpdated)}
      </p>
      <p className="actions">
        <Delete what={`event ${ev.subject}`} onDelete={() => api('DELETE', path).then(() => void (location.hash = `#/applications/${appId}/events`), (err) => setError(err.message))} />
      </p>
      <div className="panel">
        <h2>Message</h2>
        {ev.message ? <div className="event-message" id="event-message">{ev.message}</div> : <p className="empty">No message.</p>}
        <p className="sub" id="event-device">
          Device:{' '}
          {ev.deviceId ? (
            <a href={`#/applications/${appId}/devices/${ev.deviceId}`} id="event-device-link">
              {ev.deviceName || ev.deviceId}
            </a>
          ) : (
            'none'
          )}
        </p>
        <p className="sub">Tags: {tags.length ? tags.map(([k, v]) => `${k}=${v}`).join(', ') : 'none'}</p>
        <h2>Data</h2>
        {ev.data === undefined ? <p className="empty">No data.</p> : <pre className="json" id="event-data">{JSON.stringify(ev.data, null, 2)}</pre>}
      </div>
      <ChangeState path={path} ev={ev} onChanged={load} />
      <div className="panel">
        <h2>Updates</h2>
        {ev.updates.length === 0 ? (
          <p className="empty">No updates yet.</p>
        ) : (
          <table className="kv" id="event-updates">
            <thead>
              <tr>
                <th>Time</th>
                <th>By</th>
                <th>Change</th>
                <th>Comment</th>
                <th>Data</th>
              </tr>
            </thead>
            <tbody>
              {[...ev.updates].reverse().map((u, i) => (
                <tr key={u.creationDate + i}>
                  <td className="sub">{ago(u.creationDate)}</td>
                  <td>{source(u)}</td>
                  <td className="change">{changes(u)}</td>
                  <td className="comment">{u.comment ?? ''}</td>
                  <td>
                    <code>{show(u.data)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
