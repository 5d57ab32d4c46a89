-- Events: each is kept as its JSON document (level, state, subject, message,
-- data, device, tags, source and updates) beside the columns events are
-- selected and sorted by. Events go with their application; a deleted
-- device's events stay. The statements that use this table are shared with
-- SQLite (store/sqlstore): times are Unix milliseconds and JSON is text
-- in both.
CREATE TABLE events (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	level          text NOT NULL,
	state          text NOT NULL,
	subject        text NOT NULL,
	device_id      text NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL,
	doc            text NOT NULL
);
CREATE INDEX events_application_created ON events (application_id, creation_date);
CREATE INDEX events_application_state ON events (application_id, state);
