-- Experience endpoints: public routes of an application's experience that
-- start runs of its flows. route_key is the route without parameter names;
-- one application answers a method and route key once. They go with their
-- application.
CREATE TABLE experience_endpoints (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	route          TEXT NOT NULL,
	route_key      TEXT NOT NULL,
	method         TEXT NOT NULL,
	description    TEXT NOT NULL,
	access         TEXT NOT NULL,
	enabled        INTEGER NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL,
	UNIQUE (application_id, method, route_key)
);
