-- Named, immutable versions of flows. A version's run stats live in
-- flow_stats under its name; its logs keep its id in flow_version_id.
CREATE TABLE flow_versions (
	id                   text PRIMARY KEY,
	flow_id              text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	application_id       text NOT NULL,
	version              text NOT NULL,
	notes                text NOT NULL,
	enabled              boolean NOT NULL,
	flow_class           text NOT NULL,
	creation_date        timestamptz NOT NULL,
	last_updated         timestamptz NOT NULL,
	created_by_id        text NOT NULL,
	created_by_type      text NOT NULL,
	last_updated_by_id   text NOT NULL,
	last_updated_by_type text NOT NULL,
	definition           text NOT NULL,
	CONSTRAINT flow_versions_name UNIQUE (flow_id, version)
);
