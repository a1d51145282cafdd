import { type Logger, pino } from "pino";
import type { LogLevel } from "../config/environment.js";

export type { Logger } from "pino";

/**
 * devflow's structured logger. Secrets never reach it by design (the environment logs itself
 * redacted); the redact paths are a second net for fields that could carry one by mistake.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "devflow" },
      redact: {
        paths: ["*.privateKey", "*.webhookSecret", "*.token", "*.password", "*.databaseUrl", "*.redisUrl"],
        censor: "[redacted]",
      },
    },
    destination ?? process.stdout,
  );
}
