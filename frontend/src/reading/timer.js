// Time on study: counts only while the page is visible, and carries on from what a restored draft had.
export class StudyTimer {
  constructor(initialSeconds = 0) {
    this.carried = initialSeconds * 1000;
    this.since = document.visibilityState === 'visible' ? performance.now() : null;
    document.addEventListener('visibilitychange', () => this._visibility());
  }

  _visibility() {
    if (document.visibilityState === 'visible') {
      if (this.since === null) this.since = performance.now();
    } else if (this.since !== null) {
      this.carried += performance.now() - this.since;
      this.since = null;
    }
  }

  seconds() {
    const running = this.since === null ? 0 : performance.now() - this.since;
    return Math.round((this.carried + running) / 100) / 10;
  }
}
