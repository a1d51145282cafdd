// What the figures were measured on: printed with them, so a figure never travels without its machine.
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { Redis } from "ioredis";
import { postgresVersion } from "./bench-database.js";
import { mib } from "./stats.js";

/** Redis's version and process id, or undefined when nothing answers at `url` within a second. */
export async function redisServer(url: string): Promise<{ version: string; pid: number } | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const info = await redis.info("server");
    return {
      version: /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown",
      pid: Number(/process_id:(\d+)/.exec(info)?.[1] ?? Number.NaN),
    };
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

function packageVersion(name: string): string {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

export async function describeMachine(serverUrl: string, redis: string | undefined): Promise<string> {
  const cpu = cpus();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  return [
    `  machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"}), ${mib(totalmem())} RAM, load average ${load}`,
    `  node ${process.version}, bullmq ${packageVersion("bullmq")}, ioredis ${packageVersion("ioredis")}, pg ${packageVersion("pg")}`,
    `  postgres: ${await postgresVersion(serverUrl)} (${new URL(serverUrl).host}); redis: ${redis ? `${redis}` : "not answering"}`,
    `  date: ${new Date().toISOString()}`,
  ].join("\n");
}
