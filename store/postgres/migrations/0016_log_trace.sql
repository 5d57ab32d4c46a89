-- The path each run took (weir.RunTrace in its compact text form, see
-- weir.DecodeRunTrace), kept in the run's log row; '' for entries recorded
-- before traces were.
ALTER TABLE logs ADD COLUMN trace text NOT NULL DEFAULT '';
