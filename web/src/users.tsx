import { useCallback, useState } from 'react';
import { api, appPath, type List } from './api';
import { Delete, ErrorLine } from './pages';
import { Pager, ago, useRefresh } from './pager';
import { useList } from './resources';
import { GroupPicker, groupsPath, type ExperienceGroup } from './groups';

/** An experience user as the REST API answers it. */
export interface ExperienceUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  experienceGroups: { id: string; name: string }[];
  lastLogin?: string;
  creationDate: string;
}

export const usersPath = (appId: string) => `${appPath(appId)}/experience/users`;
const perPage = 25;
const searchFields = [
  ['email', 'Email'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
] as const;

/** The fields of a user, for the new-user form and the editor. */
function UserFields({ prefix, u, set, passwordHint }: { prefix: string; u: Draft; set: (u: Draft) => void; passwordHint: string }) {
  return (
    <div className="create">
      <input id={`${prefix}-email`} type="email" placeholder="Email" value={u.email} onChange={(e) => set({ ...u, email: e.target.value })} />
      <input id={`${prefix}-first`} placeholder="First name" value={u.firstName} onChange={(e) => set({ ...u, firstName: e.target.value })} />
      <input id={`${prefix}-last`} placeholder="Last name" value={u.lastName} onChange={(e) => set({ ...u, lastName: e.target.value })} />
      <input id={`${prefix}-password`} type="password" autoComplete="new-password" placeholder={passwordHint} value={u.password} onChange={(e) => set({ ...u, password: e.target.value })} />
    </div>
  );
}

interface Draft {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
  groups: string[];
}

const blank = (): Draft => ({ email: '', firstName: '', lastName: '', password: '', groups: [] });

function NewUser({ appId, groups, onCreated }: { appId: string; groups: ExperienceGroup[]; onCreated: () => void }) {
  const [u, setU] = useState(blank());
  const [error, setError] = useState('');
  return (
    <form
      className="panel"
      id="new-user"
      aria-label="New experience user"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api('POST', usersPath(appId), {
            email: u.email.trim(),
            firstName: u.firstName,
            lastName: u.lastName,
            password: u.password,
            experienceGroupIds: u.groups,
          });
          setU(blank()), setError('');
          onCreated();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>New experience user</h2>
      <ErrorLine error={error} />
      <UserFields prefix="new-user" u={u} set={setU} passwordHint="Password (8 characters or more)" />
      <GroupPicker id="new-user-groups" groups={groups} value={u.groups} onChange={(groups) => setU({ ...u, groups })} />
      <div className="create">
        <button type="submit" id="create-user" className="primary" disabled={u.email.trim() === '' || u.password === ''}>
          Create user
        </button>
      </div>
    </form>
  );
}

/** One user's editor; an empty password keeps the current one. */
function UserEdit({ appId, user, groups, onDone }: { appId: string; user: ExperienceUser; groups: ExperienceGroup[]; onDone: () => void }) {
  const [u, setU] = useState<Draft>({
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    password: '',
    groups: user.experienceGroups.map((g) => g.id),
  });
  const [error, setError] = useState('');
  return (
    <form
      className="panel"
      id="user-edit"
      aria-label={`User ${user.email}`}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          const body: Record<string, unknown> = { email: u.email.trim(), firstName: u.firstName, lastName: u.lastName, experienceGroupIds: u.groups };
          if (u.password !== '') body.password = u.password;
          await api('PATCH', `${usersPath(appId)}/${user.id}`, body);
          onDone();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>Edit {user.email}</h2>
      <ErrorLine error={error} />
      <UserFields prefix="edit-user" u={u} set={setU} passwordHint="New password (empty: keep)" />
      <GroupPicker id="edit-user-groups" groups={groups} value={u.groups} onChange={(groups) => setU({ ...u, groups })} />
      <div className="create">
        <button type="submit" id="save-user" className="primary" disabled={u.email.trim() === ''}>
          Save user
        </button>
        <button type="button" id="cancel-user" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** An application's experience users: search, create, edit, group membership and delete. */
export function Users({ appId }: { appId: string }) {
  const groups = useList<ExperienceGroup>(groupsPath(appId), 'name');
  const [list, setList] = useState<List<ExperienceUser> | null>(null);
  const [page, setPage] = useState(0);
  const [query, setQuery] = useState('');
  const [field, setField] = useState('email');
  const [group, setGroup] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      let q = `?sortField=email&perPage=${perPage}&page=${page}`;
      if (query.trim()) q += `&filterField=${field}&filter=${encodeURIComponent(query.trim())}`;
      if (group) q += `&experienceGroupId=${group}`;
      setList(await api<List<ExperienceUser>>('GET', usersPath(appId) + q));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [appId, page, query, field, group]);
  useRefresh(load, 30000);
  const reload = () => (load(), groups.load());
  const user = list?.items.find((u) => u.id === editing);
  return (
    <section id="users">
      <ErrorLine error={error || groups.error} />
      <NewUser appId={appId} groups={groups.items ?? []} onCreated={reload} />
      <div className="create">
        <input type="search" className="search" id="user-search" placeholder="Search users" value={query} onChange={(e) => (setQuery(e.target.value), setPage(0))} />
        <select id="user-search-field" aria-label="Search in" value={field} onChange={(e) => (setField(e.target.value), setPage(0))}>
          {searchFields.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <select id="user-group-filter" aria-label="In group" value={group} onChange={(e) => (setGroup(e.target.value), setPage(0))}>
          <option value="">Any group or none</option>
          <option value="none">In no group</option>
          {(groups.items ?? []).map((g) => (
            <option key={g.id} value={g.id}>
              In {g.name}
            </option>
          ))}
        </select>
      </div>
      {user && <UserEdit key={user.id} appId={appId} user={user} groups={groups.items ?? []} onDone={() => (setEditing(null), reload())} />}
      {list === null ? (
        <p>Loading…</p>
      ) : list.items.length === 0 ? (
        <p className="empty">{query || group ? 'No user matches.' : 'No experience users yet.'}</p>
      ) : (
        <table className="list" id="user-list">
          <thead>
            <tr>
              <th>User</th>
              <th>Groups</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id} data-id={u.id} data-email={u.email}>
                <td>
                  <strong className="email">{u.email}</strong>
                  <div className="sub">{[u.firstName, u.lastName].filter(Boolean).join(' ')}</div>
                </td>
                <td className="groups">{u.experienceGroups.map((g) => g.name).join(', ')}</td>
                <td className="sub">{u.lastLogin ? ago(u.lastLogin) : 'never'}</td>
                <td className="actions">
                  <button type="button" className="link edit-user" onClick={() => setEditing(u.id)}>
                    Edit
                  </button>
                  <Delete what={`user ${u.email}`} onDelete={() => api('DELETE', `${usersPath(appId)}/${u.id}`).then(reload, (err) => setError(err.message))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && <Pager id="users-pager" page={page} perPage={perPage} total={list.totalCount} onPage={setPage} />}
    </section>
  );
}
