// The server's clock, as the page best knows it.
//
// Readings, faults, alerts and response timers are stamped by the server's clock. Judged by
// the workstation's own, a wall PC whose clock runs 20 s fast calls every camera "no new
// picture", and one running slow hides a stream that really stalled for a quarter of a
// minute. So every age on the page is taken against the server's time.
//
// Every websocket message carries when the server sent it (`ts`), and every REST answer its
// X-Server-Time (its Date header from older servers); both arrive after that moment, so each says the server's clock is at least
// that far ahead of ours. The largest recent one is the best estimate: a message delayed in
// a queue or replayed from the backlog only gives a smaller one. The estimate is kept against
// the monotonic clock, so the workstation's wall clock being stepped meanwhile changes
// nothing; samples are forgotten after a while, so a server whose clock was stepped back is
// followed.

// How long a sample counts. Live pages get one a second per site; REST pages at least one
// per poll.
export const SAMPLE_LIFE_MS = 120_000;

export class ServerClock {
  /**
   * @param {object} [clocks] where the local times come from (tests set them)
   * @param {() => number} [clocks.wallMs] the workstation's wall clock, epoch milliseconds
   * @param {() => number} [clocks.monotonicMs] a clock that only moves forward, milliseconds
   */
  constructor({ wallMs = () => Date.now(), monotonicMs = () => performance.now() } = {}) {
    this.wallMs = wallMs;
    this.monotonicMs = monotonicMs;
    // {at: monotonic ms, lead: server epoch s minus monotonic s}, oldest first, leads
    // decreasing: a sample with no larger lead after it is the one that counts until it
    // expires, so now() reads the first and never scans (it runs for every site each tick).
    this.samples = [];
  }

  /** Takes note that the server's clock read `serverEpochS` (seconds) at or before now. */
  observe(serverEpochS) {
    if (!Number.isFinite(serverEpochS)) return;
    const at = this.monotonicMs();
    const lead = serverEpochS - at / 1000;
    // An older sample with no larger lead can never count again: this one outlives it.
    while (this.samples.length > 0 && this.samples[this.samples.length - 1].lead <= lead) this.samples.pop();
    this.samples.push({ at, lead });
    // The newest sample is always kept: a page that has not heard from the server for a
    // while still knows better than its own clock.
    while (this.samples.length > 1 && at - this.samples[0].at > SAMPLE_LIFE_MS) this.samples.shift();
  }

  /** Whether the server has been heard from: until then `now()` is the local clock. */
  synced() {
    return this.samples.length > 0;
  }

  /** The server's time now, epoch seconds. */
  now() {
    if (!this.synced()) return this.wallMs() / 1000;
    return this.monotonicMs() / 1000 + this.samples[0].lead;
  }

  /** How far the workstation's clock is behind the server's, seconds (negative: ahead). */
  offset() {
    return this.now() - this.wallMs() / 1000;
  }
}

/** The page's one server clock: the websocket and the REST client feed it. */
export const serverClock = new ServerClock();

/** The server's time now, epoch seconds: what every age on the page is measured against. */
export function serverNow() {
  return serverClock.now();
}

/** Takes note of an HTTP answer's Date header (whole seconds, so a lower bound). */
export function observeDateHeader(value, clock = serverClock) {
  if (!value) return;
  const ms = Date.parse(value);
  if (Number.isFinite(ms)) clock.observe(ms / 1000);
}

/** Takes note of when an HTTP answer says it was sent: its X-Server-Time (epoch seconds to
 * the millisecond; monitor/api/server_time.py), else its Date header, which uvicorn
 * refreshes once a second and so reads up to two seconds behind. */
export function observeAnswer(headers, clock = serverClock) {
  const stamped = Number.parseFloat(headers.get("X-Server-Time") ?? "");
  if (Number.isFinite(stamped)) clock.observe(stamped);
  else observeDateHeader(headers.get("Date"), clock);
}
