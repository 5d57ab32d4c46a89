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
