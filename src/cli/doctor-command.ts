// `devflow doctor [--json]`: prints what is ready and what to fix; exit 1 when something required is missing.
import { renderReport } from "./doctor/doctor-report.js";
import { runDoctor } from "./doctor/run-doctor.js";

export async function runDoctorCommand(options: { json: boolean }): Promise<number> {
  const report = await runDoctor();
  console.log(options.json ? JSON.stringify(report, null, 2) : renderReport(report));
  return report.ok ? 0 : 1;
}
