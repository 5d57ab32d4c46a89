-- Data tables. A table's settings and columns live here (columns as JSON,
-- each with the SQL column, c1, c2, …, that holds its values); its rows live
-- in a table of their own, dt_<table id>, which the store creates, alters
-- and drops with the data table (and drops with the application). The
-- statements are shared with PostgreSQL (store/sqlstore).
CREATE TABLE data_tables (
	id             TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	description    TEXT NOT NULL,
	columns        TEXT NOT NULL,
	next_ref       INTEGER NOT NULL,
	creation_date  INTEGER NOT NULL,
	last_updated   INTEGER NOT NULL
);
CREATE INDEX data_tables_application_id ON data_tables (application_id, name);
