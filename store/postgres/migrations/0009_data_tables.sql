-- Data tables. A table's settings and columns live here (columns as JSON,
-- each with the SQL column, c1, c2, …, that holds its values); its rows live
-- in a table of their own, dt_<table id>, which the store creates, alters
-- and drops with the data table (and drops with the application). The
-- statements are shared with SQLite (store/sqlstore).
CREATE TABLE data_tables (
	id             text PRIMARY KEY,
	application_id text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name           text NOT NULL,
	description    text NOT NULL,
	columns        text NOT NULL,
	next_ref       bigint NOT NULL,
	creation_date  bigint NOT NULL,
	last_updated   bigint NOT NULL
);
CREATE INDEX data_tables_application_id ON data_tables (application_id, name);
