// The limits the site's picture is judged by, set while watching the measures above: a
// camera that is grainy by design (a dim underpass) or a stream that is blocky but still
// counts well gets limits of its own instead of a warning nobody can act on.

import { MEASURES } from "./picture.js";
import { SectionForm } from "./section_form.js";

/** The picture-limits form (#pl-...); `onSaved(site)` gets the site as the API returns it. */
export function pictureLimitsEditor(form, siteId, { onSaved }) {
  return new SectionForm(form, siteId, {
    prefix: "pl",
    fields: MEASURES,
    read: (site) => site.setup?.picture_limits ?? null,
    // What the form does not show goes back as it was.
    kept: (limits) => ({
      ...(limits?.window_frames != null ? { window_frames: limits.window_frames } : {}),
      ...(limits?.view_check != null ? { view_check: limits.view_check } : {}),
    }),
    path: "picture-limits",
    saved: (site) =>
      site.setup?.picture_limits?.enabled
        ? "Picture limits saved: the next frame is judged by them."
        : "Picture limits saved: the picture is no longer assessed.",
    onSaved,
  });
}
