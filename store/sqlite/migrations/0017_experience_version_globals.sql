-- An experience version's own globals (a JSON list of weir.Global) and the
-- unauthorized reply its endpoints without one of their own answer (JSON;
-- '' for none), as Losant's application exports carry them.
-- The statements are shared with PostgreSQL (store/sqlstore).
ALTER TABLE experience_versions ADD COLUMN globals TEXT NOT NULL DEFAULT '[]';
ALTER TABLE experience_versions ADD COLUMN unauthorized_reply TEXT NOT NULL DEFAULT '';
