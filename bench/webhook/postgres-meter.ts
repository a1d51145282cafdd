// What devflow's deliveries cost its database: CPU of the database's Postgres backends, from /proc when
// Postgres is local (NaN otherwise), sampled before and after a batch. The bare Probot floor has no
// database, so this is part of devflow's price of a delivery.
import type pg from "pg";
import { type CpuByPid, cpuBetween, cpuOf } from "../engine/process-cpu.js";

export async function samplePostgresCpu(pool: pg.Pool): Promise<CpuByPid> {
  const backends = await pool.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
  );
  return cpuOf(backends.rows.map((row) => row.pid));
}

export function postgresCpuMs(before: CpuByPid, after: CpuByPid): number {
  return after.size === 0 ? Number.NaN : cpuBetween(before, after);
}
