import { useEffect, useState } from 'react';
import { api, flowPath } from './api';
import { setPath } from './doc';

/** One input a custom node declares (its flow's customNodeConfig.fields). */
interface InputDef {
  id: string;
  type: string; // stringTemplate, numberTemplate, jsonTemplate, payloadPath, select, checkbox
  label?: string;
  defaultValue?: unknown;
}

/**
 * The inputs of the custom node a Custom Node Execute node runs, each with
 * the custom node's label and type, editing the node's config.fields
 * ({id, value} per input; entries for other ids are kept). Until the custom
 * node is known, or when it declares no inputs, it shows fallback.
 */
export function CustomNodeInputs({ appId, raw, onChange, fallback }: { appId: string; raw: any; onChange: (raw: any, coalesce?: string) => void; fallback: React.ReactNode }) {
  const id: string = raw.config?.customNodeId ?? '';
  const [defs, setDefs] = useState<InputDef[] | null>(null);
  useEffect(() => {
    setDefs(null);
    if (!/^[0-9a-f]{24}$/.test(id)) return;
    api<any>('GET', flowPath(appId, id)).then(
      (f) => setDefs(Array.isArray(f.customNodeConfig?.fields) ? f.customNodeConfig.fields.filter((d: any) => typeof d?.id === 'string') : []),
      () => setDefs(null),
    );
  }, [appId, id]);
  if (!defs || defs.length === 0) return <>{fallback}</>;
  const given: any[] = Array.isArray(raw.config?.fields) ? raw.config.fields : [];
  const valueOf = (fid: string) => given.find((g) => g?.id === fid)?.value;
  const set = (fid: string, value: unknown) => {
    const fields = given.some((g) => g?.id === fid) ? given.map((g) => (g?.id === fid ? { ...g, value } : g)) : [...given, { id: fid, value }];
    onChange(setPath(raw, 'config.fields', fields), 'config.fields.' + fid);
  };
  return (
    <fieldset className="picker custom-inputs" id="custom-node-inputs">
      <legend>Inputs of the custom node</legend>
      {defs.map((d) =>
        d.type === 'checkbox' ? (
          <label key={d.id} className="check">
            <input type="checkbox" name={`input.${d.id}`} checked={valueOf(d.id) === true} onChange={(e) => set(d.id, e.target.checked)} /> {d.label || d.id}
          </label>
        ) : (
          <label key={d.id}>
            <span className="field-name">
              {d.label || d.id}
              <span className="kind">{d.type}</span>
            </span>
            <input
              name={`input.${d.id}`}
              className={d.type === 'payloadPath' ? 'path' : 'template'}
              value={valueOf(d.id) === undefined || valueOf(d.id) === null ? '' : String(valueOf(d.id))}
              placeholder={d.defaultValue === undefined || d.defaultValue === null ? '' : `default: ${String(d.defaultValue)}`}
              onChange={(e) => set(d.id, e.target.value)}
            />
          </label>
        ),
      )}
    </fieldset>
  );
}
