// Wearable readings per device, as columns for the charts (time in seconds since the epoch).

const KEEP = 1_200; // per device on screen; the database keeps every reading

export class DeviceReadings {
  time = [];
  bvp = [];
  temperature = [];
  acceleration = [];
  probability = []; // %
  latest = null;
  recent = []; // newest first, for the table
  count = 0;
  lastId = 0;

  add(reading) {
    if (reading.id <= this.lastId) return; // already shown (history and live overlap)
    this.lastId = reading.id;
    this.time.push(Date.parse(reading.timestamp) / 1000);
    this.bvp.push(reading.bvp);
    this.temperature.push(reading.temperature);
    this.acceleration.push(reading.acceleration_magnitude);
    this.probability.push(reading.stress_probability * 100);
    if (this.time.length > KEEP) {
      for (const column of [this.time, this.bvp, this.temperature, this.acceleration, this.probability]) {
        column.splice(0, column.length - KEEP);
      }
    }
    this.latest = reading;
    this.recent.unshift(reading);
    this.recent.length = Math.min(this.recent.length, 15);
    this.count++;
  }
}
