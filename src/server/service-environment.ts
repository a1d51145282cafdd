// The environment of the services devflow starts for itself (embedded Postgres and its tools,
// redis-server): only what they need to run, never devflow's own variables or secrets.

const PASSED = ["PATH", "LANG", "LC_ALL", "TZ", "TMPDIR"] as const;

export function serviceEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  return env;
}
