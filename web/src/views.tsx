import { useState } from 'react';
import { api, appPath } from './api';
import { Delete, ErrorLine } from './pages';
import { useList } from './resources';

/** An experience view as the REST API answers it. */
export interface ExperienceView {
  id: string;
  name: string;
  description: string;
  viewType: string;
  layoutId: string | null;
  body: string;
  lastUpdated: string;
}

export const viewsPath = (appId: string) => `${appPath(appId)}/experience/views`;

const viewTypes = [
  ['page', 'Pages'],
  ['layout', 'Layouts'],
  ['component', 'Components'],
] as const;

/** A new view's first body: the smallest useful one of its type. */
const starter: Record<string, string> = {
  page: '<h1>{{pageData.title}}</h1>\n',
  layout: '<!doctype html>\n<html>\n<head><title>{{experience.page.name}}</title></head>\n<body>\n{{page}}\n</body>\n</html>\n',
  component: '<span>{{@args.text}}</span>\n',
};

/**
 * A code area for a view's Handlebars body: monospace, unwrapped, no
 * spelling marks, as tall as its text (up to 30 lines).
 */
function CodeArea({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  return (
    <textarea
      id={id}
      className="code"
      spellCheck={false}
      autoCapitalize="off"
      autoComplete="off"
      wrap="off"
      rows={Math.min(30, Math.max(8, value.split('\n').length + 1))}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** One view's editor: name, description, a page's layout and the body. */
function ViewEdit({ appId, view, layouts, onSaved }: { appId: string; view: ExperienceView; layouts: ExperienceView[]; onSaved: () => void }) {
  const [name, setName] = useState(view.name);
  const [description, setDescription] = useState(view.description ?? '');
  const [layout, setLayout] = useState(view.layoutId ?? '');
  const [body, setBody] = useState(view.body);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(true);
  const change = <T,>(set: (v: T) => void) => (v: T) => (set(v), setSaved(false));
  return (
    <form
      className="panel"
      id="view-edit"
      aria-label={`View ${view.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const patch: Record<string, unknown> = { name: name.trim(), description, body };
          if (view.viewType === 'page') patch.layoutId = layout || null;
          await api('PATCH', `${viewsPath(appId)}/${view.id}`, patch);
          setError(''), setSaved(true);
          onSaved();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>
        {view.viewType} {view.name}
      </h2>
      <ErrorLine error={error} />
      <div className="create">
        <input id="view-name" aria-label="Name" value={name} onChange={(e) => change(setName)(e.target.value)} />
        <input id="view-description" placeholder="Description" value={description} onChange={(e) => change(setDescription)(e.target.value)} />
        {view.viewType === 'page' && (
          <select id="view-layout" aria-label="Layout" value={layout} onChange={(e) => change(setLayout)(e.target.value)}>
            <option value="">No layout</option>
            {layouts.map((l) => (
              <option key={l.id} value={l.id}>
                Layout {l.name}
              </option>
            ))}
          </select>
        )}
      </div>
      <CodeArea id="view-body" value={body} onChange={change(setBody)} />
      <div className="create">
        <button type="submit" id="save-view" className="primary" disabled={name.trim() === '' || body === ''}>
          Save view
        </button>
        <span id="view-state" className={'dirty' + (saved ? '' : ' on')}>
          {saved ? 'All changes saved' : 'Unsaved changes'}
        </span>
      </div>
    </form>
  );
}

/** An application's experience views: list by type, create, edit the body and delete. */
export function Views({ appId }: { appId: string }) {
  const path = viewsPath(appId);
  const [type, setType] = useState('');
  const { items, error, act, load } = useList<ExperienceView>(path, 'name', type ? `&viewType=${type}` : '');
  const layouts = useList<ExperienceView>(path, 'name', '&viewType=layout');
  const [name, setName] = useState('');
  const [newType, setNewType] = useState('page');
  const [open, setOpen] = useState<string | null>(null);
  const current = items?.find((v) => v.id === open);
  const layoutName = (id: string | null) => layouts.items?.find((l) => l.id === id)?.name;
  return (
    <section id="views">
      <ErrorLine error={error || layouts.error} />
      <form
        className="create"
        aria-label="New view"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            const v = await api<ExperienceView>('POST', path, { name: name.trim(), viewType: newType, body: starter[newType] });
            setName('');
            setOpen(v.id);
            layouts.load();
          });
        }}
      >
        <input id="new-view-name" placeholder="New view name" value={name} onChange={(e) => setName(e.target.value)} />
        <select id="new-view-type" aria-label="View type" value={newType} onChange={(e) => setNewType(e.target.value)}>
          {viewTypes.map(([k]) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <button type="submit" id="create-view" disabled={name.trim() === ''}>
          Create view
        </button>
        <span className="spacer" />
        <nav className="tabs" id="view-types" aria-label="View types">
          {[['', 'All'] as const, ...viewTypes].map(([k, label]) => (
            <button type="button" key={k} data-type={k} className={type === k ? 'on' : ''} onClick={() => setType(k)}>
              {label}
            </button>
          ))}
        </nav>
      </form>
      {items?.length === 0 && <p className="empty">{type ? `No ${type}s yet.` : 'No experience views yet.'}</p>}
      <table className="list" id="view-list">
        <tbody>
          {items?.map((v) => (
            <tr key={v.id} data-id={v.id} data-type={v.viewType} className={v.id === open ? 'on' : ''}>
              <td>
                <button type="button" className="link name open-view" onClick={() => setOpen(v.id)}>
                  {v.name}
                </button>
                <div className="sub">
                  {v.viewType}
                  {v.layoutId ? ` in layout ${layoutName(v.layoutId) ?? v.layoutId}` : ''}
                  {v.description ? ` · ${v.description}` : ''}
                </div>
              </td>
              <td className="actions">
                <Delete what={`${v.viewType} ${v.name}`} onDelete={() => act(() => api('DELETE', `${path}/${v.id}`)).then(() => layouts.load())} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {current && <ViewEdit key={current.id} appId={appId} view={current} layouts={layouts.items ?? []} onSaved={load} />}
    </section>
  );
}
