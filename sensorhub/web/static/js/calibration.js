// newtons = (raw − offset) × scale, per channel (GET /api/devices/{id} → calibration).

export const IDENTITY = { l: { offset: 0, scale: 1 }, r: { offset: 0, scale: 1 } };

export function toNewtons(calibration, l, r) {
  const c = calibration ?? IDENTITY;
  return [(l - c.l.offset) * c.l.scale, (r - c.r.offset) * c.r.scale];
}
