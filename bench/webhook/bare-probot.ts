// The floor: a bare Probot app (devflow's Probot version) with a no-op handler for every event, behind
// Probot's own middleware (its own signature verification: devflow's web process verifies once in its
// own endpoint instead, then stores the delivery in its inbox before answering), on a plain Node HTTP
// server. Started as a process of its own by bench/webhook/main.ts; prints "ready" when
// listening. Environment: PORT, APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, LOG_LEVEL.
import { createServer } from "node:http";
import { pino } from "pino";
import { createNodeMiddleware, Probot } from "probot";

const probot = new Probot({
  appId: Number(process.env.APP_ID),
  privateKey: process.env.PRIVATE_KEY ?? "",
  secret: process.env.WEBHOOK_SECRET ?? "",
  log: pino({ level: process.env.LOG_LEVEL ?? "info" }),
});
const middleware = await createNodeMiddleware(
  (app) => {
    app.onAny(async () => {});
  },
  { probot },
);
const server = createServer((request, response) => {
  void middleware(request, response, () => {
    response.writeHead(404).end();
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
