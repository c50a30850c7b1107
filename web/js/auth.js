// The sign-in form, shown over the page whenever the server wants a login.

import { ApiError, getMe, lastUserName, login, logout, onUnauthorized } from "./api.js";

const ROLES = ["viewer", "operator", "supervisor", "admin"];

/** Whether `role` may do what `needed` may (roles are ordered, each includes the ones below). */
export function roleAtLeast(role, needed) {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed) && ROLES.includes(needed);
}

/** The page's "Log out" button: ends the session, then reloads into the sign-in form. */
export function bindLogout(button) {
  button.addEventListener("click", async () => {
    try {
      await logout();
    } catch (err) {
      // The reload asks the server anyway: a session that outlived this is caught then.
      console.warn("logout:", err.message);
    }
    location.reload();
  });
}

// One sign-in form for every page, built here rather than repeated in each page's HTML.
const FORM_HTML = `
  <form class="login-box" id="login-form" data-testid="login-form" autocomplete="on">
    <div class="brand">
      <span class="brand-mark" aria-hidden="true"></span>
      <span class="brand-title">Crowd Monitor</span>
      <span class="brand-sub"></span>
    </div>
    <p class="login-hint" id="login-hint"></p>
    <label>User name
      <input id="login-name" data-testid="login-name" name="username" type="text" maxlength="64"
             autocomplete="username" spellcheck="false" autocapitalize="off" required>
    </label>
    <label>Password
      <input id="login-password" data-testid="login-password" name="password" type="password"
             autocomplete="current-password" required>
    </label>
    <p class="login-error" id="login-error" data-testid="login-error" role="alert" hidden></p>
    <button type="submit" id="login-submit" data-testid="login-submit">Sign in</button>
  </form>`;

export class LoginDialog {
  /** Adds the (hidden) sign-in overlay to the page, titled like the page's own header. */
  static mount() {
    const root = document.createElement("div");
    root.className = "login-overlay";
    root.id = "login";
    root.dataset.testid = "login";
    root.hidden = true;
    root.innerHTML = FORM_HTML;
    const subtitle = document.querySelector(".topbar .brand-sub");
    root.querySelector(".brand-sub").textContent = subtitle ? subtitle.textContent : "";
    document.body.append(root);
    return new LoginDialog(root);
  }

  constructor(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.name = root.querySelector("#login-name");
    this.password = root.querySelector("#login-password");
    this.error = root.querySelector("#login-error");
    this.hint = root.querySelector("#login-hint");
    this.submit = root.querySelector("#login-submit");
    this.pending = null;
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.send();
    });
  }

  get open() {
    return !this.root.hidden;
  }

  /** Shows the form until someone logs in; every caller gets the same session. */
  ask(hint = "Sign in to see the live map.") {
    if (this.pending) return this.pending.promise;
    let resolve;
    const promise = new Promise((r) => {
      resolve = r;
    });
    this.pending = { promise, resolve };
    this.hint.textContent = hint;
    this.error.hidden = true;
    this.password.value = "";
    if (!this.name.value) this.name.value = lastUserName();
    this.root.hidden = false;
    (this.name.value ? this.password : this.name).focus();
    return promise;
  }

  async send() {
    const name = this.name.value.trim();
    const password = this.password.value;
    if (!name || !password) return;
    this.submit.disabled = true;
    this.error.hidden = true;
    try {
      const session = await login(name, password);
      this.password.value = "";
      this.root.hidden = true;
      const { resolve } = this.pending ?? {};
      this.pending = null;
      resolve?.(session);
    } catch (err) {
      this.error.textContent =
        err instanceof ApiError && err.status === 422 ? "Enter a user name and password." : err.message;
      this.error.hidden = false;
      this.password.select();
    } finally {
      this.submit.disabled = false;
    }
  }
}

function showPageUser(user) {
  document.getElementById("user-name").textContent = user?.name ?? "";
  document.getElementById("user-role").textContent = user?.role ?? "";
  document.getElementById("current-user").hidden = !user;
}

/** Signs a report page in (its top bar has #current-user, #user-name, #user-role and
 * #logout-button): the session's user, or the sign-in form with `hint` until someone signs
 * in. A later 401 means the session ended: the form asks again, then `onResumed()`. */
export async function signInPage({ hint, onResumed }) {
  const dialog = LoginDialog.mount();
  let user;
  try {
    user = (await getMe()).user;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    user = (await dialog.ask(hint)).user;
  }
  showPageUser(user);
  onUnauthorized(() =>
    dialog.ask("Your session ended: sign in again.").then((session) => {
      showPageUser(session.user);
      onResumed?.();
    }),
  );
  bindLogout(document.getElementById("logout-button"));
  return user;
}
