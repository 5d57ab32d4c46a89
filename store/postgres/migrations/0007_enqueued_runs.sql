-- The ids of runs enqueued lately, kept for RunIDWindow after enqueueing even
-- once the run completed, so that processes enqueueing the same run (a timer
-- tick every process fires) run it once.
CREATE TABLE enqueued_runs (
	id   text PRIMARY KEY,
	time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enqueued_runs_time ON enqueued_runs (time);
