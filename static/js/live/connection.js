// The live meeting socket for tablets on bad wifi: reconnects by itself with backoff, catches up
// with `resync`, and keeps commands made while offline in an outbox (localStorage) that is sent on
// reconnect; each command's id makes a resend harmless.

const MAX_BACKOFF_MS = 15000;
// The outbox is replayed at about 16 commands a second, inside the server's per-connection rate
// limit; a command the server could not take just then (too many at once, database busy) stays in
// the outbox and is sent again a little later, never dropped.
const REPLAY_GAP_MS = 60;
const RETRY_CODES = new Set(["rate_limited", "busy"]);
const RELOADED_FOR = "live-reloaded-for-build";
const MAX_RELOADS_PER_BUILD = 3;
const RELOAD_SPREAD_MS = 5000;

/** A random UUID, also on plain http where crypto.randomUUID is missing (a LAN without TLS). */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class LiveConnection {
  constructor({ path, storageKey, build, heartbeatSeconds = 10, onSnapshot, onEvent, onStatus, onError, onEarlierCommand, busy }) {
    this.build = build;
    this.heartbeatMs = heartbeatSeconds * 1000;
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.storageKey = storageKey;
    this.handlers = { onSnapshot, onEvent, onStatus, onError, onEarlierCommand, busy };
    this.seq = null;
    this.socket = null;
    this.attempt = 0;
    this.pending = new Map();
    this.volatileIds = new Set(); // replies to these matter to nobody: a stroke's points are stale a moment later
    this.outbox = this.loadOutbox();
    this.closedByServer = false;
    window.addEventListener("online", () => this.connectSoon(0));
    // The wifi went away: do not wait for the socket to notice.
    window.addEventListener("offline", () => this.drop());
    setInterval(() => this.heartbeat(), this.heartbeatMs);
  }

  /** A socket can look open while nothing gets through (a dead access point): ping it, and give up on it
   * when nothing at all has come back for a while. */
  heartbeat() {
    if (!this.online) return;
    if (Date.now() - this.lastHeard > this.heartbeatMs * 1.5) {
      this.drop();
      return;
    }
    this.raw({ type: "ping" });
  }

  drop() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    try { socket.close(); } catch { /* already closing */ }
    this.status("offline");
    this.connectSoon();
  }

  loadOutbox() {
    try { return JSON.parse(localStorage.getItem(this.storageKey) || "[]"); } catch { return []; }
  }

  saveOutbox() {
    try { localStorage.setItem(this.storageKey, JSON.stringify(this.outbox)); } catch { /* private mode: memory only */ }
  }

  get online() { return this.socket?.readyState === WebSocket.OPEN; }

  status(state) { this.handlers.onStatus?.(state, this.outbox.length); }

  connect() {
    clearTimeout(this.timer);
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.status(this.attempt ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      // Catch up first, then replay what was done offline, in the order it was done.
      if (this.seq !== null) this.raw({ type: "resync", since: this.seq });
      this.replay();
      this.status("online");
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      this.receive(message.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === 4401 || event.code === 4404) {
        this.closedByServer = true;
        this.status(event.code === 4401 ? "logged-out" : "gone");
        return;
      }
      this.status("offline");
      this.connectSoon();
    };
  }

  connectSoon(delay) {
    if (this.closedByServer) return;
    clearTimeout(this.timer);
    const backoff = delay ?? Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.7 + Math.random() * 0.6);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), backoff);
  }

  replay() {
    clearTimeout(this.replayTimer);
    const queue = [...this.outbox];
    const next = () => {
      const command = queue.shift();
      if (!command || !this.online) return;
      if (this.outbox.includes(command)) this.raw(command);
      this.replayTimer = setTimeout(next, REPLAY_GAP_MS);
    };
    next();
  }

  raw(message) {
    if (this.online) this.socket.send(JSON.stringify(message));
  }

  /** Send now or never, without the outbox: for what is stale a moment later (a stroke being drawn). */
  volatile(type, fields = {}) {
    if (!this.online) return;
    const id = newId();
    this.volatileIds.add(id);
    if (this.volatileIds.size > 500) this.volatileIds.delete(this.volatileIds.values().next().value);
    this.socket.send(JSON.stringify({ type, id, ...fields }));
  }

  /** Send a command; resolves with the server's ack or error (possibly after a reconnect). */
  command(type, fields = {}) {
    const message = { type, id: newId(), ...fields };
    this.outbox.push(message);
    this.saveOutbox();
    this.raw(message);
    this.status(this.online ? "online" : "offline");
    return new Promise((resolve) => this.pending.set(message.id, resolve));
  }

  settle(reply) {
    if (this.volatileIds.delete(reply.id)) return;
    const index = this.outbox.findIndex((command) => command.id === reply.id);
    if (reply.type === "error" && RETRY_CODES.has(reply.code) && index >= 0) {
      const command = this.outbox[index];
      setTimeout(() => { if (this.outbox.includes(command)) this.raw(command); }, 1000 + Math.random() * 1500);
      return;
    }
    const command = index >= 0 ? this.outbox[index] : null;
    if (index >= 0) {
      this.outbox.splice(index, 1);
      this.saveOutbox();
    }
    const waiting = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    // Queued by this page before a reload, sent by this one: no one here awaits it, yet the page must
    // learn what became of it (a ballot counted, or too late).
    if (waiting) waiting(reply);
    else if (command) this.handlers.onEarlierCommand?.(command, reply);
    if (reply.type === "error") this.handlers.onError?.(reply);
    this.status(this.online ? "online" : "offline");
  }

  /** The server was upgraded while this page stayed open: load the page again, with the server's
   * code, a few seconds later (so a room's tablets do not all reload at once) and not while someone
   * is typing, drawing or voting. At most a few times per build: during a rolling restart a reload
   * may still reach a process on the other build, and must neither loop nor give up at once. The
   * outbox is in localStorage and is sent after the reload. */
  outdatedBy(build) {
    if (!build || !this.build || build === this.build || this.reloadTimer) return;
    try {
      const last = JSON.parse(sessionStorage.getItem(RELOADED_FOR) || "{}");
      const tries = last.build === build ? last.tries : 0;
      if (tries >= MAX_RELOADS_PER_BUILD) return;
      sessionStorage.setItem(RELOADED_FOR, JSON.stringify({ build, tries: tries + 1 }));
    } catch {
      return; // without sessionStorage a reload could not tell how often it already happened
    }
    const reload = () => {
      if (this.handlers.busy?.()) this.reloadTimer = setTimeout(reload, 2000);
      else location.reload();
    };
    this.reloadTimer = setTimeout(reload, RELOAD_SPREAD_MS * Math.random());
  }

  receive(data) {
    let message;
    try { message = JSON.parse(data); } catch { return; }
    if (message.type === "pong") return;
    if (message.type === "snapshot") {
      this.outdatedBy(message.build);
      this.seq = message.seq;
      this.resyncingFrom = null;
      this.handlers.onSnapshot(message);
      return;
    }
    if (message.type === "ack" || message.type === "error") {
      if (message.id) this.settle(message);
      else this.handlers.onError?.(message);
      return;
    }
    if (typeof message.seq !== "number") {
      this.handlers.onEvent(message);
      return;
    }
    if (this.seq !== null && message.seq <= this.seq) return;
    if (this.seq !== null && message.seq > this.seq + 1) {
      // A gap: ask (once) for what was missed; the events come again, in order.
      if (this.resyncingFrom !== this.seq) this.raw({ type: "resync", since: this.seq });
      this.resyncingFrom = this.seq;
      return;
    }
    this.resyncingFrom = null;
    this.seq = message.seq;
    this.handlers.onEvent(message);
  }
}
