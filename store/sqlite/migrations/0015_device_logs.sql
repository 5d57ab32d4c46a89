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
