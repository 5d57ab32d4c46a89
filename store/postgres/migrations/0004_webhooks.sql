-- Webhooks: public URLs, found by token, that start runs of their
-- application's flows. They go with their application.
CREATE TABLE webhooks (
	id                  text PRIMARY KEY,
	application_id      text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
	name                text NOT NULL,
	token               text NOT NULL,
	response_code       integer NOT NULL,
	verification_type   text NOT NULL,
	verification_code   text NOT NULL,
	basic_auth_username text NOT NULL,
	basic_auth_password text NOT NULL,
	wait_for_reply      boolean NOT NULL,
	creation_date       timestamptz NOT NULL,
	last_updated        timestamptz NOT NULL,
	CONSTRAINT webhooks_token UNIQUE (token)
);
CREATE INDEX webhooks_application_id ON webhooks (application_id);
