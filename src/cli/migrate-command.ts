import { loadEnvironment } from "../config/index.js";
import { applyMigrations } from "../db/index.js";
import { startServices } from "../server/index.js";

export async function runMigrateCommand(): Promise<number> {
  const env = loadEnvironment();
  const services = await startServices({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    withoutRedisUrl: "postgres",
  });
  try {
    const applied = await applyMigrations({ connectionString: services.databaseUrl });
    console.log(
      applied.length > 0
        ? `Applied ${applied.length} migration(s) to the ${services.databaseOrigin}:\n${applied.map((name) => `  ${name}`).join("\n")}`
        : `The ${services.databaseOrigin} is up to date.`,
    );
    return 0;
  } finally {
    await services.stop();
  }
}
