-- How many times each queued run was delivered in earlier opens of the
-- database, recorded by Close, so that Attempt counts them after a reopen.
ALTER TABLE runs ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 0;
