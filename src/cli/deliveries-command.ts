// `devflow deliveries list|replay`: the server's webhook inbox as an operator sees it. A delivery whose
// processing failed on every attempt stays in the inbox, marked failed, with its body; once the cause is
// fixed, `replay` puts it back and the running server processes it (once). Works on the server's state:
// DATABASE_URL, or the embedded Postgres in DEVFLOW_DATA_DIR (default ./.devflow, as `devflow start`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Environment, loadEnvironment } from "../config/index.js";
import { applyMigrations, createDatabaseClient, type PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { type DeliveryListing, listDeliveries, replayDeliveries } from "../github/index.js";
import { startServices } from "../server/index.js";
import { invalidArguments, parseCommand } from "./command-args.js";
import { osActor } from "./gate.js";

const HELP = `Usage: devflow deliveries list [--failed] [--limit N] [--json]
       devflow deliveries replay ID… | --all-failed

The server's webhook inbox (DATABASE_URL, or the embedded Postgres in DEVFLOW_DATA_DIR, default
./.devflow). A delivery whose processing failed on every attempt is kept, marked failed, with its body.

  list            The newest deliveries: id, state (waiting, handled, ignored, failed), event,
                  repository, attempts and the last error
  replay ID…      Put these failed deliveries (X-GitHub-Delivery ids) back in the inbox: the running
                  server processes each once. All or none: an unknown id, or one that did not fail
                  for good, replays nothing.

Options:
  --failed        list: only the deliveries that failed for good
  --limit N       list: how many (default 20)
  --all-failed    replay: every delivery that failed for good
  --json          list: {"deliveries":[…]}; replay: {"replayed":[…]}
  -h, --help      Show this help`;

const SPEC = {
  name: "deliveries",
  help: HELP,
  positionals: ["list|replay", "ID…"],
  variadic: true,
  options: {
    failed: { type: "boolean" },
    limit: { type: "string" },
    "all-failed": { type: "boolean" },
    json: { type: "boolean" },
  },
} as const;

export async function runDeliveriesCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const { values } = parsed;
  const [verb, ...ids] = parsed.positionals;
  const json = values.json === true;
  if (verb === "list") {
    if (ids.length > 0)
      throw invalidArguments("deliveries", `devflow deliveries list takes no ids, found "${ids.join(" ")}".`);
    if (values["all-failed"])
      throw invalidArguments("deliveries", "--all-failed belongs to devflow deliveries replay.");
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw invalidArguments("deliveries", `--limit takes a whole number above 0, found "${values.limit}".`);
    const deliveries = await withInbox(loadEnvironment(), [], (prisma) =>
      listDeliveries(prisma, { failed: values.failed === true, limit }),
    );
    if (json) console.log(JSON.stringify({ deliveries }));
    else if (deliveries.length === 0)
      console.log(values.failed ? "No failed deliveries." : "No deliveries yet.");
    else for (const delivery of deliveries) console.log(describe(delivery));
    return 0;
  }
  if (verb === "replay") {
    if (values.failed || values.limit !== undefined)
      throw invalidArguments("deliveries", "--failed and --limit belong to devflow deliveries list.");
    const all = values["all-failed"] === true;
    if (all === ids.length > 0)
      throw invalidArguments(
        "deliveries",
        all
          ? "Give either delivery ids or --all-failed, not both."
          : "devflow deliveries replay needs the ids of failed deliveries, or --all-failed.",
      );
    const replayed = await withInbox(loadEnvironment(), ids, (prisma) =>
      replayDeliveries(prisma, all ? "all-failed" : ids, osActor()),
    );
    if (json) console.log(JSON.stringify({ replayed }));
    else if (replayed.length === 0) console.log("No failed deliveries to replay.");
    else
      console.log(
        `Replayed ${replayed.length} ${replayed.length === 1 ? "delivery" : "deliveries"} (${replayed.join(", ")}): the running devflow server processes ${replayed.length === 1 ? "it" : "them"} from its inbox.`,
      );
    return 0;
  }
  throw invalidArguments(
    "deliveries",
    verb === undefined
      ? "devflow deliveries needs list or replay."
      : `Unknown deliveries command "${verb}": use list or replay.`,
  );
}

function describe(delivery: DeliveryListing): string {
  const attempts = delivery.attempts > 0 ? ` after ${delivery.attempts} attempts` : "";
  const detail =
    delivery.state === "failed" || (delivery.state === "waiting" && delivery.lastError)
      ? `${attempts}: ${delivery.lastError ?? ""}`
      : delivery.outcome
        ? `: ${delivery.outcome}`
        : "";
  return `${delivery.deliveryId}  ${delivery.state.padEnd(7)} ${delivery.event} ${delivery.repository ?? ""}  ${delivery.receivedAt.toISOString()}${detail}`;
}

/**
 * Runs `work` on the server's database. With no DATABASE_URL and no embedded Postgres yet there is no
 * inbox: nothing to list, and any id given names no delivery.
 */
async function withInbox<T>(
  env: Environment,
  ids: readonly string[],
  work: (prisma: PrismaClient) => Promise<T[]>,
): Promise<T[]> {
  if (!env.databaseUrl && !existsSync(join(env.dataDir, "postgres", "data", "PG_VERSION"))) {
    if (ids.length === 0) return [];
    throw new DevflowError(
      `No webhook delivery ${ids.join(", ")}: there is no devflow state in ${env.dataDir}.`,
      {
        code: "delivery_not_found",
        recoveryHint:
          "Point DATABASE_URL (or DEVFLOW_DATA_DIR) at the state of the devflow server that received it.",
        details: { deliveryIds: ids },
      },
    );
  }
  const services = await startServices({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    withoutRedisUrl: "postgres",
    embeddedWhenInUse: "share",
  });
  try {
    await applyMigrations({ connectionString: services.databaseUrl });
    const database = createDatabaseClient(services.databaseUrl, {
      applicationName: "devflow-cli",
      maxConnections: 2,
    });
    try {
      return await work(database.prisma);
    } finally {
      await database.close();
    }
  } finally {
    await services.stop();
  }
}
