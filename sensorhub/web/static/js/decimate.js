// Min/max decimation for display: each bucket of samples becomes its first and last time
// and, per series, its lowest and highest value in the order they occurred. Peaks survive,
// and the chart draws ~2 points per pixel column however fast the stream is.

export function minMax(xs, series, start, end, buckets) {
  const n = end - start;
  if (n <= buckets * 2) {
    return [Array.from(xs.subarray(start, end)), ...series.map((ys) => Array.from(ys.subarray(start, end)))];
  }
  const outX = new Array(buckets * 2);
  const outY = series.map(() => new Array(buckets * 2));
  for (let b = 0; b < buckets; b++) {
    const i0 = start + Math.floor((b * n) / buckets);
    const i1 = start + Math.floor(((b + 1) * n) / buckets);
    outX[2 * b] = xs[i0];
    outX[2 * b + 1] = xs[i1 - 1];
    for (let s = 0; s < series.length; s++) {
      const ys = series[s];
      let lo = i0;
      let hi = i0;
      for (let i = i0 + 1; i < i1; i++) {
        if (ys[i] < ys[lo]) lo = i;
        else if (ys[i] > ys[hi]) hi = i;
      }
      const first = lo <= hi ? lo : hi;
      const second = lo <= hi ? hi : lo;
      outY[s][2 * b] = ys[first];
      outY[s][2 * b + 1] = ys[second];
    }
  }
  return [outX, ...outY];
}

// First index whose value is >= x in a sorted typed array (binary search).
export function lowerBound(xs, length, x) {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
