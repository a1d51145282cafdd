// Prisma CLI configuration (Prisma 7 reads the database URL from here, not from schema.prisma).
// Used by `prisma migrate deploy` / `prisma migrate dev` for users with internet access; devflow's own
// `devflow migrate` applies the same migrations offline through Prisma's WASM schema engine.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
