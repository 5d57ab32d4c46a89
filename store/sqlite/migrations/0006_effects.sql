-- Runs recorded by RecordRun (dispatched by a queue outside the store), kept
-- for weir.RecordedRunRetention so that a redelivered run is recorded once;
-- and the storage writes runs made, with their results, so that a run
-- executed again applies each write once. Times are Unix milliseconds.
CREATE TABLE recorded_runs (
	id   TEXT PRIMARY KEY,
	time INTEGER NOT NULL
);
CREATE INDEX recorded_runs_time ON recorded_runs (time);

CREATE TABLE effects (
	run_id TEXT NOT NULL,
	step   TEXT NOT NULL,
	call   TEXT NOT NULL, -- the call made: operation, flow id and key
	result TEXT, -- JSON text of the call's result; NULL when it has none
	time   INTEGER NOT NULL, -- unindexed: the table holds the writes of runs in flight
	PRIMARY KEY (run_id, step)
) WITHOUT ROWID;

-- The signing key and owner id of the instance, and the like.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
