-- Events: each is kept as its JSON document (level, state, subject, message,
-- data, device, tags, source and updates) beside the columns events are
-- selected and sorted by. Events go with their application; a deleted
-- device's events stay. The statements that use this table are shared with
-- PostgreSQL (store/sqlstore): times are Unix milliseconds and JSON is text
-- in both.
CREATE TABLE events (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	level          TEXT NOT NULL,
	state          TEXT NOT NULL,
	subject        TEXT NOT NULL,
	device_id      TEXT NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL,
	doc            TEXT NOT NULL
);
CREATE INDEX events_application_created ON events (application_id, creation_date);
CREATE INDEX events_application_state ON events (application_id, state);
