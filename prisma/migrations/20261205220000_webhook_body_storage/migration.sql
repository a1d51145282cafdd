-- A delivery's body is written once by the webhook endpoint before it answers GitHub and dropped once
-- processed: compressing it with pglz (the default) cost the acknowledgement more CPU than anything else
-- in Postgres (bench/webhook). lz4 where the server has it (about 2x faster inserts of a GitHub payload),
-- else no compression at all (the embedded Postgres is built without lz4).
DO $$
BEGIN
  ALTER TABLE "WebhookDelivery" ALTER COLUMN "body" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  ALTER TABLE "WebhookDelivery" ALTER COLUMN "body" SET STORAGE EXTERNAL;
END
$$;
