#!/usr/bin/env node
// The `devflow` command. An installed package runs its build (dist/); a checkout without a build
// (`npm ci && npm link`) runs the TypeScript sources through the checkout's own tsx, in this process,
// so signals, the terminal and exit codes are the command's own.
import { existsSync } from "node:fs";

const built = new URL("../dist/cli/main.js", import.meta.url);
const source = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else if (existsSync(source)) {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    console.error(
      "devflow: this checkout has no build and no dependencies yet. Run `npm ci` in it (or `npm run build`).",
    );
    process.exit(1);
  }
  register();
  await import(source.href);
} else {
  console.error("devflow: neither dist/ nor src/ is here: reinstall devflow.");
  process.exit(1);
}
