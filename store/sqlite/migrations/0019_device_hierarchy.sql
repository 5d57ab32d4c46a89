-- The device hierarchy: a device's parent ('' for none) and its ancestors
-- (a JSON array of ids, from the top down to the parent), kept by the
-- shared statements of store/sqlstore whenever a parent changes.
ALTER TABLE devices ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN ancestor_ids TEXT NOT NULL DEFAULT '[]';
CREATE INDEX devices_parent_id ON devices (application_id, parent_id);
