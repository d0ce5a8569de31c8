// `make abuse`, the live channel and half-open sockets. Prints one JSON object of
// figures. Usage: node live.cjs BASE SERVER_PID (with `ws` on NODE_PATH)
//   - one session tries 100 live channels (those over the session's cap are closed at
//     once with 4429);
//   - 57 reader accounts and 7 operator accounts, two sessions each, try 32 channels
//     apiece and never read (a slow reader): the instance's cap is reached, readers
//     stop short of the room kept for operators; the server's resident memory is read
//     once they are all open, and again after the server has dropped them;
//   - 300 connections send half a request header: how long until the server closes them.
const net = require("node:net");
const fs = require("node:fs");
const WebSocket = require("ws");

const [base, serverPid] = process.argv.slice(2);
const wsBase = base.replace(/^http/, "ws");
const PASSWORD = "Switchyard-abuse-2026";

const rssMb = (field) => {
  const status = fs.readFileSync(`/proc/${serverPid}/status`, "utf8");
  const kb = +status.match(new RegExp(`^${field}:\\s+(\\d+)`, "m"))[1];
  return Math.round(kb / 1024);
};

async function call(cookie, endpoint, body) {
  const response = await fetch(`${base}/api/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${endpoint}: ${response.status} ${await response.text()}`);
  const cookieHeader = response.headers.get("set-cookie");
  return cookieHeader ? cookieHeader.split(";")[0] : cookie;
}

const signIn = (username, password) => call(null, "auth/sign_in", { username, password });

// Opens a channel that reads its first frame and then nothing (no frame, no pong);
// resolves to 101 when it is served, or to the close code it is turned away with.
function openSlow(cookie, held) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${wsBase}/live/executions`, { headers: { cookie } });
    socket.once("message", () => {
      socket._socket.pause();
      held.push(socket);
      resolve(101);
    });
    socket.on("close", (code) => resolve(code));
    socket.on("unexpected-response", (_, response) => {
      response.resume();
      resolve(response.statusCode);
    });
    socket.on("error", () => resolve(0));
  });
}

const tally = (statuses) =>
  statuses.reduce((count, status) => ((count[status] = (count[status] || 0) + 1), count), {});

async function main() {
  const held = [];
  const figures = {};
  const admin = await signIn("admin", "switchyard");

  // One session, 100 tries.
  const one = await signIn("auditor", "switchyard");
  const tries = [];
  for (let i = 0; i < 100; i++) tries.push(await openSlow(one, held));
  figures.one_session = tally(tries);
  for (const socket of held.splice(0)) socket.terminate();
  await new Promise((r) => setTimeout(r, 1000));

  // Several accounts of slow readers, up to the instance's cap.
  const accounts = [];
  for (let i = 0; i < 64; i++) {
    const role = i < 57 ? "auditor" : "operator";
    const username = `abuse-${role}-${i}`;
    await call(admin, "users/create", {
      user: { username, display_name: username, role, password: PASSWORD },
    });
    const first = await signIn(username, PASSWORD);
    await call(first, "auth/change_password", {
      current_password: PASSWORD,
      new_password: PASSWORD + "!",
    });
    accounts.push({ role, username });
}
const rssBefore = rssMb("VmRSS");
const statuses = { auditor: [], operator: [] };
for (const { role, username } of accounts) {
  for (let session = 0; session < 2; session++) {
    const cookie = await signIn(username, PASSWORD + "!");
    const opened = [];
    for (let i = 0; i < 16; i++) opened.push(openSlow(cookie, held));
    statuses[role].push(...(await Promise.all(opened)));
  }
}
figures.readers = tally(statuses.auditor);
figures.operators = tally(statuses.operator);
figures.open = held.length;
await new Promise((r) => setTimeout(r, 5000));
figures.rss_before_mb = rssBefore;
figures.rss_full_mb = rssMb("VmRSS");

// The server drops readers that do not read: a full account can open again.
const started = Date.now();
const probe = await signIn(accounts[0].username, PASSWORD + "!");
let reopened = 0;
while (Date.now() - started < 120_000) {
  const extra = [];
  if ((await openSlow(probe, extra)) === 101) {
    extra.forEach((s) => s.terminate());
    reopened = Date.now() - started;
    break;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
figures.dropped_after_s = reopened ? Math.round(reopened / 1000) : null;
figures.rss_peak_mb = rssMb("VmHWM");
for (const socket of held.splice(0)) socket.terminate();

figures.half_open_console_s = await halfOpen(+new URL(base).port, 300);
if (process.env.SIMULATOR_PORT) {
  figures.half_open_simulator_s = await halfOpen(+process.env.SIMULATOR_PORT, 300);
}
console.log(JSON.stringify(figures));
process.exit(0);
}

// Half-open sockets: half a header, then nothing. Resolves to the longest time (s) one
// stayed open.
async function halfOpen(port, count) {
  const closedAfter = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise((resolve) => {
        // Counted from the handshake: a connection the kernel could not take at once
        // is tried again a second later.
        let opened = Date.now();
        const socket = net.connect(port, "127.0.0.1", () => {
          opened = Date.now();
          socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
        });
        socket.on("data", () => {});
        socket.on("close", () => resolve(Date.now() - opened));
        socket.on("error", () => {});
        socket.setTimeout(60_000, () => {
          socket.destroy();
          resolve(Infinity);
        });
      }),
    ),
  );
  return Math.max(...closedAfter) / 1000;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
