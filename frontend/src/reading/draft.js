// Keeps an unsubmitted read safe: saved to the server as a draft (debounced) and to localStorage at once,
// so a reload or a dropped network loses nothing. The local copy wins on restore only when the server never got it
// (no clock comparison between browser and server).
import { api } from '../api.js';

const DEBOUNCE_MS = 700;
const RETRY_MS = 3000;

export class DraftKeeper {
  constructor({ url, storageKey, payload, onStatus = () => {} }) {
    this.url = url;
    this.storageKey = storageKey;
    this.payload = payload;
    this.onStatus = onStatus;
    this.timer = null;
    this.dirty = false;
    this.saving = null;
    this.closed = false;
    window.addEventListener('online', () => this.dirty && this.save());
    window.addEventListener('pagehide', () => this.flush());
  }

  local() {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) || 'null');
    } catch {
      return null;
    }
  }

  // What to restore: this browser's copy if the server never acknowledged it, else the server's draft.
  restorable(server) {
    const local = this.local();
    if (local && !local.synced) return { ...local.payload, source: 'browser' };
    return server ? { ...server, source: 'server' } : null;
  }

  _keepLocal(synced) {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify({ payload: this.payload(), synced }));
    } catch {
      // storage full or disabled: the server copy still protects the read
    }
  }

  changed() {
    if (this.closed) return;
    this.dirty = true;
    this._keepLocal(false);
    this.onStatus('unsaved');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), DEBOUNCE_MS);
  }

  async save() {
    if (this.closed) return;
    clearTimeout(this.timer);
    if (this.saving) {
      await this.saving;
      if (!this.dirty) return;
    }
    this.dirty = false;
    this.onStatus('saving');
    this.saving = api(this.url, { method: 'PUT', body: this.payload() })
      .then(() => {
        if (this.dirty || this.closed) return;
        this._keepLocal(true);
        this.onStatus('saved');
      })
      .catch((error) => {
        this.dirty = true;
        // A refusal (4xx) names what is wrong and retrying cannot fix it; anything else is the network or the server.
        if (error.status >= 400 && error.status < 500) {
          this.onStatus('rejected', error.body?.detail || error.message);
          return;
        }
        this.onStatus('offline');
        this.timer = setTimeout(() => this.save(), RETRY_MS);
      })
      .finally(() => { this.saving = null; });
    return this.saving;
  }

  // On leaving the page: a keepalive request outlives it.
  flush() {
    if (!this.dirty || this.closed) return;
    api(this.url, { method: 'PUT', body: this.payload(), keepalive: true }).catch(() => {});
  }

  // After submit: nothing more is saved and the local copy is dropped.
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    localStorage.removeItem(this.storageKey);
  }
}
