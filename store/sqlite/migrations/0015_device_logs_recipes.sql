-- The connection log of each device: one row per connect or disconnect
-- (Unix milliseconds), the newest weir.MaxDeviceLogEntries kept per device.
-- The statements are shared with PostgreSQL (store/sqlstore).
CREATE TABLE device_logs (
	id                   TEXT PRIMARY KEY,
	device_id            TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	connected            INTEGER NOT NULL,
	time                 INTEGER NOT NULL,
	disconnect_reason    TEXT NOT NULL,
	messages_from_client INTEGER NOT NULL,
	messages_to_client   INTEGER NOT NULL,
	ip_address           TEXT NOT NULL
);
CREATE INDEX device_logs_device_time ON device_logs (device_id, time);

-- Device recipes: the recipe as its JSON document (the device fields it
-- sets), with the name and dates in columns to sort and filter by.
CREATE TABLE device_recipes (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	doc            TEXT NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL
);
CREATE INDEX device_recipes_application_id ON device_recipes (application_id, name);
