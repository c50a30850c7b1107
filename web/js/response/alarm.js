// Overdue alerts: every operator's page highlights them and beeps (Web Audio, no files)
// until someone acknowledges them.

const REPEAT_MS = 10_000;

export class OverdueAlarm {
  constructor(banner) {
    this.banner = banner; // element shown while any alert is overdue
    this.overdue = new Set();
    this.context = null;
    this.timer = null;
    this.beeps = 0; // how many beeps sounded (shown in data-beeps for tests)
  }

  /** `alerts`: every alert the page knows; overdue = open and past its deadline. */
  update(alerts) {
    const now = new Set(alerts.filter((a) => a.state === "open" && a.overdue_at != null).map((a) => a.id));
    const fresh = [...now].some((id) => !this.overdue.has(id));
    this.overdue = now;
    const on = now.size > 0;
    document.body.classList.toggle("alarm", on);
    document.body.dataset.alarm = on ? "on" : "off";
    if (this.banner) {
      this.banner.hidden = !on;
      this.banner.textContent = on
        ? `${now.size} alert${now.size > 1 ? "s" : ""} not acknowledged in time`
        : "";
    }
    if (fresh) this.beep();
    if (on && this.timer == null) this.timer = setInterval(() => this.beep(), REPEAT_MS);
    if (!on && this.timer != null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  beep() {
    this.beeps += 1;
    document.body.dataset.beeps = String(this.beeps);
    try {
      this.context ??= new AudioContext();
      const ctx = this.context;
      if (ctx.state === "suspended") ctx.resume().catch(() => {});
      // Two short tones, loud enough to notice across a control room.
      for (const [offset, freq] of [[0, 880], [0.25, 660]]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, ctx.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + offset + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + offset);
        osc.stop(ctx.currentTime + offset + 0.22);
      }
    } catch (err) {
      console.warn("alarm sound unavailable:", err.message);
    }
  }
}
