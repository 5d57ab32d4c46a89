import { useState } from 'react';
import { api } from './api';
import { AttributesEditor, namedAttrs, parseTags, tagsText, type Attr } from './attributes';
import type { Device } from './devices';
import { ErrorLine } from './pages';

/** Edits a device's name, description, tags and attributes (a PATCH). */
export function EditDevice({ path, device, onDone }: { path: string; device: Device; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(device.name);
  const [description, setDescription] = useState(device.description ?? '');
  const [tags, setTags] = useState(tagsText(device.tags));
  const [attrs, setAttrs] = useState<Attr[]>(device.attributes.map((a) => ({ ...a })));
  const [error, setError] = useState('');
  return (
    <form
      className="panel"
      id="edit-device"
      aria-label="Edit device"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api('PATCH', path, { name: name.trim(), description, tags: parseTags(tags), attributes: namedAttrs(attrs) });
          onDone(true);
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h2>Edit device</h2>
      <ErrorLine error={error} />
      <div className="create">
        <input id="edit-device-name" aria-label="Name" value={name} onChange={(e) => setName(e.target.value)} />
        <input id="edit-device-description" placeholder="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <input id="edit-device-tags" placeholder="Tags: floor=2, kind=sensor" value={tags} onChange={(e) => setTags(e.target.value)} />
      </div>
      <AttributesEditor attrs={attrs} set={setAttrs} />
      <div className="create">
        <button type="submit" id="save-device" className="primary" disabled={name.trim() === ''}>
          Save device
        </button>
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
