// Websocket client: the only source of live updates.
//
// Remembers the id of the last event it handled, reconnects with backoff resuming from it
// (`/ws?last_event_id=<id>`), drops events it has already seen, and tells the page to
// rebuild its state when the server cannot resume (`snapshot.resync`) or when it did not
// ask to resume.

import { serverClock } from "./server_clock.js";

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const STABLE_MS = 5000; // a connection alive this long resets the backoff

export class LiveSocket {
  /**
   * @param {object} handlers
   * @param {(payload: object, info: {rebuild: boolean}) => void} handlers.onSnapshot
   * @param {(envelope: object) => void} handlers.onEvent
   * @param {(state: string, detail?: string) => void} handlers.onState
   */
  constructor({ onSnapshot, onEvent, onState, onClose = () => {}, path = "/ws" }) {
    this.onSnapshot = onSnapshot;
    this.onClose = onClose;
    this.onEvent = onEvent;
    this.onState = onState;
    this.path = path;
    this.lastId = null;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.countdown = null;
    this.openedAt = 0;
    this.stopped = false;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.ws && this.timer) this.retryNow();
    });
    window.addEventListener("online", () => {
      if (!this.ws && this.timer) this.retryNow();
    });
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const query = this.lastId != null ? `?last_event_id=${this.lastId}` : "";
    return `${proto}//${location.host}${this.path}${query}`;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    if (this.ws) return;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.clearTimers();
    if (this.ws) this.ws.close(1000, "page closed");
  }

  retryNow() {
    this.clearTimers();
    this.connect();
  }

  clearTimers() {
    clearTimeout(this.timer);
    clearInterval(this.countdown);
    this.timer = null;
    this.countdown = null;
  }

  connect() {
    this.clearTimers();
    const resumedFrom = this.lastId;
    this.onState(this.attempt === 0 ? "connecting" : "reconnecting", "connecting…");
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (err) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let gotSnapshot = false;

    ws.addEventListener("open", () => {
      this.openedAt = Date.now();
    });

    ws.addEventListener("message", (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        console.warn("ws: not JSON", ev.data);
        return;
      }
      // Stamped when the server sent it: what every age on the page is measured against.
      serverClock.observe(msg.ts);
      if (msg.type === "snapshot") {
        gotSnapshot = true;
        const resync = Boolean(msg.payload?.resync);
        if (resync) this.lastId = null; // ids may have restarted: forget ours
        this.onState("live");
        this.onSnapshot(msg.payload, { rebuild: resync || resumedFrom == null });
        return;
      }
      if (typeof msg.id === "number" && this.lastId != null && msg.id <= this.lastId) return;
      if (!gotSnapshot) this.onState("live");
      try {
        this.onEvent(msg);
      } catch (err) {
        console.error("ws: failed to apply", msg, err);
      }
      if (typeof msg.id === "number") this.lastId = msg.id;
    });

    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose({ code: ev.code, reason: ev.reason, gotSnapshot });
      if (this.stopped) {
        this.onState("offline", "stopped");
        return;
      }
      if (this.openedAt && Date.now() - this.openedAt > STABLE_MS) this.attempt = 0;
      // 1008: the server refused our last_event_id; start over with a fresh snapshot.
      if (ev.code === 1008) this.lastId = null;
      this.openedAt = 0;
      this.scheduleReconnect();
    });

    ws.addEventListener("error", () => {
      /* a close event always follows */
    });
  }

  scheduleReconnect() {
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt += 1;
    const due = Date.now() + delay;
    const tick = () => {
      const s = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      this.onState("reconnecting", `retry in ${s} s`);
    };
    tick();
    this.countdown = setInterval(tick, 1000);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
