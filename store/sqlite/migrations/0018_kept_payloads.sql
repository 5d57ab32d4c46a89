-- weir's own flow setting: keep each run's trigger payload in its log entry
-- (weir.FlowSettings.KeepPayloads), off by default.
ALTER TABLE flows ADD COLUMN keep_payloads INTEGER NOT NULL DEFAULT 0;
-- A replayed run names the run it replays; '' for other runs.
ALTER TABLE logs ADD COLUMN replay_of TEXT NOT NULL DEFAULT '';
-- The kept payload's note (weir.RunPayload without its data, as JSON; '' when
-- the flow kept none) and, when it was kept, the whole payload as JSON.
-- payload comes last, so that reading a list of entries never reads it.
ALTER TABLE logs ADD COLUMN payload_note TEXT NOT NULL DEFAULT '';
ALTER TABLE logs ADD COLUMN payload TEXT NOT NULL DEFAULT '';
