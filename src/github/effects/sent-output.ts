// What the effects worker last sent to a run's GitHub objects (GitHubOutput rows): an update whose
// content equals what was last sent is not sent again, and a create is announced before it is sent, so
// that after a crash the object is looked up (by its marker or external id) instead of made twice.
import { createHash } from "node:crypto";
import type { PrismaClient } from "../../db/index.js";

export type OutputTarget = "comment" | "check_run";

export interface SentOutput {
  /** The object `sentSha256` was sent to. */
  objectId: number | undefined;
  sentSha256: string | undefined;
  /** Set while a create may have reached GitHub unrecorded (for a check run: the head it was for). */
  creating: string | undefined;
}

/** sha256 of a value's JSON (the renderers build their objects in a fixed key order). */
export function contentSha256(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

export async function readSentOutput(
  prisma: PrismaClient,
  runId: string,
  target: OutputTarget,
): Promise<SentOutput> {
  const row = await prisma.gitHubOutput.findUnique({ where: { runId_target: { runId, target } } });
  return {
    objectId: row?.objectId === null || row?.objectId === undefined ? undefined : Number(row.objectId),
    sentSha256: row?.sentSha256 ?? undefined,
    creating: row?.creating ?? undefined,
  };
}

/** True when `sha256` is what was last sent to `objectId`: sending it again would change nothing. */
export function alreadySent(sent: SentOutput, objectId: number, sha256: string): boolean {
  return sent.objectId === objectId && sent.sentSha256 === sha256;
}

/** Announces a create (committed before the request goes out). */
export async function markCreating(
  prisma: PrismaClient,
  runId: string,
  target: OutputTarget,
  creating: string,
): Promise<void> {
  await prisma.gitHubOutput.upsert({
    where: { runId_target: { runId, target } },
    create: { runId, target, creating },
    update: { creating },
  });
}

/** Records what GitHub now shows on `objectId`, and that no create is in flight. */
export async function recordSent(
  prisma: PrismaClient,
  runId: string,
  target: OutputTarget,
  objectId: number,
  sentSha256: string,
): Promise<void> {
  const data = { objectId: BigInt(objectId), sentSha256, creating: null };
  await prisma.gitHubOutput.upsert({
    where: { runId_target: { runId, target } },
    create: { runId, target, ...data },
    update: data,
  });
}
