-- Experience users, groups and their memberships, and the access settings
-- (and tags) of experience endpoints that use them. Everything goes with its
-- application; memberships go with their user or group. The statements
-- that use these tables are shared with PostgreSQL (store/sqlstore): times
-- are Unix milliseconds and JSON is text in both.
CREATE TABLE experience_users (
	id                    TEXT PRIMARY KEY,
	application_id        TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	email                 TEXT NOT NULL,
	first_name            TEXT NOT NULL,
	last_name             TEXT NOT NULL,
	avatar_url            TEXT NOT NULL,
	password_hash         TEXT NOT NULL,
	user_tags             TEXT NOT NULL,
	token_cutoff          INTEGER,
	last_login            INTEGER,
	password_last_updated INTEGER,
	creation_date         INTEGER NOT NULL,
	last_updated          INTEGER NOT NULL,
	UNIQUE (application_id, email)
);

CREATE TABLE experience_groups (
	id                TEXT PRIMARY KEY,
	application_id    TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	description       TEXT NOT NULL,
	parent_id         TEXT NOT NULL,
	group_tags        TEXT NOT NULL,
	endpoint_ids      TEXT NOT NULL,
	device_ids        TEXT NOT NULL,
	device_tags       TEXT NOT NULL,
	device_query_json TEXT NOT NULL,
	creation_date     INTEGER NOT NULL,
	last_updated      INTEGER NOT NULL
);
CREATE INDEX experience_groups_application_id ON experience_groups (application_id, name);

CREATE TABLE experience_group_members (
	group_id TEXT NOT NULL REFERENCES experience_groups (id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES experience_users (id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX experience_group_members_user_id ON experience_group_members (user_id);

ALTER TABLE experience_endpoints ADD COLUMN experience_group_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE experience_endpoints ADD COLUMN unauthorized_reply TEXT NOT NULL DEFAULT '';
ALTER TABLE experience_endpoints ADD COLUMN endpoint_tags TEXT NOT NULL DEFAULT '{}';
