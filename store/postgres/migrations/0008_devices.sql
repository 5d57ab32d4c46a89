-- Devices, their tags, state history, latest attribute values and commands,
-- and the access keys devices authenticate with. Everything goes with its
-- application; a device's history goes with the device. The statements that
-- use these tables are shared with SQLite (store/sqlstore): times are
-- Unix milliseconds and JSON is text in both.
CREATE TABLE devices (
	id              text PRIMARY KEY,
	application_id  text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name            text NOT NULL,
	description     text NOT NULL,
	device_class    text NOT NULL,
	gateway_id      text NOT NULL,
	tags            text NOT NULL,
	attributes      text NOT NULL,
	keep_duplicates boolean NOT NULL,
	connected       boolean,
	connection_time bigint,
	creation_date   bigint NOT NULL,
	last_updated    bigint NOT NULL
);
CREATE INDEX devices_application_id ON devices (application_id, name);

CREATE TABLE device_tags (
	device_id      text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	application_id text NOT NULL,
	key            text NOT NULL,
	value          text NOT NULL
);
CREATE INDEX device_tags_device_id ON device_tags (device_id);
CREATE INDEX device_tags_key_value ON device_tags (application_id, key, value);

CREATE TABLE device_states (
	device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	time      bigint NOT NULL,
	data      text NOT NULL,
	PRIMARY KEY (device_id, time)
);

CREATE INDEX device_states_time ON device_states (time);

CREATE TABLE device_attribute_values (
	device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	name      text NOT NULL,
	value     text NOT NULL,
	time      bigint NOT NULL,
	PRIMARY KEY (device_id, name)
);

CREATE TABLE device_commands (
	id        text PRIMARY KEY,
	device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	name      text NOT NULL,
	payload   text,
	time      bigint NOT NULL
);
CREATE INDEX device_commands_device_time ON device_commands (device_id, time);

CREATE TABLE application_keys (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	key            text NOT NULL CONSTRAINT application_keys_key UNIQUE,
	secret_hash    text NOT NULL,
	status         text NOT NULL,
	description    text NOT NULL,
	device_ids     text NOT NULL,
	device_tags    text NOT NULL,
	filter_type    text NOT NULL,
	pub_topics     text NOT NULL,
	sub_topics     text NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL
);
CREATE INDEX application_keys_application_id ON application_keys (application_id);
