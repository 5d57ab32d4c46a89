-- Webhooks: public URLs, found by token, that start runs of their
-- application's flows. They go with their application.
CREATE TABLE webhooks (
	id                  TEXT PRIMARY KEY,
	application_id      TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name                TEXT NOT NULL,
	token               TEXT NOT NULL UNIQUE,
	response_code       INTEGER NOT NULL,
	verification_type   TEXT NOT NULL,
	verification_code   TEXT NOT NULL,
	basic_auth_username TEXT NOT NULL,
	basic_auth_password TEXT NOT NULL,
	wait_for_reply      INTEGER NOT NULL,
	creation_date       INTEGER NOT NULL,
	last_updated        INTEGER NOT NULL
);
CREATE INDEX webhooks_application_id ON webhooks (application_id);
