-- Applications, flows and their per-version run stats, API tokens, flow
-- storage, run logs and the durable run queue. Times are timestamptz kept to
-- the millisecond. JSON documents are text holding compact JSON: nothing
-- queries into them, and text keeps key order and number spelling exactly
-- (jsonb would reorder keys and respell numbers).

CREATE TABLE applications (
	id            text PRIMARY KEY,
	name          text NOT NULL,
	description   text NOT NULL,
	owner_id      text NOT NULL,
	owner_type    text NOT NULL,
	globals       text NOT NULL,
	creation_date timestamptz NOT NULL,
	last_updated  timestamptz NOT NULL
);
CREATE INDEX applications_owner_id ON applications (owner_id);

CREATE TABLE flows (
	id                   text PRIMARY KEY,
	application_id       text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name                 text NOT NULL,
	description          text NOT NULL,
	short_description    text NOT NULL,
	icon_data            text NOT NULL,
	docs_url             text NOT NULL,
	category             text NOT NULL,
	enabled              boolean NOT NULL,
	flow_class           text NOT NULL,
	default_version_id   text,
	custom_node_supports text NOT NULL,
	creation_date        timestamptz NOT NULL,
	last_updated         timestamptz NOT NULL,
	created_by_id        text NOT NULL,
	created_by_type      text NOT NULL,
	last_updated_by_id   text NOT NULL,
	last_updated_by_type text NOT NULL,
	definition           text NOT NULL
);
CREATE INDEX flows_application_id ON flows (application_id);

-- Run counts per flow and version name, spread over a few shards so that
-- runs of one busy flow completing at once do not queue for one row lock; a
-- version's counts are the sums over its shards, a flow's over its versions.
CREATE TABLE flow_stats (
	flow_id     text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	version     text NOT NULL,
	shard       smallint NOT NULL,
	run_count   bigint NOT NULL,
	error_count bigint NOT NULL,
	PRIMARY KEY (flow_id, version, shard)
);

CREATE TABLE tokens (
	id              text PRIMARY KEY,
	owner_id        text NOT NULL,
	owner_type      text NOT NULL,
	name            text NOT NULL,
	description     text NOT NULL,
	scope           text NOT NULL,
	status          text NOT NULL,
	expiration_date timestamptz,
	creator_id      text NOT NULL,
	creator_type    text NOT NULL,
	creator_name    text NOT NULL,
	creation_date   timestamptz NOT NULL,
	last_updated    timestamptz NOT NULL
);
CREATE INDEX tokens_owner ON tokens (owner_id, owner_type);

CREATE TABLE storage (
	flow_id text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	key     text NOT NULL,
	value   text NOT NULL,
	PRIMARY KEY (flow_id, key)
);

-- seq orders entries written in the same millisecond.
CREATE TABLE logs (
	seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              text NOT NULL,
	flow_id         text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	application_id  text NOT NULL,
	flow_version    text NOT NULL,
	flow_version_id text NOT NULL,
	time            timestamptz NOT NULL,
	run_count       bigint NOT NULL,
	paths_completed bigint NOT NULL,
	paths_failed    bigint NOT NULL,
	wall_time       double precision NOT NULL,
	errors          text NOT NULL
);
CREATE INDEX logs_flow_time ON logs (flow_id, time, seq);

-- Accepted runs not yet completed, in acceptance order; body is the Run as
-- JSON. A run is pending while leased_until is null or past; leased_by names
-- the DB instance holding the lease and deliveries counts the claims.
CREATE TABLE runs (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id           text NOT NULL UNIQUE,
	flow_id      text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	body         text NOT NULL,
	leased_until timestamptz,
	leased_by    text,
	deliveries   integer NOT NULL DEFAULT 0
);
CREATE INDEX runs_flow_id ON runs (flow_id);
CREATE INDEX runs_leased_by ON runs (leased_by) WHERE leased_by IS NOT NULL;

-- weir_json_number spells x as Go's encoding/json does, so that
-- IncrStorageEntry stores the same text as the SQLite store: plain decimals
-- for 1e-6 <= |x| < 1e21, else exponent form without a leading zero in a
-- one-digit negative exponent. extra_float_digits = 1 gives the shortest text
-- that reads back as x, like strconv.
CREATE FUNCTION weir_json_number(x double precision) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET extra_float_digits = 1
AS $$
	SELECT CASE
		WHEN s !~ 'e' THEN s
		WHEN abs(x) >= 1e-6 AND abs(x) < 1e21 THEN s::numeric::text
		ELSE regexp_replace(s, 'e-0([0-9])$', 'e-\1')
	END
	FROM (SELECT x::text AS s) AS t
$$;
