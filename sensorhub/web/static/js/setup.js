// An athlete's recorded setup on the plate, as one line, so a test can be set up the same way
// again (the athletes page and the live page's athlete picker).

export function setupText(setup) {
  if (!setup) return "Setup: not recorded";
  const parts = [
    setup.bar_height_cm != null && `bar ${setup.bar_height_cm} cm`,
    setup.knee_angle_deg != null && `knee ${setup.knee_angle_deg}°`,
    setup.hip_angle_deg != null && `hip ${setup.hip_angle_deg}°`,
    setup.grip && `grip ${setup.grip}`,
    setup.straps != null && (setup.straps ? "straps" : "no straps"),
  ].filter(Boolean);
  return "Setup: " + (parts.join(", ") || "not recorded");
}
