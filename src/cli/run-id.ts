// A run id as a user types it: the whole UUID, or its first characters (at least 4) when they name one
// run. Checked before any state is opened, so a mistyped id changes nothing.
import type { PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MIN_RUN_ID_PREFIX = 4;

export type RunIdText = { kind: "uuid"; id: string } | { kind: "prefix"; prefix: string };

/** What `text` names, or a bad_input DevflowError saying what a run id looks like. */
export function checkRunIdText(text: string): RunIdText {
  const given = text.trim().toLowerCase();
  if (UUID.test(given)) return { kind: "uuid", id: given };
  if (!/^[0-9a-f-]+$/.test(given) || given.length > 36) {
    throw new DevflowError(`No run ${text}: a run id is a UUID such as 3f2b9c1e-….`, {
      code: "run_not_found",
      details: { runId: text },
    });
  }
  if (given.replaceAll("-", "").length < MIN_RUN_ID_PREFIX) {
    throw new DevflowError(
      `"${text}" is too short to name a run: give at least ${MIN_RUN_ID_PREFIX} characters of its id.`,
      {
        code: "invalid_arguments",
        recoveryHint:
          "`devflow status` lists the runs with their ids; the first 8 characters are usually enough.",
        details: { runId: text },
      },
    );
  }
  return { kind: "prefix", prefix: given };
}

export async function resolveRunId(prisma: PrismaClient, text: string): Promise<string> {
  const named = checkRunIdText(text);
  if (named.kind === "uuid") {
    const run = await prisma.run.findUnique({ where: { id: named.id }, select: { id: true } });
    if (run) return run.id;
  } else {
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM "Run" WHERE id::text LIKE ${`${named.prefix}%`} ORDER BY "createdAt" DESC LIMIT 5`;
    if (rows.length === 1 && rows[0]) return rows[0].id;
    if (rows.length > 1) {
      throw new DevflowError(`"${text}" is the start of several run ids.`, {
        code: "run_id_ambiguous",
        details: { matches: rows.map((row) => row.id) },
      });
    }
  }
  throw new DevflowError(`No run ${text}.`, { code: "run_not_found", details: { runId: text } });
}
