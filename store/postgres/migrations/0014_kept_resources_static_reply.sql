-- Dashboards, notebooks and resource jobs of an application, kept as the
-- JSON documents they were created with so that an export writes them
-- back (weir runs none of them), in the order they were created (seq).
-- The statements are shared with SQLite (store/sqlstore).
CREATE TABLE kept_resources (
	seq            bigserial PRIMARY KEY,
	id             text NOT NULL UNIQUE,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	kind           text NOT NULL,
	name           text NOT NULL,
	document       text NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL
);
CREATE INDEX kept_resources_application_id ON kept_resources (application_id, kind, seq);

-- An endpoint's static reply: the page or redirect it answers when no
-- workflow handles a request, as JSON; '' for none.
ALTER TABLE experience_endpoints ADD COLUMN static_reply text NOT NULL DEFAULT '';
