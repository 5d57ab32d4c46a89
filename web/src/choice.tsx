// Config inputs for fields whose spec says more than their kind: a template
// field with a list of usual values (an encoding, a method) is picked from
// the list, or typed as a template; an array of key-value pairs (tags,
// headers) whose items the spec names only in its doc gets a key and a
// value input per row.

import { useState, type ReactNode } from 'react';
import type { Field } from './api';

/** The select's value that switches to typing the field's value. */
const typed = '*typed*';

/** A field with a list of usual values that may also be a template: a select, with a text input for anything else. */
export function Choice({ field, value, title, onChange }: { field: Field; value: any; title: ReactNode; onChange: (v: any) => void }) {
  const options = field.enum ?? [];
  const current = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const [chosen, setTyping] = useState(false); // "another value" picked for a value in the list
  const typing = chosen || (current !== '' && !options.includes(current));
  return (
    <label className="choice">
      {title}
      <select
        name={field.path}
        data-choice=""
        value={typing ? typed : current}
        onChange={(e) => {
          if (e.target.value === typed) return setTyping(true);
          setTyping(false);
          onChange(e.target.value);
        }}
      >
        <option value="">{field.default ? `— default: ${field.default} —` : '—'}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        <option value={typed}>Another value or a template…</option>
      </select>
      {typing && (
        <input
          name={field.path}
          data-typed=""
          spellCheck={false}
          className={field.kind}
          value={current}
          placeholder="{{data.value}}"
          autoFocus
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {field.doc && <small>{field.doc}</small>}
    </label>
  );
}

/**
 * The subfields of an array of key-value pairs whose spec lists none, read
 * from its doc ("each {keyTemplate, valueTemplate}", "[{key, value}]"):
 * two template fields; none when the doc names no pair.
 */
export function pairFields(field: Field): Field[] {
  const m = /\{\s*(\w*key\w*)\s*,\s*(\w*value\w*)\s*\}/i.exec(field.doc ?? '');
  if (!m) return [];
  return [m[1], m[2]].map((k) => ({ name: `${field.name}[].${k}`, path: `${field.path}[].${k}`, kind: 'template' }));
}
