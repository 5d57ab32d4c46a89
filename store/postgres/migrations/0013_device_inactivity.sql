-- The silences of devices the inactivity triggers have fired for: one row
-- per flow, trigger and device, holding the latest silence (the report time
-- it began after, Unix milliseconds, and the trigger's seconds) and whether
-- its run was queued. The statements are shared with SQLite
-- (store/sqlstore).
CREATE TABLE device_inactivity (
	flow_id       text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	trigger_key   text NOT NULL,
	device_id     text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	seconds       bigint NOT NULL,
	last_activity bigint NOT NULL,
	queued        integer NOT NULL,
	PRIMARY KEY (flow_id, trigger_key, device_id)
);
CREATE INDEX device_inactivity_device_id ON device_inactivity (device_id);
