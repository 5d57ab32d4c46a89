-- Experience views (layouts, pages, components), the settings of the
-- develop experience version, and application files with their contents.
-- All go with their application. The statements that use these tables are
-- shared with SQLite (store/sqlstore): times are Unix milliseconds and
-- JSON is text in both.
CREATE TABLE experience_views (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           text NOT NULL,
	description    text NOT NULL,
	view_type      text NOT NULL,
	layout_id      text NOT NULL,
	body           text NOT NULL,
	headers        text NOT NULL,
	view_tags      text NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL,
	UNIQUE (application_id, view_type, name)
);

CREATE TABLE application_files (
	id               text PRIMARY KEY,
	application_id   text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	parent_directory text NOT NULL,
	name             text NOT NULL,
	type             text NOT NULL,
	status           text NOT NULL,
	file_size        bigint NOT NULL,
	content_type     text NOT NULL,
	content          bytea,
	creation_date    bigint NOT NULL,
	last_updated     bigint NOT NULL,
	UNIQUE (application_id, parent_directory, name)
);

CREATE TABLE experience_versions (
	application_id        text PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
	description           text NOT NULL,
	endpoint_default_cors boolean NOT NULL,
	allowed_cors_origins  text NOT NULL,
	creation_date         bigint NOT NULL,
	last_updated          bigint NOT NULL
);
