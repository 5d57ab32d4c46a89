-- Experience views (layouts, pages, components), the settings of the
-- develop experience version, and application files with their contents.
-- All go with their application. The statements that use these tables are
-- shared with PostgreSQL (store/sqlstore): times are Unix milliseconds and
-- JSON is text in both.
CREATE TABLE experience_views (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	description    TEXT NOT NULL,
	view_type      TEXT NOT NULL,
	layout_id      TEXT NOT NULL,
	body           TEXT NOT NULL,
	headers        TEXT NOT NULL,
	view_tags      TEXT NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL,
	UNIQUE (application_id, view_type, name)
);

CREATE TABLE application_files (
	id               TEXT PRIMARY KEY,
	application_id   TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	parent_directory TEXT NOT NULL,
	name             TEXT NOT NULL,
	type             TEXT NOT NULL,
	status           TEXT NOT NULL,
	file_size        INTEGER NOT NULL,
	content_type     TEXT NOT NULL,
	content          BLOB,
	creation_date    INTEGER NOT NULL,
	last_updated     INTEGER NOT NULL,
	UNIQUE (application_id, parent_directory, name)
);

CREATE TABLE experience_versions (
	application_id        TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
	description           TEXT NOT NULL,
	endpoint_default_cors INTEGER NOT NULL,
	allowed_cors_origins  TEXT NOT NULL,
	creation_date         INTEGER NOT NULL,
	last_updated          INTEGER NOT NULL
);
