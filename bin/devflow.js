#!/usr/bin/env node
// Runs the built CLI (dist/); in a source checkout without a build, `npm run devflow -- <command>`.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  console.error(
    "devflow: not built yet. Run `npm run build`, or use `npm run devflow -- <command>` in a checkout.",
  );
  process.exit(1);
}
await import(entry.href);
