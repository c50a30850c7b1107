// Users page (admins): add users, change roles, enable/disable, set passwords, issue tokens.

import { request } from "../api.js";
import { el } from "../util.js";
import { requireAdmin, show } from "./common.js";

const ROLES = ["viewer", "operator", "supervisor", "admin"];
const path = (name) => `/api/users/${encodeURIComponent(name)}`;

async function load() {
  const users = await request("GET", "/api/users");
  document.getElementById("users").replaceChildren(...users.map(row));
}

function row(user) {
  const role = el("select", { "data-testid": `user-role-${user.name}` }, ...ROLES.map((r) => el("option", { value: r, text: r, selected: r === user.role })));
  const enabled = el("input", { type: "checkbox", checked: !user.disabled, "data-testid": `user-enabled-${user.name}` });
  const password = el("input", { type: "password", minLength: 8, maxLength: 256, placeholder: "unchanged", autocomplete: "new-password", "data-testid": `user-password-${user.name}` });
  const save = el("button", { type: "button", text: "Save", "data-testid": `user-save-${user.name}` });
  const token = el("button", { type: "button", text: "New token", "data-testid": `user-token-${user.name}` });
  save.addEventListener("click", async () => {
    const body = {};
    if (role.value !== user.role) body.role = role.value;
    if (enabled.checked === user.disabled) body.disabled = !enabled.checked;
    if (password.value) body.password = password.value;
    try {
      await request("PATCH", path(user.name), { body });
      show(`Saved ${user.name}.`, true);
      await load();
    } catch (err) {
      show(err.message);
    }
  });
  token.addEventListener("click", async () => {
    try {
      const issued = await request("POST", `${path(user.name)}/token`);
      const box = document.getElementById("token");
      box.textContent = `API token for ${issued.user} (shown once; the previous one stops working): ${issued.token}`;
      box.hidden = false;
    } catch (err) {
      show(err.message);
    }
  });
  return el(
    "tr",
    { "data-testid": `user-row-${user.name}` },
    el("td", { text: user.name }),
    el("td", {}, role),
    el("td", {}, enabled),
    el("td", {}, password),
    el("td", {}, save),
    el("td", {}, token),
  );
}

document.getElementById("add-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const name = document.getElementById("add-name");
  const password = document.getElementById("add-password");
  try {
    await request("POST", "/api/users", {
      body: { name: name.value.trim(), role: document.getElementById("add-role").value, password: password.value },
    });
    show(`Added ${name.value.trim()}.`, true);
    name.value = "";
    password.value = "";
    await load();
  } catch (err) {
    show(err.message);
  }
});

requireAdmin().then(load).catch((err) => console.warn(err.message));
