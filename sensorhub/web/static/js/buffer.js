// Force samples in newtons, kept in typed arrays; when full the oldest quarter is dropped.
// This is only the display copy: the server stores every sample.

export class SampleBuffer {
  constructor(capacity) {
    this.capacity = capacity;
    this.t = new Float64Array(capacity); // device clock, ms
    this.l = new Float64Array(capacity);
    this.r = new Float64Array(capacity);
    this.total = new Float64Array(capacity);
    this.length = 0;
    this.received = 0; // every sample pushed since the last clear
  }

  clear() {
    this.length = 0;
    this.received = 0;
  }

  push(t, l, r) {
    if (this.length === this.capacity) this.#dropOldest(this.capacity >> 2);
    const i = this.length++;
    this.t[i] = t;
    this.l[i] = l;
    this.r[i] = r;
    this.total[i] = l + r;
    this.received++;
  }

  #dropOldest(count) {
    for (const a of [this.t, this.l, this.r, this.total]) a.copyWithin(0, count, this.length);
    this.length -= count;
  }

  get first() { return this.length ? this.t[0] : NaN; }
  get last() { return this.length ? this.t[this.length - 1] : NaN; }
}
