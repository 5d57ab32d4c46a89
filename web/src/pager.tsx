import { useEffect } from 'react';

/** Previous and next buttons over a paged list, with where the page is. */
export function Pager({ page, perPage, total, onPage, id }: { page: number; perPage: number; total: number; onPage: (p: number) => void; id: string }) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (total <= perPage && page === 0) return null;
  return (
    <div className="pager" id={id}>
      <button type="button" className="prev" disabled={page === 0} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span className="where">
        Page {page + 1} of {pages} ({total} in all)
      </span>
      <button type="button" className="next" disabled={page + 1 >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </div>
  );
}

/** A time as the console shows it: local date and time, and how long ago. */
export function ago(iso: string | number | undefined): string {
  if (iso === undefined || iso === null || iso === '') return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const s = Math.round((Date.now() - t) / 1000);
  const rel = s < 60 ? `${Math.max(s, 0)} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : s < 86400 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
  return `${new Date(t).toLocaleString()} (${rel})`;
}

/** A value of a state or row, short enough for a table cell. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Runs load now, and again every `every` ms while the tab is visible. */
export function useRefresh(load: () => unknown, every: number) {
  useEffect(() => {
    load();
    const timer = setInterval(() => document.hidden || load(), every); // not while the tab is hidden
    return () => clearInterval(timer);
  }, [load, every]);
}
