-- Named, immutable versions of flows. A version's run stats live in
-- flow_stats under its name; its logs keep its id in flow_version_id.
CREATE TABLE flow_versions (
	id                   TEXT PRIMARY KEY,
	flow_id              TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	application_id       TEXT NOT NULL,
	version              TEXT NOT NULL,
	notes                TEXT NOT NULL,
	enabled              INTEGER NOT NULL,
	flow_class           TEXT NOT NULL,
	creation_date        INTEGER NOT NULL,
	last_updated         INTEGER NOT NULL,
	created_by_id        TEXT NOT NULL,
	created_by_type      TEXT NOT NULL,
	last_updated_by_id   TEXT NOT NULL,
	last_updated_by_type TEXT NOT NULL,
	definition           TEXT NOT NULL,
	UNIQUE (flow_id, version)
);
