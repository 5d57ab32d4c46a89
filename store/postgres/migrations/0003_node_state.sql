-- Node state (latches, throttles, on-change values), kept apart from the
-- user-visible flow storage and deleted with the flow.
CREATE TABLE node_state (
	flow_id text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
	key     text NOT NULL,
	value   text NOT NULL,
	PRIMARY KEY (flow_id, key)
);
