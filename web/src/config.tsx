import { useEffect, useState } from 'react';
import { api, appPath, type Field, type List, type Spec } from './api';
import { getPath, labelOf, setPath, type CanvasNode } from './doc';
import { CustomNodeInputs } from './custom_inputs';
import { Choice, pairFields } from './choice';

interface Props {
  appId: string;
  node: CanvasNode;
  onChange: (raw: any, coalesce?: string) => void;
  onDelete: () => void;
  children?: React.ReactNode; // extra controls (the button press)
}

/** The config panel of the selected trigger or node, generated from its spec. */
export function ConfigPanel({ appId, node, onChange, onDelete, children }: Props) {
  const { raw, spec, problems, kind } = node.data;
  const [tab, setTab] = useState<'form' | 'json'>(spec ? 'form' : 'json');
  useEffect(() => setTab(spec ? 'form' : 'json'), [node.id, spec]);
  return (
    <aside className="config" aria-label="Node configuration" data-node={node.id}>
      <div className="config-head">
        <strong>{labelOf(raw)}</strong>
        <span className="type">{raw.type}</span>
      </div>
      {spec ? <p className="doc">{spec.summary}</p> : <p className="warn">Unknown {kind} type: this server cannot run it, and keeps it unchanged. Edit it as JSON.</p>}
      {problems.length > 0 && (
        <ul className="problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {children}
      <div className="tabs small">
        <button type="button" className={tab === 'form' ? 'on' : ''} disabled={!spec} onClick={() => setTab('form')}>
          Form
        </button>
        <button type="button" className={tab === 'json' ? 'on' : ''} id="raw-json-tab" onClick={() => setTab('json')}>
          JSON
        </button>
      </div>
      {tab === 'form' && spec ? (
        <Form appId={appId} raw={raw} spec={spec} kind={kind} onChange={onChange} />
      ) : (
        <RawJSON key={node.id} raw={raw} onChange={onChange} />
      )}
      <button type="button" className="danger" id="delete-node" onClick={onDelete}>
        Delete {kind}
      </button>
    </aside>
  );
}

/** Trigger keys that name a resource of the application, picked from a list. */
const references: Record<string, { path: string; sort: string; label: (x: any) => string; none?: string }> = {
  webhook: { path: 'webhooks', sort: 'name', label: (w) => w.name },
  endpoint: { path: 'experience/endpoints', sort: 'route', label: (e) => `${String(e.method).toUpperCase()} ${e.route}` },
};

/** Node config fields that name a resource of the application, by node type: the field's path and where to pick it. */
const nodeReferences: Record<string, { path: string; refer: (typeof references)[string] }> = {
  CustomNodeExecuteNode: {
    path: 'config.customNodeId',
    refer: { path: 'flows?flowClass=customNode', sort: 'name', label: (f) => f.name, none: 'No custom nodes yet: a custom node is a flow of class customNode.' },
  },
};

function Form({ appId, raw, spec, kind, onChange }: { appId: string; raw: any; spec: Spec; kind: string; onChange: Props['onChange'] }) {
  const top = spec.fields.filter((f) => !f.name.includes('[].'));
  return (
    <div className="form">
      <label>
        Label
        <input
          name="meta.label"
          value={raw.meta?.label ?? ''}
          onChange={(e) => onChange(setPath(raw, 'meta.label', e.target.value), 'meta.label')}
        />
      </label>
      {kind === 'node' && (
        <label>
          Description
          <input
            name="meta.description"
            value={raw.meta?.description ?? ''}
            onChange={(e) => onChange(setPath(raw, 'meta.description', e.target.value), 'meta.description')}
          />
        </label>
      )}
      {top.map((f) =>
        f.kind === 'array' && kind === 'node' && raw.type === 'CustomNodeExecuteNode' && f.path === 'config.fields' ? (
          <CustomNodeInputs
            key={f.path}
            appId={appId}
            raw={raw}
            onChange={onChange}
            fallback={<Rows field={f} subfields={spec.fields.filter((s) => s.name.startsWith(f.name + '[].'))} raw={raw} onChange={onChange} />}
          />
        ) : f.kind === 'array' ? (
          <Rows key={f.path} field={f} subfields={spec.fields.filter((s) => s.name.startsWith(f.name + '[].'))} raw={raw} onChange={onChange} />
        ) : kind === 'trigger' && f.path === 'key' && references[raw.type] ? (
          <Reference key={f.path} appId={appId} field={f} refer={references[raw.type]} value={raw.key ?? ''} onChange={(v) => onChange(setPath(raw, 'key', v), 'key')} />
        ) : kind === 'node' && nodeReferences[raw.type]?.path === f.path ? (
          <Reference key={f.path} appId={appId} field={f} refer={nodeReferences[raw.type].refer} value={getPath(raw, f.path) ?? ''} onChange={(v) => onChange(setPath(raw, f.path, v), f.path)} />
        ) : (
          <FieldInput key={f.path} field={f} value={getPath(raw, f.path)} onChange={(v) => onChange(setPath(raw, f.path, v), f.path)} />
        ),
      )}
    </div>
  );
}

/** One input for one field, by kind. */
function FieldInput({ field, value, onChange, label }: { field: Field; value: any; onChange: (v: any) => void; label?: string }) {
  const name = label ?? field.name;
  const title = (
    <span className="field-name">
      {name}
      {field.required && <span className="req"> *</span>}
      <span className="kind">{field.kind}</span>
    </span>
  );
  if (field.enum?.length && field.kind !== 'enum') return <Choice field={field} value={value} title={title} onChange={onChange} />;
  let input: React.ReactNode;
  switch (field.kind) {
    case 'bool':
      return (
        <label className="check">
          <input type="checkbox" name={field.path} checked={value === true || value === 'true'} onChange={(e) => onChange(e.target.checked)} /> {title}
          {field.doc && <small>{field.doc}</small>}
        </label>
      );
    case 'enum': {
      const options = [...(field.enum ?? [])];
      const current = value ?? field.default ?? '';
      if (current !== '' && !options.includes(String(current))) options.push(String(current));
      input = (
        <select name={field.path} value={String(current)} onChange={(e) => onChange(e.target.value)}>
          {!field.default && <option value="">—</option>}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'number':
      input = (
        <input
          name={field.path}
          inputMode="decimal"
          value={value ?? ''}
          placeholder={field.default}
          onChange={(e) => {
            const t = e.target.value;
            onChange(t !== '' && !Number.isNaN(Number(t)) && !/\s/.test(t) ? Number(t) : t);
          }}
        />
      );
      break;
    case 'jsonTemplate':
      input = (
        <textarea
          name={field.path}
          rows={4}
          spellCheck={false}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2)}
          placeholder={field.default}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      input = (
        <input
          name={field.path}
          spellCheck={false}
          className={field.kind}
          value={typeof value === 'string' || typeof value === 'number' ? value : value === undefined || value === null ? '' : JSON.stringify(value)}
          placeholder={field.default}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <label>
      {title}
      {input}
      {field.doc && <small>{field.doc}</small>}
    </label>
  );
}

/** A trigger key chosen among the application's webhooks or endpoints. */
function Reference({ appId, field, refer, value, onChange }: { appId: string; field: Field; refer: (typeof references)[string]; value: string; onChange: (v: string) => void }) {
  const [items, setItems] = useState<any[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<List<any>>('GET', `${appPath(appId)}/${refer.path}${refer.path.includes('?') ? '&' : '?'}perPage=1000&sortField=${refer.sort}`)
      .then((l) => setItems(l.items))
      .catch((err) => setError((err as Error).message));
  }, [appId, refer]);
  const known = items?.some((x) => x.id === value);
  return (
    <label>
      <span className="field-name">
        {field.name}
        {field.required && <span className="req"> *</span>}
      </span>
      <select name={field.path} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">— choose —</option>
        {items?.map((x) => (
          <option key={x.id} value={x.id}>
            {refer.label(x)}
          </option>
        ))}
        {value && items && !known && <option value={value}>{value} (not in this application)</option>}
      </select>
      {error && <small className="error">{error}</small>}
      {items?.length === 0 && <small>{refer.none ?? `None yet: create one on the application's ${refer.path.replace('experience/', 'experience ')} page.`}</small>}
      {field.doc && <small>{field.doc}</small>}
    </label>
  );
}

/** A repeatable field (rules, cases): one row of subfields per item. */
function Rows({ field, subfields: listed, raw, onChange }: { field: Field; subfields: Field[]; raw: any; onChange: Props['onChange'] }) {
  const subfields = listed.length ? listed : pairFields(field); // tags and headers named only in the doc
  const rows: any[] = Array.isArray(getPath(raw, field.path)) ? getPath(raw, field.path) : [];
  const set = (next: any[]) => onChange(setPath(raw, field.path, next), field.path);
  return (
    <fieldset className="rows" data-field={field.name}>
      <legend>
        {field.name} <span className="kind">{rows.length} rows</span>
      </legend>
      {field.doc && <small>{field.doc}</small>}
      {rows.map((row, i) => (
        <div className="row" key={i}>
          {subfields.map((sf) => {
            const key = sf.name.slice(field.name.length + 3);
            return <FieldInput key={sf.name} field={{ ...sf, path: `${field.path}.${i}.${key}` }} label={key} value={row?.[key]} onChange={(v) => set(rows.map((r, j) => (j === i ? { ...r, [key]: v } : r)))} />;
          })}
          <button type="button" className="link" onClick={() => set(rows.filter((_, j) => j !== i))}>
            Remove row
          </button>
        </div>
      ))}
      <button type="button" className="add-row" onClick={() => set([...rows, {}])}>
        Add row
      </button>
    </fieldset>
  );
}

/** The whole trigger or node as JSON: every field, known or not. */
function RawJSON({ raw, onChange }: { raw: any; onChange: Props['onChange'] }) {
  const shown = { ...raw };
  delete shown.outputIds; // wires are edited on the canvas
  const [text, setText] = useState(() => JSON.stringify(shown, null, 2));
  const [error, setError] = useState('');
  return (
    <div className="form">
      <textarea
        id="raw-json"
        rows={16}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const v = JSON.parse(e.target.value);
            if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('must be an object');
            if (raw.id !== undefined && v.id !== raw.id) throw new Error('the id cannot change here');
            setError('');
            onChange({ ...v, outputIds: raw.outputIds }, 'json');
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && <p className="error">{error}</p>}
    </div>
  );
}
