-- weir's own flow setting: keep each run's trigger payload in its log entry
-- (weir.FlowSettings.KeepPayloads), off by default.
ALTER TABLE flows ADD COLUMN keep_payloads boolean NOT NULL DEFAULT false;
-- A replayed run names the run it replays; '' for other runs.
ALTER TABLE logs ADD COLUMN replay_of text NOT NULL DEFAULT '';
-- The kept payload's note (weir.RunPayload without its data, as JSON; '' when
-- the flow kept none) and, when it was kept, the whole payload as JSON.
-- payload comes last, so that reading a list of entries never reads it.
ALTER TABLE logs ADD COLUMN payload_note text NOT NULL DEFAULT '';
ALTER TABLE logs ADD COLUMN payload text NOT NULL DEFAULT '';
