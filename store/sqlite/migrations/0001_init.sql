-- Applications, flows and their per-version run stats, API tokens, flow
-- storage, run logs and the durable run queue. Times are Unix milliseconds;
-- JSON columns hold compact JSON text.

CREATE TABLE applications (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	description   TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	owner_type    TEXT NOT NULL,
	globals       TEXT NOT NULL,
	creation_date INTEGER NOT NULL,
	last_updated  INTEGER NOT NULL
);
CREATE INDEX applications_owner_id ON applications (owner_id);

CREATE TABLE flows (
	id                   TEXT PRIMARY KEY,
	application_id       TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name                 TEXT NOT NULL,
	description          TEXT NOT NULL,
	short_description    TEXT NOT NULL,
	icon_data            TEXT NOT NULL,
	docs_url             TEXT NOT NULL,
	category             TEXT NOT NULL,
	enabled              INTEGER NOT NULL,
	flow_class           TEXT NOT NULL,
	default_version_id   TEXT,
	custom_node_supports TEXT NOT NULL,
	creation_date        INTEGER NOT NULL,
	last_updated         INTEGER NOT NULL,
	created_by_id        TEXT NOT NULL,
	created_by_type      TEXT NOT NULL,
	last_updated_by_id   TEXT NOT NULL,
	last_updated_by_type TEXT NOT NULL,
	definition           TEXT NOT NULL
);
CREATE INDEX flows_application_id ON flows (application_id);

-- One row per flow and version name; a flow's totals are the sums.
CREATE TABLE flow_stats (
	flow_id     TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	version     TEXT NOT NULL,
	run_count   INTEGER NOT NULL,
	error_count INTEGER NOT NULL,
	PRIMARY KEY (flow_id, version)
) WITHOUT ROWID;

CREATE TABLE tokens (
	id              TEXT PRIMARY KEY,
	owner_id        TEXT NOT NULL,
	owner_type      TEXT NOT NULL,
	name            TEXT NOT NULL,
	description     TEXT NOT NULL,
	scope           TEXT NOT NULL,
	status          TEXT NOT NULL,
	expiration_date INTEGER,
	creator_id      TEXT NOT NULL,
	creator_type    TEXT NOT NULL,
	creator_name    TEXT NOT NULL,
	creation_date   INTEGER NOT NULL,
	last_updated    INTEGER NOT NULL
);
CREATE INDEX tokens_owner ON tokens (owner_id, owner_type);

CREATE TABLE storage (
	flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (flow_id, key)
) WITHOUT ROWID;

-- seq orders entries written in the same millisecond.
CREATE TABLE logs (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL,
	flow_id         TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	application_id  TEXT NOT NULL,
	flow_version    TEXT NOT NULL,
	flow_version_id TEXT NOT NULL,
	time            INTEGER NOT NULL,
	run_count       INTEGER NOT NULL,
	paths_completed INTEGER NOT NULL,
	paths_failed    INTEGER NOT NULL,
	wall_time       REAL NOT NULL,
	errors          TEXT NOT NULL
);
CREATE INDEX logs_flow_time ON logs (flow_id, time, seq);

-- Accepted runs not yet completed, in acceptance order; body is the Run as
-- JSON. The queue is small and in memory too, so runs are found by seq and
-- the table has no index to maintain on the hot path.
CREATE TABLE runs (
	seq     INTEGER PRIMARY KEY,
	id      TEXT NOT NULL,
	flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	body    TEXT NOT NULL
);
