// During a pull: the highest total force so far and the best 1-s mean (the mean of the
// samples of any closed window [t, t + 1 s], as the analysis computes it), over the buffer.
const WINDOW_MS = 1000;

export function pullStats(buffer) {
  const { t, total, length } = buffer;
  let peak = -Infinity;
  let best = null;
  let sum = 0;
  let first = 0;
  for (let last = 0; last < length; last++) {
    peak = Math.max(peak, total[last]);
    sum += total[last];
    while (t[last] - t[first] > WINDOW_MS) sum -= total[first++];
    // A full window: its first sample is at least 1 s before the last one's successor.
    if (first > 0 || t[last] - t[0] >= WINDOW_MS) {
      const mean = sum / (last - first + 1);
      if (best === null || mean > best) best = mean;
    }
  }
  return { peak: length ? peak : null, best1s: best };
}
