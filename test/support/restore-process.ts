// Test files share their worker process (vitest.config.ts: isolate false), so what a file changes of
// the process is put back when it ends: its environment (PATH for the agent CLIs, API keys, HOME), its
// working directory and its umask. The next file starts as the first did.
import { afterAll } from "vitest";

const environment = { ...process.env };
const directory = process.cwd();
const umask = process.umask();

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  process.chdir(directory);
  process.umask(umask);
});
