-- Experience users, groups and their memberships, and the access settings
-- (and tags) of experience endpoints that use them. Everything goes with its
-- application; memberships go with their user or group. The statements
-- that use these tables are shared with SQLite (store/sqlstore): times
-- are Unix milliseconds and JSON is text in both.
CREATE TABLE experience_users (
	id                    text PRIMARY KEY,
	application_id        text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	email                 text NOT NULL,
	first_name            text NOT NULL,
	last_name             text NOT NULL,
	avatar_url            text NOT NULL,
	password_hash         text NOT NULL,
	user_tags             text NOT NULL,
	token_cutoff          bigint,
	last_login            bigint,
	password_last_updated bigint,
	creation_date         bigint NOT NULL,
	last_updated          bigint NOT NULL,
	CONSTRAINT experience_users_email UNIQUE (application_id, email)
);

CREATE TABLE experience_groups (
	id                text PRIMARY KEY,
	application_id    text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name              text NOT NULL,
	description       text NOT NULL,
	parent_id         text NOT NULL,
	group_tags        text NOT NULL,
	endpoint_ids      text NOT NULL,
	device_ids        text NOT NULL,
	device_tags       text NOT NULL,
	device_query_json text NOT NULL,
	creation_date     bigint NOT NULL,
	last_updated      bigint NOT NULL
);
CREATE INDEX experience_groups_application_id ON experience_groups (application_id, name);

CREATE TABLE experience_group_members (
	group_id text NOT NULL REFERENCES experience_groups (id) ON DELETE CASCADE,
	user_id  text NOT NULL REFERENCES experience_users (id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX experience_group_members_user_id ON experience_group_members (user_id);

ALTER TABLE experience_endpoints ADD COLUMN experience_group_ids text NOT NULL DEFAULT '[]';
ALTER TABLE experience_endpoints ADD COLUMN unauthorized_reply text NOT NULL DEFAULT '';
ALTER TABLE experience_endpoints ADD COLUMN endpoint_tags text NOT NULL DEFAULT '{}';
