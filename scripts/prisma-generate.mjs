#!/usr/bin/env node
// Generates the Prisma client into src/db/generated (run on `npm install`).
// `prisma generate` does not need Prisma's native schema engine, yet the CLI tries to download it first
// and fails without internet access. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing no-op binary
// skips that download; with internet access the plain `npx prisma generate` works as well.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const noop = ["/bin/true", "/usr/bin/true"].find((path) => existsSync(path));
  if (noop) env.PRISMA_SCHEMA_ENGINE_BINARY = noop;
}
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate", "--no-hints"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
