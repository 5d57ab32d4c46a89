-- The silences of devices the inactivity triggers have fired for: one row
-- per flow, trigger and device, holding the latest silence (the report time
-- it began after, Unix milliseconds, and the trigger's seconds) and whether
-- its run was queued. The statements are shared with PostgreSQL
-- (store/sqlstore).
CREATE TABLE device_inactivity (
	flow_id       TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	trigger_key   TEXT NOT NULL,
	device_id     TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	seconds       INTEGER NOT NULL,
	last_activity INTEGER NOT NULL,
	queued        INTEGER NOT NULL,
	PRIMARY KEY (flow_id, trigger_key, device_id)
);
CREATE INDEX device_inactivity_device_id ON device_inactivity (device_id);
