-- Runs recorded by RecordRun (dispatched by a queue outside the store), kept
-- for weir.RecordedRunRetention so that a redelivered run is recorded once;
-- and the storage writes runs made, with their results, so that a run
-- executed again applies each write once.
CREATE TABLE recorded_runs (
	id   text PRIMARY KEY,
	time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recorded_runs_time ON recorded_runs (time);

CREATE TABLE effects (
	run_id text NOT NULL,
	step   text NOT NULL,
	call   text NOT NULL, -- the call made: operation, flow id and key
	result text, -- JSON text of the call's result; NULL when it has none
	time   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (run_id, step)
);
CREATE INDEX effects_time ON effects (time);

-- The signing key and owner id of the instance, and the like.
CREATE TABLE settings (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);
