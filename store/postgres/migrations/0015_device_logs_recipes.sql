-- The connection log of each device: one row per connect or disconnect
-- (Unix milliseconds), the newest weir.MaxDeviceLogEntries kept per device.
-- The statements are shared with SQLite (store/sqlstore).
CREATE TABLE device_logs (
	id                   text PRIMARY KEY,
	device_id            text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	connected            integer NOT NULL,
	time                 bigint NOT NULL,
	disconnect_reason    text NOT NULL,
	messages_from_client bigint NOT NULL,
	messages_to_client   bigint NOT NULL,
	ip_address           text NOT NULL
);
CREATE INDEX device_logs_device_time ON device_logs (device_id, time);

-- Device recipes: the recipe as its JSON document (the device fields it
-- sets), with the name and dates in columns to sort and filter by.
CREATE TABLE device_recipes (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           text NOT NULL,
	doc            text NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL
);
CREATE INDEX device_recipes_application_id ON device_recipes (application_id, name);
