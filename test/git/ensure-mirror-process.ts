// Runs ensureMirror in a process of its own, printing its log lines: the cross-process race test starts
// two of these at once. Arguments: <mirrorsDir> <repository> <cloneUrl> <startAt (epoch ms)>; both wait
// until startAt, so that they really do race rather than one finding the other's finished mirror.
import { setTimeout as sleep } from "node:timers/promises";
import { ensureMirror } from "../../src/git/index.js";

const [mirrorsDir, repository, cloneUrl, startAt] = process.argv.slice(2);
if (mirrorsDir === undefined || repository === undefined || cloneUrl === undefined) {
  throw new Error("usage: ensure-mirror-process <mirrorsDir> <repository> <cloneUrl> <startAt>");
}
await sleep(Math.max(0, Number(startAt ?? 0) - Date.now()));
const { path } = await ensureMirror({ mirrorsDir, repository, cloneUrl, log: (line) => console.log(line) });
console.log(`mirror ${path}`);
