-- An application's endpointSlug ('' for none; the name of its experience
-- host besides its id, unique across the instance) and blobUrlTTL (seconds;
-- 0 when not set), as Losant's applications and exports carry them.
ALTER TABLE applications ADD COLUMN endpoint_slug text NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN blob_url_ttl double precision NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX applications_endpoint_slug ON applications (endpoint_slug) WHERE endpoint_slug <> '';
