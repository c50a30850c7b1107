// The export panel: a zip of the shown sites' clips, readings and alerts with a manifest.

import { ApiError, getMe } from "../api.js";
import { fromLocalInput } from "./timeline.js";

function csrfToken(me) {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "cm_csrf") return decodeURIComponent(v.join("="));
  }
  return me?.csrf_token ?? "";
}

export function setUpExport({ form, from, to, blur, status, button }, siteIds) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const since = fromLocalInput(from.value);
    const until = fromLocalInput(to.value);
    status.removeAttribute("data-error");
    button.disabled = true;
    status.textContent = "Building the pack…";
    try {
      const me = await getMe();
      const res = await fetch("/api/exports", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(me) },
        body: JSON.stringify({ since, until, site_ids: siteIds(), blur: blur.checked }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? res.status);
        throw new ApiError(res.status, detail);
      }
      const blob = await res.blob();
      const name = /filename="?([^";]+)"?/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "export.zip";
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      status.textContent = `Downloaded ${name} (${(blob.size / 1e6).toFixed(1)} MB). Manifest sha256 ${res.headers.get(
        "x-manifest-sha256",
      )}`;
    } catch (err) {
      status.dataset.error = "";
      status.textContent = err?.message || String(err);
    } finally {
      button.disabled = false;
    }
  });
}
