-- Invariants that Prisma's schema language cannot express, enforced by the database itself so that no
-- code path (a bug, a replayed job, a hand-written query) can break them. Prisma's migrate diff does not
-- model triggers, so these do not show up as drift.

-- A terminal run (completed, failed, aborted) never changes state again. Other columns (the report
-- path, for instance) may still be written.
CREATE FUNCTION devflow_forbid_terminal_run_state_change() RETURNS trigger AS $$
BEGIN
  IF OLD."state" IN ('completed', 'failed', 'aborted') AND NEW."state" IS DISTINCT FROM OLD."state" THEN
    RAISE EXCEPTION 'run % is % (terminal) and cannot become %', OLD."id", OLD."state", NEW."state"
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Run_terminal_state_is_final"
  BEFORE UPDATE OF "state" ON "Run"
  FOR EACH ROW EXECUTE FUNCTION devflow_forbid_terminal_run_state_change();

-- Run events are append-only: history is never rewritten.
CREATE FUNCTION devflow_forbid_run_event_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'run events are append-only (run %, seq %)', OLD."runId", OLD."seq"
    USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "RunEvent_append_only"
  BEFORE UPDATE ON "RunEvent"
  FOR EACH ROW EXECUTE FUNCTION devflow_forbid_run_event_update();
