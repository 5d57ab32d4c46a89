import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { Delete, ErrorLine } from './pages';
import { Pager, show } from './pager';
import { Columns } from './table_columns';
import { tablesPath, type Column, type DataTable } from './tables';

type Row = Record<string, unknown> & { id: string };

interface Rows {
  items: Row[];
  count: number;
  totalCount: number;
}

const perPage = 25;

/** A cell's text as typed, for the fields of a row being added or edited. */
const asText = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/**
 * Turns the texts typed in a row's fields into the column's types: empty
 * is null when editing (clears the cell) and left out when adding (the
 * default applies). A number that does not read as one is sent as typed,
 * so the server's message names the column.
 */
function rowBody(columns: Column[], texts: Record<string, string>, adding: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const t = (texts[c.name] ?? '').trim();
    if (t === '') {
      if (!adding) out[c.name] = null;
      continue;
    }
    if (c.dataType === 'number') out[c.name] = t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
    else if (c.dataType === 'boolean') out[c.name] = t === 'true' ? true : t === 'false' ? false : t;
    else out[c.name] = texts[c.name];
  }
  return out;
}

/** The fields of a row: a text field per column, a choice for booleans. */
function Cells({ columns, texts, set }: { columns: Column[]; texts: Record<string, string>; set: (t: Record<string, string>) => void }) {
  return (
    <>
      {columns.map((c) =>
        c.dataType === 'boolean' ? (
          <select key={c.name} name={c.name} aria-label={c.name} value={texts[c.name] ?? ''} onChange={(e) => set({ ...texts, [c.name]: e.target.value })}>
            <option value="">{c.name}: empty</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : (
          <input
            key={c.name}
            name={c.name}
            placeholder={`${c.name} (${c.dataType}${c.constraint === 'optional' ? '' : ', ' + c.constraint})`}
            inputMode={c.dataType === 'number' ? 'decimal' : undefined}
            value={texts[c.name] ?? ''}
            onChange={(e) => set({ ...texts, [c.name]: e.target.value })}
          />
        ),
      )}
    </>
  );
}

/** A data table's rows: paging, sorting, a query, and adding, editing and deleting rows. */
export function TablePage({ appId, tableId }: { appId: string; tableId: string }) {
  const path = `${tablesPath(appId)}/${tableId}`;
  const [table, setTable] = useState<DataTable | null>(null);
  const [rows, setRows] = useState<Rows | null>(null);
  const [page, setPage] = useState(0);
  const [sort, setSort] = useState({ column: 'createdAt', direction: 'asc' });
  const [queryText, setQueryText] = useState('');
  const [query, setQuery] = useState<unknown>(null); // the query applied, null: all rows
  const [adding, setAdding] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<{ id: string; texts: Record<string, string> } | null>(null);
  const [error, setError] = useState('');
  const [queryError, setQueryError] = useState('');
  const load = useCallback(async () => {
    const qs = `?limit=${perPage}&offset=${page * perPage}&sortColumn=${encodeURIComponent(sort.column)}&sortDirection=${sort.direction}`;
    try {
      const [t, r] = await Promise.all([
        api<DataTable>('GET', path),
        query === null ? api<Rows>('GET', `${path}/rows${qs}`) : api<Rows>('POST', `${path}/rows/query${qs}`, query),
      ]);
      setTable(t), setRows(r), setError('');
    } catch (err) {
      if (query === null) return setError((err as Error).message);
      setQueryError((err as Error).message); // a refused query: its message, no rows
      setRows(null);
    }
  }, [path, page, sort, query]);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setError('');
      await load();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  };
  if (!table) return error ? <ErrorLine error={error} /> : <p>Loading…</p>;
  const sortBy = (column: string) => setSort((s) => ({ column, direction: s.column === column && s.direction === 'asc' ? 'desc' : 'asc' }));
  const arrow = (column: string) => (sort.column === column ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : '');
  const shown = [...table.columns.map((c) => c.name), 'updatedAt'];
  return (
    <section id="table" data-id={table.id}>
      <nav className="crumbs">
        <a href={`#/applications/${appId}/tables`}>Data tables</a> / <strong id="table-name">{table.name}</strong>
      </nav>
      <ErrorLine error={error} />
      <Columns path={path} columns={table.columns} onChanged={load} />
      <form
        className="create panel"
        id="new-row"
        aria-label="New row"
        onSubmit={(e) => {
          e.preventDefault();
          act(() => api('POST', `${path}/rows`, rowBody(table.columns, adding, true))).then((ok) => ok && setAdding({}));
        }}
      >
        <strong>New row</strong>
        <Cells columns={table.columns} texts={adding} set={setAdding} />
        <button type="submit" id="add-row" className="primary">
          Add row
        </button>
      </form>
      <form
        className="panel"
        id="row-query"
        aria-label="Query rows"
        onSubmit={(e) => {
          e.preventDefault();
          setQueryError('');
          if (queryText.trim() === '') return setQuery(null);
          try {
            setQuery(JSON.parse(queryText));
            setPage(0);
          } catch (err) {
            setQueryError('The query is not JSON: ' + (err as Error).message);
          }
        }}
      >
        <h2>Query</h2>
        <textarea id="query-text" className="json" placeholder='Query as JSON, e.g. {"$and": [{"temp": {"$gt": 20}}]}' value={queryText} onChange={(e) => setQueryText(e.target.value)} />
        <p className="error" role="alert" id="query-error" hidden={!queryError}>
          {queryError}
        </p>
        <div className="create">
          <button type="submit" id="run-query">
            Run query
          </button>
          <button type="button" id="clear-query" disabled={query === null} onClick={() => (setQuery(null), setQueryText(''), setQueryError(''), setPage(0))}>
            Show all rows
          </button>
          {query !== null && <span className="hint">Showing the rows the query matches.</span>}
        </div>
      </form>
      <table className="list" id="rows">
        <thead>
          <tr>
            {shown.map((c) => (
              <th key={c}>
                <button type="button" className="link sort" data-column={c} onClick={() => sortBy(c)}>
                  {c}
                  {arrow(c)}
                </button>
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows?.items.map((r) =>
            editing?.id === r.id ? (
              <tr key={r.id} data-id={r.id} className="editing">
                <td colSpan={shown.length}>
                  <div className="create">
                    <Cells columns={table.columns} texts={editing.texts} set={(texts) => setEditing({ id: r.id, texts })} />
                  </div>
                </td>
                <td className="actions">
                  <button type="button" className="save-row" onClick={() => act(() => api('PATCH', `${path}/rows/${r.id}`, rowBody(table.columns, editing.texts, false))).then((ok) => ok && setEditing(null))}>
                    Save
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </td>
              </tr>
            ) : (
              <tr key={r.id} data-id={r.id}>
                {shown.map((c) => (
                  <td key={c} data-column={c}>
                    {c === 'updatedAt' ? <span className="sub">{new Date(String(r[c])).toLocaleString()}</span> : show(r[c])}
                  </td>
                ))}
                <td className="actions">
                  <button type="button" className="link edit-row" onClick={() => setEditing({ id: r.id, texts: Object.fromEntries(table.columns.map((c) => [c.name, asText(r[c.name])])) })}>
                    Edit
                  </button>
                  <Delete what="this row" onDelete={() => act(() => api('DELETE', `${path}/rows/${r.id}`)).then(() => {})} />
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      {rows?.items.length === 0 && <p className="empty">{query === null ? 'No rows yet.' : 'No row matches the query.'}</p>}
      {rows && <Pager id="rows-pager" page={page} perPage={perPage} total={rows.totalCount} onPage={setPage} />}
    </section>
  );
}
