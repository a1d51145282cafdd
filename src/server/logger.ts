import { type Logger, pino } from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "../config/index.js";
import { DevflowError } from "../errors/index.js";

export type { Logger } from "pino";

/** `pretty`: one readable line per entry, local times, colours on a terminal; `json`: one JSON object per line. */
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

type Destination = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * LOG_FORMAT when set (json or pretty), else pretty on a terminal and JSON otherwise: a person reads
 * the terminal, a log collector reads a pipe or a file.
 */
export function logFormatFor(
  destination: Destination,
  env: Record<string, string | undefined> = process.env,
): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (!asked) return destination.isTTY === true ? "pretty" : "json";
  const format = LOG_FORMATS.find((candidate) => candidate === asked);
  if (format) return format;
  throw new DevflowError(
    `The environment is not valid (1 problem):\n- LOG_FORMAT: expected json or pretty, found ${JSON.stringify(env.LOG_FORMAT)}. Set LOG_FORMAT=json for a log collector, LOG_FORMAT=pretty for people, or unset it (pretty on a terminal, JSON otherwise).`,
    { code: "invalid_environment", details: { problems: [{ variable: "LOG_FORMAT" }] } },
  );
}

/**
 * devflow's structured logger. Secrets never reach it by design (the environment logs itself
 * redacted); the redact paths are a second net for fields that could carry one by mistake.
 */
export function createLogger(
  level: LogLevel,
  destination: Destination = process.stdout,
  format: LogFormat = logFormatFor(destination),
): Logger {
  const options = {
    level,
    base: { service: "devflow" },
    redact: {
      paths: ["*.privateKey", "*.webhookSecret", "*.token", "*.password", "*.databaseUrl", "*.redisUrl"],
      censor: "[redacted]",
    },
  };
  if (format === "json") return pino(options, destination);
  return pino(
    options,
    pretty({
      destination,
      // Written as it happens: a line logged just before the process exits is not lost.
      sync: true,
      colorize: destination.isTTY === true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,service",
      singleLine: false,
    }),
  );
}
