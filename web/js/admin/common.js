// Shared by the admin pages: who is logged in (admins only), and a message banner.

import { ApiError, getMe } from "../api.js";

export async function requireAdmin() {
  let me;
  try {
    me = await getMe();
  } catch (err) {
    // No session: the live page has the sign-in form and comes back here after.
    if (err instanceof ApiError && err.status === 401) location.replace("/");
    throw err;
  }
  document.getElementById("user-name").textContent = `${me.user.name} (${me.user.role})`;
  if (me.user.role !== "admin") {
    show("Only admins may see this page.");
    throw new Error("not an admin");
  }
  return me.user;
}

export function show(message, ok = false) {
  const banner = document.getElementById("banner");
  banner.textContent = message;
  banner.classList.toggle("ok", ok);
  banner.hidden = !message;
}
