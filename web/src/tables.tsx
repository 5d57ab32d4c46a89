import { useCallback, useEffect, useState } from 'react';
import { api, appPath, type List } from './api';
import { Delete, ErrorLine } from './pages';

/** A column of a data table. */
export interface Column {
  name: string;
  dataType: string;
  constraint: string;
  defaultValue?: unknown;
}

/** A data table as the REST API answers it. */
export interface DataTable {
  id: string;
  name: string;
  description?: string;
  columns: Column[];
  lastUpdated: string;
}

export const tablesPath = (appId: string) => `${appPath(appId)}/data-tables`;

/** The name, data type and constraint fields of a column. */
export function ColumnFields({ c, set }: { c: Column; set: (c: Column) => void }) {
  return (
    <>
      <input className="column-name" placeholder="Column name" value={c.name} onChange={(e) => set({ ...c, name: e.target.value })} />
      <select className="column-type" aria-label="Data type" value={c.dataType} onChange={(e) => set({ ...c, dataType: e.target.value })}>
        <option>string</option>
        <option>number</option>
        <option>boolean</option>
      </select>
      <select className="column-constraint" aria-label="Constraint" value={c.constraint} onChange={(e) => set({ ...c, constraint: e.target.value })}>
        <option>optional</option>
        <option>required</option>
        <option>unique</option>
      </select>
    </>
  );
}

export const blankColumn = (): Column => ({ name: '', dataType: 'string', constraint: 'optional' });

function NewTable({ appId, onCreated }: { appId: string; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [columns, setColumns] = useState<Column[]>([blankColumn()]);
  const [error, setError] = useState('');
  const setColumn = (i: number, c: Column) => setColumns((cs) => cs.map((x, j) => (j === i ? c : x)));
  return (
    <form
      className="panel"
      id="new-table"
      aria-label="New data table"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const cols = columns.filter((c) => c.name.trim() !== '').map((c) => ({ ...c, name: c.name.trim() }));
          const t = await api<DataTable>('POST', tablesPath(appId), { name: name.trim(), columns: cols });
          setName(''), setColumns([blankColumn()]), setError('');
          onCreated(t.id);
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>New data table</h2>
      <ErrorLine error={error} />
      <input id="new-table-name" placeholder="Table name" value={name} onChange={(e) => setName(e.target.value)} />
      <div className="columns-editor">
        {columns.map((c, i) => (
          <div className="create column-row" key={i}>
            <ColumnFields c={c} set={(x) => setColumn(i, x)} />
            <button type="button" className="link danger" onClick={() => setColumns((cs) => cs.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
      </div>
      <div className="create">
        <button type="button" id="add-column" onClick={() => setColumns((cs) => [...cs, blankColumn()])}>
          Add column
        </button>
        <button type="submit" id="create-table" className="primary" disabled={name.trim() === ''}>
          Create table
        </button>
      </div>
    </form>
  );
}

/** An application's data tables: list, create and delete. */
export function Tables({ appId }: { appId: string }) {
  const [tables, setTables] = useState<DataTable[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setTables((await api<List<DataTable>>('GET', `${tablesPath(appId)}?perPage=1000&sortField=name`)).items);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId]);
  useEffect(() => {
    load();
  }, [load]);
  return (
    <section id="tables">
      <ErrorLine error={error} />
      <NewTable appId={appId} onCreated={(id) => (location.hash = `#/applications/${appId}/tables/${id}`)} />
      {tables?.length === 0 && <p className="empty">No data tables yet.</p>}
      <table className="list">
        <tbody>
          {tables?.map((t) => (
            <tr key={t.id} data-id={t.id}>
              <td>
                <a href={`#/applications/${appId}/tables/${t.id}`} className="name">
                  {t.name}
                </a>
                <div className="sub">{t.columns.map((c) => `${c.name} (${c.dataType}, ${c.constraint})`).join(' · ') || 'no columns'}</div>
              </td>
              <td className="actions">
                <Delete what={`table ${t.name} and its rows`} onDelete={() => api('DELETE', `${tablesPath(appId)}/${t.id}`).then(load, (err) => setError(err.message))} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
