import { useState } from 'react';
import { api } from './api';
import { Delete, ErrorLine } from './pages';
import { ColumnFields, blankColumn, type Column } from './tables';

/** A default value as typed, in the column's type (empty: none). */
function defaultValue(c: Column, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (c.dataType === 'number') return Number.isFinite(Number(t)) ? Number(t) : t;
  if (c.dataType === 'boolean') return t === 'true' ? true : t === 'false' ? false : t;
  return text;
}

/** A table's columns: add one (null in the existing rows) or remove one with its values. */
export function Columns({ path, columns, onChanged }: { path: string; columns: Column[]; onChanged: () => void }) {
  const [c, setC] = useState<Column>(blankColumn());
  const [def, setDef] = useState('');
  const [error, setError] = useState('');
  const run = (f: () => Promise<unknown>) =>
    f().then(
      () => (setError(''), onChanged(), true),
      (err) => (setError((err as Error).message), false),
    );
  return (
    <details className="panel" id="columns">
      <summary>Columns ({columns.length})</summary>
      <ErrorLine error={error} />
      <table className="kv">
        <tbody>
          {columns.map((col) => (
            <tr key={col.name} data-column={col.name}>
              <td>{col.name}</td>
              <td>{col.dataType}</td>
              <td>{col.constraint}</td>
              <td>{col.defaultValue === undefined ? '' : `default ${JSON.stringify(col.defaultValue)}`}</td>
              <td className="actions">
                <Delete what={`column ${col.name} and its values`} onDelete={() => run(() => api('DELETE', `${path}/column?columnName=${encodeURIComponent(col.name)}`)).then(() => {})} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="create"
        id="new-column"
        onSubmit={(e) => {
          e.preventDefault();
          const body = { ...c, name: c.name.trim(), defaultValue: defaultValue(c, def) };
          run(() => api('POST', `${path}/column`, body)).then((ok) => ok && (setC(blankColumn()), setDef('')));
        }}
      >
        <ColumnFields c={c} set={setC} />
        <input className="column-default" placeholder="Default value (optional)" value={def} onChange={(e) => setDef(e.target.value)} />
        <button type="submit" id="add-table-column" disabled={c.name.trim() === ''}>
          Add column
        </button>
      </form>
    </details>
  );
}
