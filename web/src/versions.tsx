import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, flowPath, type Flow, type List, type Specs } from './api';
import { toCanvas } from './doc';
import { ReadOnlyCanvas } from './readonly';
import { Delete } from './pages';
import { VersionDiff, type Definition } from './diff';

interface Version {
  id: string;
  version: string;
  notes?: string;
  creationDate: string;
  triggers: any[];
  nodes: any[];
  globals?: { key: string; json: string }[];
}

/** The versions of a flow: create from the saved develop, make default, open read-only, delete. */
export function Versions({
  appId,
  flow,
  specs,
  dirty,
  onFlow,
  unsaved,
}: {
  appId: string;
  flow: Flow;
  specs: Specs;
  dirty: boolean;
  onFlow: (f: Partial<Flow>) => void;
  unsaved: () => Definition; // the editor's graph as it is now
}) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState('');
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const [makeDefault, setMakeDefault] = useState(false);
  const [open, setOpen] = useState<Version | null>(null);
  const [diff, setDiff] = useState<{ from: string; to: string } | null>(null); // version ids, "" for develop
  const [from, setFrom] = useState<string | null>(null); // null: the newest version
  const [to, setTo] = useState<string | null>(null); // null: the unsaved changes if any, else develop
  const definition = (id: string): Definition => {
    if (id === unsavedID) return unsaved();
    const v = versions?.find((x) => x.id === id);
    return v ? { name: v.version, triggers: v.triggers, nodes: v.nodes, globals: v.globals } : { name: 'develop (saved)', triggers: flow.triggers, nodes: flow.nodes, globals: flow.globals };
  };
  const path = `${flowPath(appId, flow.id)}/versions`;
  const load = useCallback(async () => {
    try {
      setVersions((await api<List<Version>>('GET', `${path}?perPage=100&sortField=creationDate&sortDirection=desc`)).items);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [path]);
  useEffect(() => {
    load();
  }, [load]);
  const setDefault = async (id: string | null) => {
    const saved = await api<Flow>('PATCH', flowPath(appId, flow.id), { defaultVersionId: id });
    onFlow({ defaultVersionId: saved.defaultVersionId, lastUpdated: saved.lastUpdated });
  };
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="versions" id="versions">
      <form
        className="bar"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            const v = await api<Version>('POST', path, { version: name.trim(), notes });
            if (makeDefault) await setDefault(v.id);
            setName('');
            setNotes('');
            setMakeDefault(false);
          });
        }}
      >
        <input id="version-name" placeholder="Version name, e.g. v1" value={name} onChange={(e) => setName(e.target.value)} />
        <input id="version-notes" placeholder="Notes" value={notes} onChange={(e) => setNotes(e.target.value)} />
        <label className="toggle">
          <input type="checkbox" id="version-default" checked={makeDefault} onChange={(e) => setMakeDefault(e.target.checked)} /> Make default
        </label>
        <button type="submit" id="version-create" disabled={name.trim() === ''}>
          Create version
        </button>
        {dirty && <span className="warn">A version copies the saved flow: save first to include your changes.</span>}
      </form>
      {error && <p className="error">{error}</p>}
      <p className="hint">
        Presses, webhooks and timers run the default version: <strong id="default-version">{versions?.find((v) => v.id === flow.defaultVersionId)?.version ?? 'develop'}</strong>.{' '}
        {flow.defaultVersionId && (
          <button type="button" className="link" id="default-develop" onClick={() => act(() => setDefault(null))}>
            Run develop instead
          </button>
        )}
      </p>
      {versions && (versions.length > 0 || dirty) && (
        <div className="bar" id="compare">
          Compare{' '}
          <select id="diff-from" aria-label="From version" value={from ?? versions[0]?.id ?? ''} onChange={(e) => setFrom(e.target.value)}>
            <VersionOptions versions={versions} dirty={dirty} />
          </select>{' '}
          with{' '}
          <select id="diff-to" aria-label="To version" value={to ?? (dirty ? unsavedID : '')} onChange={(e) => setTo(e.target.value)}>
            <VersionOptions versions={versions} dirty={dirty} />
          </select>
          <button type="button" id="diff-open" onClick={() => setDiff({ from: from ?? versions[0]?.id ?? '', to: to ?? (dirty ? unsavedID : '') })}>
            Show changes
          </button>
        </div>
      )}
      <table className="list">
        <tbody>
          {versions?.map((v) => (
            <tr key={v.id} data-version={v.version}>
              <td>
                <strong>{v.version}</strong> {v.id === flow.defaultVersionId && <span className="badge">default</span>}
                <div className="sub">{v.notes}</div>
              </td>
              <td>{new Date(v.creationDate).toLocaleString()}</td>
              <td className="actions">
                <button type="button" className="link open-version" onClick={() => setOpen(v)}>
                  Open
                </button>
                {v.id !== flow.defaultVersionId && (
                  <button type="button" className="link make-default" onClick={() => act(() => setDefault(v.id))}>
                    Make default
                  </button>
                )}
                <Delete what={`version ${v.version}`} onDelete={() => act(() => api('DELETE', `${path}/${v.id}`))} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <VersionView version={open} specs={specs} onClose={() => setOpen(null)} />}
      {diff && <VersionDiff a={definition(diff.from)} b={definition(diff.to)} specs={specs} onClose={() => setDiff(null)} />}
    </div>
  );
}

/** The choice that compares the editor's unsaved graph. */
const unsavedID = 'unsaved';

/** The choices of a comparison: the editor's unsaved changes, the saved develop version, then each version. */
function VersionOptions({ versions, dirty }: { versions: Version[]; dirty: boolean }) {
  return (
    <>
      {dirty && <option value={unsavedID}>your unsaved changes</option>}
      <option value="">develop (saved)</option>
      {versions.map((v) => (
        <option key={v.id} value={v.id}>
          {v.version}
        </option>
      ))}
    </>
  );
}

/** A version's graph, read-only, over the editor. */
function VersionView({ version, specs, onClose }: { version: Version; specs: Specs; onClose: () => void }) {
  const { nodes, edges } = useMemo(() => toCanvas(version, specs), [version, specs]);
  return (
    <div className="version-view" id="version-view" role="dialog" aria-label={`Version ${version.version}`}>
      <div className="bar">
        <strong>
          Version {version.version} <span className="sub">(read-only)</span>
        </strong>
        <span className="spacer" />
        <button type="button" id="version-close" onClick={onClose}>
          Close
        </button>
      </div>
      <ReadOnlyCanvas nodes={nodes} edges={edges} />
    </div>
  );
}

/** The flow's globals: keys with JSON values, saved with the flow. */
export function Globals({ globals, onChange }: { globals: { key: string; json: string }[]; onChange: (g: { key: string; json: string }[]) => void }) {
  const set = (i: number, field: 'key' | 'json', v: string) => onChange(globals.map((g, j) => (j === i ? { ...g, [field]: v } : g)));
  return (
    <div className="globals" id="globals">
      <p className="hint">Values are JSON, read in templates as {'{{globals.key}}'}; they are saved with the flow.</p>
      <table className="list">
        <tbody>
          {globals.map((g, i) => {
            let bad = false;
            try {
              JSON.parse(g.json);
            } catch {
              bad = true;
            }
            return (
              <tr key={i} className="global">
                <td>
                  <input className="global-key" aria-label="Key" value={g.key} onChange={(e) => set(i, 'key', e.target.value)} />
                </td>
                <td>
                  <input className={'global-json' + (bad ? ' bad' : '')} aria-label="JSON value" value={g.json} onChange={(e) => set(i, 'json', e.target.value)} spellCheck={false} />
                  {bad && <span className="error"> not JSON</span>}
                </td>
                <td className="actions">
                  <button type="button" className="link danger" onClick={() => onChange(globals.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" id="global-add" onClick={() => onChange([...globals, { key: '', json: '""' }])}>
        Add global
      </button>
    </div>
  );
}
