// Prepares what `make bench` reads: signs the demo operator in and runs a plan of 200
// steps through switchover, so the execution page it measures is a real 200-step one
// (every step with its log and calls). Prints `<session cookie> <execution id>`.
// Usage: node prepare.mjs http://127.0.0.1:PORT
const base = process.argv[2];
const STEPS = 200;

async function call(cookie, endpoint, args = {}) {
  const response = await fetch(`${base}/api/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify(args),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${endpoint} answered ${response.status}: ${text}`);
  return { body: text ? JSON.parse(text) : null, response };
}

async function signIn(username) {
  const { response } = await call("", "auth/sign_in", { username, password: "switchyard" });
  return response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

const operator = await signIn("operator");
const reviewer = await signIn("reviewer");

// The simulator answers at once, so the run takes seconds, not minutes.
const zero = { min_ms: 0, max_ms: 0 };
await call(operator, "simulator/set_timing", { timing: { traffic: zero, restart: zero, cluster: zero } });

const step = (n) => ({
  opcode: "traffic.restore",
  title: `Restore payments traffic, pass ${n + 1}`,
  params: { product_group: "Payments", weight_percent: 100 },
});
const document = {
  format: "switchyard.plan/1",
  name: `Bench: ${STEPS} steps`,
  description: "Made by make bench.",
  switchover: Array.from({ length: STEPS }, (_, n) => step(n)),
  recovery: [],
};
let { body: plan } = await call(operator, "plans/import", { document: JSON.stringify(document) });
({ body: plan } = await call(operator, "plans/submit", { id: plan.plan.id, revision: plan.plan.revision }));
await call(reviewer, "plans/approve", { id: plan.plan.id, revision: plan.plan.revision, comment: "" });

const { body: centers } = await call(operator, "data_centers/list");
const site = (name) => centers.find((c) => c.name === name)?.id;
const { body: execution } = await call(operator, "executions/create", {
  new: { plan_id: plan.plan.id, failed: site("Shanghai-A"), emergency: site("Hangzhou-B"), description: "make bench" },
});
const id = execution.summary.id;
await call(operator, "executions/start", { id });
for (let waited = 0; ; waited += 250) {
  const { body } = await call(operator, "executions/get", { id });
  if (body.summary.state === "switchover_done") break;
  if (!body.summary.state.endsWith("_running") || waited > 120_000) {
    throw new Error(`the bench execution stopped in ${body.summary.state}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.log(`${operator} ${id}`);
