// A TCP proxy on 127.0.0.1 that gives loopback the shape of a real network's round trip: every
// byte takes rttMs/2 to cross, each way. It forwards raw TCP (the TLS stays end to end, between
// the client and emulator-child.mjs), so a TLS handshake costs real round trips too.
//
// The TCP handshake is modelled by one rule: on a new connection, the client's first bytes
// cannot reach the server before accept + 1.5 × RTT. On a real network the client sends SYN at
// t = 0, gets SYN-ACK at RTT, sends its first bytes with the ACK, and they arrive at 1.5 RTT;
// over loopback connect() returns at once, so the client's first bytes are held until then.
// Not modelled: bandwidth, loss, and TCP slow start (loopback's large MTU hides it), all of
// which would cost new connections more, so this model flatters one-connection-per-call clients.
//
// Run by wan.mjs with fork(): argv JSON {targetPort, rttMs}; sends {ready, port}; answers
// {cmd: "stats"} with the connections accepted so far; exits when its parent goes away.
import { connect, createServer } from "node:net";

const { targetPort, rttMs } = JSON.parse(process.argv[2]);
const oneWay = rttMs / 2;
/** Bytes queued in one direction before its source is paused (backpressure stays bounded). */
const MAX_QUEUED = 8 << 20;
const sockets = new Set();
let connections = 0;

/**
 * Forwards `from` to `to`, each chunk (and the end of stream) delivered `oneWay` ms after it
 * arrived, never before `notBefore`, in order.
 */
function forward(from, to, notBefore = 0) {
  const queue = [];
  let queued = 0;
  let scheduled = false;
  const schedule = (at) => {
    scheduled = true;
    setTimeout(flush, Math.max(0, at - performance.now()));
  };
  const flush = () => {
    scheduled = false;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { chunk } = queue.shift();
      if (chunk === null) {
        to.end();
      } else {
        queued -= chunk.length;
        if (!to.destroyed) to.write(chunk);
      }
    }
    if (queued < MAX_QUEUED && from.isPaused()) from.resume();
    if (queue.length > 0) schedule(queue[0].at);
  };
  const push = (chunk) => {
    const at = Math.max(performance.now() + oneWay, notBefore);
    queue.push({ at, chunk });
    if (chunk !== null) {
      queued += chunk.length;
      if (queued >= MAX_QUEUED) from.pause();
    }
    if (!scheduled) schedule(queue[0].at);
  };
  from.on("data", push);
  from.on("end", () => push(null));
  // A reset on one side reaches the other side one way later, like a RST would.
  from.on("error", () => setTimeout(() => to.destroy(), oneWay));
  from.on("close", () => {
    if (queue.length === 0 && !to.writableEnded) setTimeout(() => to.destroy(), oneWay);
  });
}

const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
  connections++;
  const acceptedAt = performance.now();
  const upstream = connect({ host: "127.0.0.1", port: targetPort, allowHalfOpen: true });
  upstream.setNoDelay(true);
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  }
  forward(client, upstream, acceptedAt + 1.5 * rttMs);
  forward(upstream, client);
});

server.listen(0, "127.0.0.1", () => {
  process.send({ ready: true, port: server.address().port });
});

const shutdown = () => {
  server.close();
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
process.on("message", (message) => {
  if (message.cmd === "close") shutdown();
  else if (message.cmd === "stats") process.send({ id: message.id, connections });
});
process.on("disconnect", shutdown);
