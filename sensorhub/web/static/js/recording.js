// A stored test's samples as columns in newtons, time in seconds from the earliest sample
// (the analysis' time axis: sensorhub/loadcell/imtp.py).
import { toNewtons } from "./calibration.js";
import { getJSON } from "./net.js";

export async function loadRecording(test) {
  const { data } = await getJSON(`/api/tests/${test.id}/samples`);
  const rows = [...data.samples].sort((a, b) => a.t - b.t); // stable: arrival order on ties
  const n = rows.length;
  const t0 = n ? rows[0].t : 0;
  const rec = {
    time: new Float64Array(n), left: new Float64Array(n), right: new Float64Array(n),
    total: new Float64Array(n), length: n,
  };
  rows.forEach((s, i) => {
    const [l, r] = toNewtons(test.calibration, s.l, s.r);
    rec.time[i] = (s.t - t0) / 1000;
    rec.left[i] = l;
    rec.right[i] = r;
    rec.total[i] = l + r;
  });
  return rec;
}
