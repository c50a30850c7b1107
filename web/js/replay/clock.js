// One clock for every lane: the time being shown, whether it runs, and how fast.
//
// While playing, the clock follows the primary lane's video (so time is what is on screen,
// even when the video stalls to load); with no video playing it runs on its own.

export class SharedClock {
  constructor(t) {
    this.t = t;
    this.playing = false;
    this.speed = 1;
    this.listeners = new Set();
    this.source = null; // () => epoch seconds of the playing primary video, or null
    this.last = null;
    this.frame = null;
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  emit(seeking) {
    for (const listener of this.listeners) listener(this, seeking);
  }

  seek(t) {
    this.t = t;
    this.emit(true);
  }

  setSpeed(speed) {
    this.speed = speed;
    this.emit(false);
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.last = performance.now();
    this.frame = requestAnimationFrame((now) => this.tick(now));
    this.emit(false);
  }

  pause() {
    this.playing = false;
    if (this.frame != null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.emit(false);
  }

  tick(now) {
    if (!this.playing) return;
    const followed = this.source?.();
    if (followed != null) this.t = followed;
    else this.t += ((now - this.last) / 1000) * this.speed;
    this.last = now;
    this.emit(false);
    this.frame = requestAnimationFrame((n) => this.tick(n));
  }
}
