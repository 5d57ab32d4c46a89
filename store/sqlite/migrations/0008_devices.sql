-- Devices, their tags, state history, latest attribute values and commands,
-- and the access keys devices authenticate with. Everything goes with its
-- application; a device's history goes with the device. The statements that
-- use these tables are shared with PostgreSQL (store/sqlstore): times are
-- Unix milliseconds and JSON is text in both.
CREATE TABLE devices (
	id              TEXT PRIMARY KEY,
	application_id  TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name            TEXT NOT NULL,
	description     TEXT NOT NULL,
	device_class    TEXT NOT NULL,
	gateway_id      TEXT NOT NULL,
	tags            TEXT NOT NULL,
	attributes      TEXT NOT NULL,
	keep_duplicates INTEGER NOT NULL,
	connected       INTEGER,
	connection_time INTEGER,
	creation_date   INTEGER NOT NULL,
	last_updated    INTEGER NOT NULL
);
CREATE INDEX devices_application_id ON devices (application_id, name);

CREATE TABLE device_tags (
	device_id      TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	application_id TEXT NOT NULL,
	key            TEXT NOT NULL,
	value          TEXT NOT NULL
);
CREATE INDEX device_tags_device_id ON device_tags (device_id);
CREATE INDEX device_tags_key_value ON device_tags (application_id, key, value);

CREATE TABLE device_states (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	time      INTEGER NOT NULL,
	data      TEXT NOT NULL,
	PRIMARY KEY (device_id, time)
);

CREATE INDEX device_states_time ON device_states (time);

CREATE TABLE device_attribute_values (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	name      TEXT NOT NULL,
	value     TEXT NOT NULL,
	time      INTEGER NOT NULL,
	PRIMARY KEY (device_id, name)
);

CREATE TABLE device_commands (
	id        TEXT PRIMARY KEY,
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	name      TEXT NOT NULL,
	payload   TEXT,
	time      INTEGER NOT NULL
);
CREATE INDEX device_commands_device_time ON device_commands (device_id, time);

CREATE TABLE application_keys (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	key            TEXT NOT NULL UNIQUE,
	secret_hash    TEXT NOT NULL,
	status         TEXT NOT NULL,
	description    TEXT NOT NULL,
	device_ids     TEXT NOT NULL,
	device_tags    TEXT NOT NULL,
	filter_type    TEXT NOT NULL,
	pub_topics     TEXT NOT NULL,
	sub_topics     TEXT NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL
);
CREATE INDEX application_keys_application_id ON application_keys (application_id);
