// The `devflow` command the tests run as a child process: the sources transpiled once per test run with
// esbuild, laid out as the package's build is (dist/ beside templates/, prisma/, app.yml and
// package.json). Through tsx every child process transformed the sources again: about a second of CPU
// per command, and the suite starts hundreds of them on two cores. Built from the sources of this very
// run, so it is never stale; `npm run build` (tsc) stays what builds the package.
import { cp, mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

const PREFIX = "devflow-test-cli-";
/** A run's build is removed when it ends; one a killed run left is removed by a run a day later. */
const STALE_MS = 24 * 60 * 60 * 1000;

async function removeStaleBuilds(cache: string): Promise<void> {
  for (const name of await readdir(cache)) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(cache, name);
    const { mtimeMs } = await stat(path);
    if (mtimeMs < Date.now() - STALE_MS) await rm(path, { recursive: true, force: true });
  }
}

/** Builds the CLI into a new directory under node_modules/.cache (packages resolve from the checkout). */
export async function buildCliForTests(): Promise<{ root: string; main: string }> {
  const cache = join(repoRoot, "node_modules", ".cache");
  await mkdir(cache, { recursive: true });
  await removeStaleBuilds(cache);
  const root = await mkdtemp(join(cache, PREFIX));
  const src = join(repoRoot, "src");
  await build({
    entryPoints: await sourcesUnder(src),
    outdir: join(root, "dist"),
    outbase: src,
    format: "esm",
    platform: "node",
    target: "node20",
    bundle: false,
    sourcemap: "inline",
    logLevel: "error",
  });
  // What the sources find two levels above themselves (builtin templates, migrations, the manifest).
  for (const name of ["templates", "prisma", "app.yml", "package.json"]) {
    await cp(join(repoRoot, name), join(root, name), { recursive: true });
  }
  return { root, main: join(root, "dist", "cli", "main.js") };
}
