// Builds devflow's GitHub Action: src/action/main.ts and everything it imports, bundled by esbuild into
// one ESM file, action/dist/index.js, plus the one file that cannot go inside it: the WASM schema engine
// that applies migrations (Prisma's query compiler is embedded as base64 by Prisma itself). The
// Actions runner has no node_modules, so both are committed. The build is deterministic (same inputs,
// same bytes), so `--check` can rebuild into a temporary directory and compare: it fails when the
// committed bundle is not what the sources build.
//
//   node scripts/build-action.mjs            write action/dist
//   node scripts/build-action.mjs --check    exit 1 if action/dist is not current
//   … --check --dist <dir>                   compare <dir> instead (the test of the check itself)
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// esbuild is a dev dependency of its own, pinned exactly: another version would build other bytes.
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const distFlag = process.argv.indexOf("--dist");
const distDir = distFlag > 0 ? process.argv[distFlag + 1] : join(root, "action", "dist");
const WASM = "schema_engine_bg.wasm";

async function buildInto(outDir) {
  await mkdir(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["src/action/main.ts"],
    outfile: join(outDir, "index.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // node_modules may be a symlink (worktrees): keep the paths in the bundle's comments the same.
    preserveSymlinks: true,
    legalComments: "eof",
    logLevel: "warning",
    // Bundled CommonJS packages call require() for Node's modules; ESM has none of its own.
    banner: {
      js: "// devflow's GitHub Action, built by scripts/build-action.mjs: do not edit.\nimport { createRequire as __devflowCreateRequire } from 'node:module';\nconst require = __devflowCreateRequire(import.meta.url);",
    },
  });
  const require = createRequire(join(root, "package.json"));
  const glue = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  await copyFile(glue.replace(/\.js$/, ".wasm"), join(outDir, WASM));
}

async function sameFiles(a, b) {
  const names = [...new Set([...(await readdir(a)), ...(await readdir(b).catch(() => []))])].sort();
  const differing = [];
  for (const name of names) {
    const [left, right] = await Promise.all([
      readFile(join(a, name)).catch(() => undefined),
      readFile(join(b, name)).catch(() => undefined),
    ]);
    if (!left || !right || !left.equals(right)) differing.push(name);
  }
  return differing;
}

if (process.argv.includes("--check")) {
  const temp = await mkdtemp(join(tmpdir(), "devflow-action-"));
  try {
    await buildInto(temp);
    const differing = await sameFiles(temp, distDir);
    if (differing.length > 0) {
      console.error(
        `action/dist is not current (${differing.join(", ")} differ from a fresh build): run \`npm run build:action\` and commit action/dist.`,
      );
      process.exit(1);
    }
    console.log("action/dist is current.");
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
} else {
  await rm(distDir, { recursive: true, force: true });
  await buildInto(distDir);
  console.log(`built ${join("action", "dist", "index.js")} and ${join("action", "dist", WASM)}`);
}
