/** A device attribute as the forms edit it. */
export interface Attr {
  name: string;
  dataType: string;
  description?: string;
}

const dataTypes = ['number', 'string', 'boolean', 'gps', 'blob'];

export const blankAttr = (): Attr => ({ name: '', dataType: 'number' });

/** The named attributes of a form, trimmed; rows left blank are dropped. */
export const namedAttrs = (attrs: Attr[]) => attrs.filter((a) => a.name.trim() !== '').map((a) => ({ ...a, name: a.name.trim() }));

/** Tags as "key=value, key2=value2", the way the forms take them. */
export const tagsText = (tags: { key: string; value: string }[]) => tags.map((t) => `${t.key}=${t.value}`).join(', ');

/** Parses "key=value, key2=value2" into device tags. */
export function parseTags(text: string): { key: string; value: string }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.indexOf('=');
      return i < 0 ? { key: s, value: '' } : { key: s.slice(0, i).trim(), value: s.slice(i + 1).trim() };
    });
}

/** Rows of attribute name and data type, with add and remove. */
export function AttributesEditor({ attrs, set }: { attrs: Attr[]; set: (f: (as: Attr[]) => Attr[]) => void }) {
  const setAttr = (i: number, a: Attr) => set((as) => as.map((x, j) => (j === i ? a : x)));
  return (
    <div className="attrs-editor">
      {attrs.map((a, i) => (
        <div className="create attr-row" key={i}>
          <input className="attr-name" placeholder="Attribute name" value={a.name} onChange={(e) => setAttr(i, { ...a, name: e.target.value })} />
          <select className="attr-type" aria-label="Data type" value={a.dataType} onChange={(e) => setAttr(i, { ...a, dataType: e.target.value })}>
            {dataTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <button type="button" className="link danger remove-attribute" onClick={() => set((as) => as.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="add-attribute" onClick={() => set((as) => [...as, blankAttr()])}>
          Add attribute
        </button>
      </div>
    </div>
  );
}
