// REST calls: session, initial configuration and history, and operator actions.
//
// The browser session is an HTTP-only cookie set by /api/auth/login; requests that change
// something also carry the session's CSRF token (from the `cm_csrf` cookie) in
// X-CSRF-Token. A 401 from any call goes to the handler set with onUnauthorized, which
// asks the user to log in again.

import { observeAnswer } from "./server_clock.js";

const LAST_USER_KEY = "crowd-monitor.last-user";
const CSRF_COOKIE = "cm_csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

let csrfToken = null;
let unauthorizedHandler = null;

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

function csrf() {
  return cookie(CSRF_COOKIE) ?? csrfToken;
}

/** The message of a FastAPI error body: `detail` is a string or a list of validation errors. */
function detailText(body, status) {
  const d = body?.detail;
  if (typeof d === "string") return d;
  // A validation error names its field by path (["body", "blocking_limit"]): without it,
  // "Input should be greater than 1" leaves the operator guessing which input is meant.
  const where = (e) => (Array.isArray(e?.loc) ? e.loc.filter((part) => part !== "body").join(".") : "");
  const one = (e) => (e?.msg ? (where(e) ? `${where(e)}: ${e.msg}` : e.msg) : JSON.stringify(e));
  if (Array.isArray(d)) return d.map(one).join("; ");
  if (d != null) return JSON.stringify(d);
  return `HTTP ${status}`;
}

export async function request(method, url, { body, headers = {}, signal } = {}) {
  const init = {
    method,
    headers: { Accept: "application/json", ...headers },
    credentials: "same-origin",
    signal,
  };
  if (!SAFE.has(method)) {
    const token = csrf();
    if (token) init.headers["X-CSRF-Token"] = token;
  }
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "The server cannot be reached.");
  }
  observeAnswer(res.headers);
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const error = new ApiError(res.status, detailText(data, res.status) || text);
    if (res.status === 401 && !url.startsWith("/api/auth/login")) unauthorizedHandler?.(error);
    throw error;
  }
  return data;
}

/** The logged-in user ({user: {name, role}, csrf_token}); ApiError 401 when there is none. */
export async function getMe() {
  const me = await request("GET", "/api/auth/me");
  if (me?.csrf_token) csrfToken = me.csrf_token;
  return me;
}

export async function login(name, password) {
  const session = await request("POST", "/api/auth/login", { body: { name, password } });
  csrfToken = session?.csrf_token ?? null;
  try {
    localStorage.setItem(LAST_USER_KEY, name);
  } catch {
    /* not remembered */
  }
  return session;
}

export async function logout() {
  try {
    await request("POST", "/api/auth/logout");
  } finally {
    csrfToken = null;
  }
}

export function lastUserName() {
  try {
    return localStorage.getItem(LAST_USER_KEY) ?? "";
  } catch {
    return "";
  }
}

export const getConfig = () => request("GET", "/api/config");

/** Readings of a site since `since` (epoch seconds), oldest first. */
export async function getReadings(siteId, since, signal) {
  const url = `/api/sites/${encodeURIComponent(siteId)}/readings?since=${since.toFixed(3)}`;
  const data = await request("GET", url, { signal });
  const list = Array.isArray(data) ? data : data?.readings ?? data?.items ?? [];
  return list.slice().sort((a, b) => a.captured_at - b.captured_at);
}

/** Recent alerts of every state, newest first. */
export async function getAlerts(limit = 50) {
  const data = await request("GET", `/api/alerts?limit=${limit}`);
  return Array.isArray(data) ? data : [];
}

export function acknowledgeAlert(alertId, note) {
  return request("POST", `/api/alerts/${encodeURIComponent(alertId)}/ack`, { body: { note } });
}

export function snapshotUrl(siteId, seq) {
  const base = `/api/sites/${encodeURIComponent(siteId)}/snapshot.jpg?overlay=false`;
  return seq == null ? base : `${base}&seq=${seq}`;
}
