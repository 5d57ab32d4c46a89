import { useState } from 'react';
import { api, appPath } from './api';
import { Delete, ErrorLine } from './pages';
import { useList } from './resources';
import { parseTags, tagsText } from './attributes';
import type { Device } from './devices';
import type { ExperienceUser } from './users';

/** An experience group as the REST API answers it. */
export interface ExperienceGroup {
  id: string;
  name: string;
  description: string;
  parentId: string | null;
  experienceUserIds: string[];
  deviceIds: string[];
  deviceTags: { key: string; value: string }[];
  deviceQueryJson: string | null;
}

export const groupsPath = (appId: string) => `${appPath(appId)}/experience/groups`;

/** Groups in tree order (each below its parent, siblings by name) with their depth. */
export function treeOrder(groups: ExperienceGroup[]): { g: ExperienceGroup; depth: number }[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const children = new Map<string, ExperienceGroup[]>();
  for (const g of groups) {
    const parent = g.parentId && byId.has(g.parentId) ? g.parentId : '';
    children.set(parent, [...(children.get(parent) ?? []), g]);
  }
  const out: { g: ExperienceGroup; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (id: string, depth: number) => {
    for (const g of (children.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      out.push({ g, depth });
      walk(g.id, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/** Ticks to choose some of the application's groups, shown as their tree. */
export function GroupPicker({ id, groups, value, onChange }: { id: string; groups: ExperienceGroup[]; value: string[]; onChange: (ids: string[]) => void }) {
  if (groups.length === 0) return <p className="hint">No experience groups yet: create them on the Experience groups tab.</p>;
  const items = treeOrder(groups).map(({ g, depth }) => ({ id: g.id, label: g.name, depth }));
  return <Ticks id={id} legend="Groups" items={items} value={value} onChange={onChange} />;
}

/** Ticks to choose some items by id, each shown by its label (indented by its depth in a tree). */
function Ticks({ id, legend, items, value, onChange }: { id: string; legend: string; items: { id: string; label: string; depth?: number }[]; value: string[]; onChange: (ids: string[]) => void }) {
  return (
    <fieldset className="picker" id={id}>
      <legend>{legend}</legend>
      {items.length === 0 && <span className="hint">none yet</span>}
      {items.map((it) => (
        <label key={it.id} className="toggle" style={it.depth ? { paddingLeft: it.depth * 16 } : undefined}>
          <input
            type="checkbox"
            value={it.id}
            data-name={it.label}
            checked={value.includes(it.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, it.id] : value.filter((x) => x !== it.id))}
          />{' '}
          {it.label}
        </label>
      ))}
    </fieldset>
  );
}

/** The ids of g and of every group below it. */
function below(groups: ExperienceGroup[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const g of groups) {
      if (g.parentId && out.has(g.parentId) && !out.has(g.id)) out.add(g.id), (grew = true);
    }
  }
  return out;
}

/** Choose a group's parent: none, or any group not below it. */
function ParentSelect({ id, groups, self, value, onChange }: { id: string; groups: ExperienceGroup[]; self?: string; value: string; onChange: (v: string) => void }) {
  const excluded = self ? below(groups, self) : new Set<string>();
  return (
    <select id={id} aria-label="Parent group" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">No parent (top level)</option>
      {treeOrder(groups)
        .filter(({ g }) => !excluded.has(g.id))
        .map(({ g, depth }) => (
          <option key={g.id} value={g.id}>
            {'\u00a0'.repeat(depth * 3) + g.name}
          </option>
        ))}
    </select>
  );
}

/** One group's editor: name, description, parent, members and devices. */
function GroupEdit({ appId, group, groups, onSaved }: { appId: string; group: ExperienceGroup; groups: ExperienceGroup[]; onSaved: () => void }) {
  const users = useList<ExperienceUser>(`${appPath(appId)}/experience/users`, 'email');
  const devices = useList<Device>(`${appPath(appId)}/devices`, 'name');
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const [parent, setParent] = useState(group.parentId ?? '');
  const [members, setMembers] = useState(group.experienceUserIds);
  const [deviceIds, setDeviceIds] = useState(group.deviceIds);
  const [deviceTags, setDeviceTags] = useState(tagsText(group.deviceTags ?? []));
  const [deviceQuery, setDeviceQuery] = useState(group.deviceQueryJson ?? '');
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  return (
    <form
      className="panel"
      id="group-edit"
      aria-label={`Group ${group.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api('PATCH', `${groupsPath(appId)}/${group.id}`, {
            name: name.trim(),
            description,
            parentId: parent || null,
            experienceUserIds: members,
            deviceIds,
            deviceTags: parseTags(deviceTags),
            deviceQueryJson: deviceQuery.trim() || null,
          });
          setError(''), setSaved(true);
          onSaved();
        } catch (err) {
          setError((err as Error).message), setSaved(false);
        }
      }}
    >
      <h2>Group {group.name}</h2>
      <ErrorLine error={error || users.error || devices.error} />
      <div className="create">
        <input id="group-name" aria-label="Name" value={name} onChange={(e) => (setName(e.target.value), setSaved(false))} />
        <input id="group-description" placeholder="Description" value={description} onChange={(e) => (setDescription(e.target.value), setSaved(false))} />
        <ParentSelect id="group-parent" groups={groups} self={group.id} value={parent} onChange={(v) => (setParent(v), setSaved(false))} />
      </div>
      <Ticks id="group-members" legend="Members" items={(users.items ?? []).map((u) => ({ id: u.id, label: u.email }))} value={members} onChange={(v) => (setMembers(v), setSaved(false))} />
      <Ticks id="group-devices" legend="Devices" items={(devices.items ?? []).map((d) => ({ id: d.id, label: d.name }))} value={deviceIds} onChange={(v) => (setDeviceIds(v), setSaved(false))} />
      <div className="create">
        <input
          id="group-device-tags"
          className="search"
          placeholder="Devices by tag: floor=2, kind"
          title="Members also see every device with one of these tags; a key alone matches any value"
          value={deviceTags}
          onChange={(e) => (setDeviceTags(e.target.value), setSaved(false))}
        />
      </div>
      <label className="stack">
        <span className="hint">Devices by an advanced device query (JSON, e.g. {'{"name": "Sensor 1"}'}); empty for none</span>
        <textarea id="group-device-query" className="code json" spellCheck={false} rows={3} value={deviceQuery} onChange={(e) => (setDeviceQuery(e.target.value), setSaved(false))} />
      </label>
      <div className="create">
        <button type="submit" id="save-group" className="primary" disabled={name.trim() === ''}>
          Save group
        </button>
        {saved && (
          <span className="notice" id="group-saved" role="status">
            Saved
          </span>
        )}
      </div>
      <p className="hint">Members of a group also belong to every group below it, and see the devices those groups name.</p>
    </form>
  );
}

/** An application's experience groups: the tree, create, edit and delete. */
export function Groups({ appId }: { appId: string }) {
  const path = groupsPath(appId);
  const { items, error, act, load } = useList<ExperienceGroup>(path, 'name');
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const groups = items ?? [];
  const current = groups.find((g) => g.id === open);
  return (
    <section id="groups">
      <ErrorLine error={error} />
      <form
        className="create"
        aria-label="New group"
        onSubmit={(e) => {
          e.preventDefault();
          act(() => api('POST', path, { name: name.trim(), ...(parent ? { parentId: parent } : {}) })).then((ok) => ok && setName(''));
        }}
      >
        <input id="new-group-name" placeholder="New group name" value={name} onChange={(e) => setName(e.target.value)} />
        <ParentSelect id="new-group-parent" groups={groups} value={parent} onChange={setParent} />
        <button type="submit" id="create-group" disabled={name.trim() === ''}>
          Create group
        </button>
      </form>
      {items?.length === 0 && <p className="empty">No experience groups yet.</p>}
      <table className="list" id="group-tree">
        <tbody>
          {treeOrder(groups).map(({ g, depth }) => (
            <tr key={g.id} data-id={g.id} data-depth={depth} className={g.id === open ? 'on' : ''}>
              <td style={{ paddingLeft: 8 + depth * 20 }}>
                <button type="button" className="link name open-group" onClick={() => setOpen(g.id)}>
                  {g.name}
                </button>
                <div className="sub">
                  {g.experienceUserIds.length} member{g.experienceUserIds.length === 1 ? '' : 's'} · {g.deviceIds.length} device{g.deviceIds.length === 1 ? '' : 's'}
                  {g.deviceTags?.length ? ` · tags ${tagsText(g.deviceTags)}` : ''}
                  {g.description ? ` · ${g.description}` : ''}
                </div>
              </td>
              <td className="actions">
                <Delete what={`group ${g.name}`} onDelete={() => act(() => api('DELETE', `${path}/${g.id}`)).then(() => {})} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {current && <GroupEdit key={current.id} appId={appId} group={current} groups={groups} onSaved={load} />}
    </section>
  );
}
