// A run id as a user types it: the whole UUID, or its first characters (at least 4) when they name one
// run. Checked before any state is opened, so a mistyped id changes nothing.
import type { PrismaClient } from "../db/index.js";
import { runExists, runIdsStartingWith } from "../engine/index.js";
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
    if (await runExists(prisma, named.id)) return named.id;
  } else {
    const ids = await runIdsStartingWith(prisma, named.prefix, 5);
    if (ids.length === 1 && ids[0]) return ids[0];
    if (ids.length > 1) {
      throw new DevflowError(`"${text}" is the start of several run ids.`, {
        code: "run_id_ambiguous",
        details: { matches: ids },
      });
    }
  }
  throw new DevflowError(`No run ${text}.`, { code: "run_not_found", details: { runId: text } });
}
