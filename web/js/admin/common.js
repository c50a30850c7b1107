// Shared by the admin pages: who is logged in (and may see the page), and a message banner.

import { ApiError, getMe } from "../api.js";
import { roleAtLeast } from "../auth.js";

/** The logged-in user, once shown in the top bar, if their role is at least `role`; a
 * banner and a rejected promise otherwise. */
export async function requireRole(role, refusal) {
  let me;
  try {
    me = await getMe();
  } catch (err) {
    // No session: the live page has the sign-in form and comes back here after.
    if (err instanceof ApiError && err.status === 401) location.replace("/");
    throw err;
  }
  document.getElementById("user-name").textContent = `${me.user.name} (${me.user.role})`;
  if (!roleAtLeast(me.user.role, role)) {
    show(refusal);
    throw new Error(`not ${role}`);
  }
  return me.user;
}

export const requireAdmin = () => requireRole("admin", "Only admins may see this page.");

export function show(message, ok = false) {
  const banner = document.getElementById("banner");
  banner.textContent = message;
  banner.classList.toggle("ok", ok);
  banner.hidden = !message;
}
