// Pure checks mirroring the server's config rules, so mistakes show as they are typed.
// The server checks again on save; its word is final.

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const NAME = /^[a-z][a-z0-9_-]*$/;
const SCHEDULE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const CLOCK = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;

const minutes = (clock) => {
  const [h, m] = clock.split(":").map(Number);
  return h * 60 + m;
};

/** Problems of a level list: [{path, message}], `path` naming the input at fault. */
export function levelProblems(levels, prefix) {
  const problems = [];
  if (!levels.length) problems.push({ path: `${prefix}`, message: "Give at least one level." });
  const seen = new Set();
  levels.forEach((level, i) => {
    const at = `${prefix}.${i}`;
    const name = level.name || `level ${i + 1}`;
    if (!NAME.test(level.name ?? "")) {
      problems.push({ path: `${at}.name`, message: `Level ${i + 1}: the name must be lower case letters, digits, - or _.` });
    } else if (level.name === "normal") {
      problems.push({ path: `${at}.name`, message: "'normal' is the level below all others; do not list it." });
    } else if (seen.has(level.name)) {
      problems.push({ path: `${at}.name`, message: `Level names must be unique: '${level.name}' is used twice.` });
    }
    seen.add(level.name);
    if (!COLOR.test(level.color ?? "")) problems.push({ path: `${at}.color`, message: `Level ${name}: pick a colour.` });
    if (!Number.isFinite(level.enter) || level.enter <= 0) {
      problems.push({ path: `${at}.enter`, message: `Level ${name}: enter must be a number above 0.` });
    }
    if (!Number.isFinite(level.exit) || level.exit < 0) {
      problems.push({ path: `${at}.exit`, message: `Level ${name}: exit must be a number, 0 or more.` });
    } else if (Number.isFinite(level.enter) && level.exit >= level.enter) {
      problems.push({ path: `${at}.exit`, message: `Level ${name}: exit ${level.exit} must be below enter ${level.enter}.` });
    }
    const lower = levels[i - 1];
    if (lower && Number.isFinite(level.enter) && Number.isFinite(lower.enter) && level.enter <= lower.enter) {
      problems.push({
        path: `${at}.enter`,
        message: `Level ${name}: enter ${level.enter} must be above ${lower.name || "the level below"}'s ${lower.enter} (levels go lowest first).`,
      });
    }
  });
  return problems;
}

/** Every problem of a thresholds body as the API takes it. */
export function thresholdProblems(t) {
  const problems = [];
  if (!Number.isFinite(t.min_duration_s) || t.min_duration_s < 0 || t.min_duration_s > 3600) {
    problems.push({ path: "min_duration_s", message: "Minimum duration: 0 to 3600 seconds." });
  }
  if (!Number.isFinite(t.cooldown_s) || t.cooldown_s < 0 || t.cooldown_s > 86400) {
    problems.push({ path: "cooldown_s", message: "Cooldown: 0 to 86400 seconds." });
  }
  problems.push(...levelProblems(t.levels, "levels"));
  const names = new Set();
  (t.schedules ?? []).forEach((s, i) => {
    const at = `schedules.${i}`;
    const label = s.name || `schedule ${i + 1}`;
    if (!SCHEDULE_NAME.test(s.name ?? "")) {
      problems.push({ path: `${at}.name`, message: `Schedule ${i + 1}: name it with lower case letters, digits, - or _.` });
    } else if (names.has(s.name)) {
      problems.push({ path: `${at}.name`, message: `Schedule names must be unique: '${s.name}' is used twice.` });
    }
    names.add(s.name);
    if (!s.days.length) problems.push({ path: `${at}.days`, message: `Schedule ${label}: tick at least one day.` });
    const startOk = CLOCK.test(s.start ?? "") && s.start !== "24:00";
    const endOk = CLOCK.test(s.end ?? "");
    if (!startOk) problems.push({ path: `${at}.start`, message: `Schedule ${label}: start is a time 00:00 to 23:59.` });
    if (!endOk) problems.push({ path: `${at}.end`, message: `Schedule ${label}: end is a time 00:01 to 24:00.` });
    if (startOk && endOk && minutes(s.start) === minutes(s.end)) {
      problems.push({ path: `${at}.end`, message: `Schedule ${label}: start and end are the same time.` });
    }
    if (s.levels) problems.push(...levelProblems(s.levels, `${at}.levels`));
  });
  return problems;
}

/** Twice the signed area of a polygon [[x, y], ...]. */
export function twiceArea(points) {
  let sum = 0;
  points.forEach(([x0, y0], i) => {
    const [x1, y1] = points[(i + 1) % points.length];
    sum += x0 * y1 - x1 * y0;
  });
  return sum;
}

/** Why a drawn polygon cannot be used, or null. */
export function polygonProblem(points, what) {
  if (points.length < 3) return `The ${what} needs at least 3 points.`;
  if (Math.abs(twiceArea(points)) < 2) return `The ${what} has no area: its points are on one line.`;
  return null;
}
