-- Experience endpoints: public routes of an application's experience that
-- start runs of its flows. route_key is the route without parameter names;
-- one application answers a method and route key once, and the unique index
-- also serves lookups by application. They go with their application.
CREATE TABLE experience_endpoints (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	route          text NOT NULL,
	route_key      text NOT NULL,
	method         text NOT NULL,
	description    text NOT NULL,
	access         text NOT NULL,
	enabled        boolean NOT NULL,
	creation_date  timestamptz NOT NULL,
	last_updated   timestamptz NOT NULL,
	CONSTRAINT experience_endpoints_route UNIQUE (application_id, method, route_key)
);
