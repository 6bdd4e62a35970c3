/*
  wearable_signals.ino — ESP32 stress wearable for sensorhub: the raw signals (BVP 64 Hz, skin
  temperature 4 Hz, 3-axis acceleration 32 Hz) in 1 s batches, that survive the Wi-Fi.

    POST http://SERVER_HOST:5000/api/wearable/signals      (docs/signals.md)
    {"device_id":"wrist-1","boot":"9f3a61c2","seq":1,"t0":0,
     "bvp":{"hz":64,"values":[...]},"temperature":{"hz":4,"values":[...]},
     "acc":{"hz":32,"x":[...],"y":[...],"z":[...]}}

  - boot: 8 hex digits from the hardware random number generator at each power-up. A
    restarted wearable is a new stream for the server (seq starts from 1 again), never a
    "duplicate" of the last one.
  - t0: millis() at the batch's first sample: the device's clock since boot, which only goes
    forwards within one boot (the server maps it to its own clock as the batches arrive).
  - A bounded buffer (BUFFERED_BATCHES, about 80 kB) keeps every batch until the server
    acknowledges it, sent oldest first: while the server is unreachable batches pile up and
    are back-filled when it answers again. When the buffer is full the oldest batch is
    dropped; how many were dropped is counted and printed.
  - 200 (stored, or "duplicate": stored before) and a refusal (4xx: it will never be taken)
    free the slot; 429, 503 and no answer keep it for the next try.

  Sensors as in wearable_http (PPG on GPIO 36, NTC thermistor on 39, ADXL335 on 32-34).
  The line marked "wire:" is checked by tests/devices/test_firmware_contract.py.
*/

#include <Arduino.h>
#include <ArduinoJson.h>  // ArduinoJson 7.x, Benoit Blanchon
#include <HTTPClient.h>   // part of the ESP32 board package
#include <WiFi.h>
#include <esp_random.h>
#include <esp_timer.h>

// ---- settings: change these for your network and device --------------------------------
const char* WIFI_SSID = "your-wifi";
const char* WIFI_PASSWORD = "your-password";
const char* SERVER_URL = "http://192.168.1.20:5000/api/wearable/signals";
const char* DEVICE_ID = "wrist-1";  // letters, digits and . _ : - (at most 64)
const char* DEVICE_TOKEN = "";      // `sensorhub token create --device wrist-1`, with auth on

const int BVP_HZ = 64;
const int TEMPERATURE_HZ = 4;
const int ACC_HZ = 32;
const int BATCH_MS = 1000;
const int BUFFERED_BATCHES = 120;  // 2 minutes offline; each batch is 656 bytes of floats
const uint32_t RETRY_MS = 1000;

const int BVP_PIN = 36;
const int THERMISTOR_PIN = 39;
const int ACC_X_PIN = 32;
const int ACC_Y_PIN = 33;
const int ACC_Z_PIN = 34;

struct Batch {
  uint32_t seq;
  uint32_t t0;
  float bvp[BVP_HZ];
  float temperature[TEMPERATURE_HZ];
  float acc[3][ACC_HZ];
};

// Sampling runs on a 64 Hz timer, sending in loop(): a POST that blocks for seconds never
// costs a sample. The ring is shared between the two, so it changes only under `ring`.
Batch buffer[BUFFERED_BATCHES];  // a ring: oldest at `head`, `count` waiting
int head = 0, count = 0;
uint32_t dropped = 0;
portMUX_TYPE ring = portMUX_INITIALIZER_UNLOCKED;
char boot[9];
uint32_t nextSeq = 1;
Batch filling;
int filled = 0;  // BVP samples taken into `filling` (the fastest channel paces the others)
uint32_t lastTryMs = 0;

// ---- sensors ----------------------------------------------------------------------------

float readBvp() { return analogRead(BVP_PIN) / 4095.0f; }

float readSkinTemperatureC() {
  const float seriesOhms = 10000.0f, nominalOhms = 10000.0f, beta = 3950.0f;
  float millivolts = analogReadMilliVolts(THERMISTOR_PIN);
  if (millivolts <= 0.0f || millivolts >= 3300.0f) {
    return 0.0f;  // open or shorted: a value the server keeps, far from skin temperature
  }
  float ohms = seriesOhms * millivolts / (3300.0f - millivolts);
  return 1.0f / (1.0f / 298.15f + logf(ohms / nominalOhms) / beta) - 273.15f;
}

float readAxisG(int pin) { return (analogReadMilliVolts(pin) - 1650.0f) / 330.0f; }

// One BVP sample per call at 64 Hz; temperature every 16th, acceleration every 2nd.
void sample(void*) {
  if (filled == 0) {
    filling.seq = nextSeq++;
    filling.t0 = millis();
  }
  filling.bvp[filled] = readBvp();
  if (filled % (BVP_HZ / TEMPERATURE_HZ) == 0) {
    filling.temperature[filled / (BVP_HZ / TEMPERATURE_HZ)] = readSkinTemperatureC();
  }
  if (filled % (BVP_HZ / ACC_HZ) == 0) {
    int i = filled / (BVP_HZ / ACC_HZ);
    filling.acc[0][i] = readAxisG(ACC_X_PIN);
    filling.acc[1][i] = readAxisG(ACC_Y_PIN);
    filling.acc[2][i] = readAxisG(ACC_Z_PIN);
  }
  if (++filled == BVP_HZ) {
    keep(filling);
    filled = 0;
  }
}

void keep(const Batch& batch) {
  portENTER_CRITICAL(&ring);
  if (count == BUFFERED_BATCHES) {  // full: the oldest goes, and is counted
    head = (head + 1) % BUFFERED_BATCHES;
    count--;
    dropped++;
  }
  buffer[(head + count) % BUFFERED_BATCHES] = batch;
  count++;
  portEXIT_CRITICAL(&ring);
}

// ---- sending ----------------------------------------------------------------------------

void addValues(JsonArray array, const float* values, int n) {
  for (int i = 0; i < n; i++) {
    array.add(values[i]);
  }
}

// wire: {"device_id":"wrist-1","boot":"9f3a61c2","seq":1,"t0":0,"bvp":{"hz":64,"values":[0.51,0.53]},"temperature":{"hz":4,"values":[33.1]},"acc":{"hz":32,"x":[0.01],"y":[-0.02],"z":[0.99]}}
String batchJson(const Batch& batch) {
  JsonDocument doc;
  doc["device_id"] = DEVICE_ID;
  doc["boot"] = boot;
  doc["seq"] = batch.seq;
  doc["t0"] = batch.t0;
  JsonObject bvp = doc["bvp"].to<JsonObject>();
  bvp["hz"] = BVP_HZ;
  addValues(bvp["values"].to<JsonArray>(), batch.bvp, BVP_HZ);
  JsonObject temperature = doc["temperature"].to<JsonObject>();
  temperature["hz"] = TEMPERATURE_HZ;
  addValues(temperature["values"].to<JsonArray>(), batch.temperature, TEMPERATURE_HZ);
  JsonObject acc = doc["acc"].to<JsonObject>();
  acc["hz"] = ACC_HZ;
  addValues(acc["x"].to<JsonArray>(), batch.acc[0], ACC_HZ);
  addValues(acc["y"].to<JsonArray>(), batch.acc[1], ACC_HZ);
  addValues(acc["z"].to<JsonArray>(), batch.acc[2], ACC_HZ);
  String body;
  serializeJson(doc, body);
  return body;
}

// Sends the oldest waiting batch; true when it is done with (acknowledged or refused).
bool sendOldest() {
  static Batch oldest;  // a copy: the sampler may drop the slot while the POST runs
  portENTER_CRITICAL(&ring);
  oldest = buffer[head];
  portEXIT_CRITICAL(&ring);
  HTTPClient http;
  http.begin(SERVER_URL);
  http.addHeader("Content-Type", "application/json");
  if (DEVICE_TOKEN[0] != '\0') {
    http.addHeader("Authorization", String("Bearer ") + DEVICE_TOKEN);
  }
  int status = http.POST(batchJson(oldest));
  String reply = status > 0 ? http.getString() : String();
  http.end();
  if (status <= 0 || status == 429 || status == 503) {
    return false;  // not taken now: the same batch again later
  }
  if (status != 200) {  // refused for good (e.g. 409 batch_reused): say why, go on
    Serial.printf("[http] %d: %s\n", status, reply.c_str());
  }
  portENTER_CRITICAL(&ring);
  if (count > 0 && buffer[head].seq == oldest.seq) {  // unless the full ring dropped it
    head = (head + 1) % BUFFERED_BATCHES;
    count--;
  }
  portEXIT_CRITICAL(&ring);
  return true;
}

// ---- setup and loop ---------------------------------------------------------------------

void setup() {
  Serial.begin(115200);
  analogReadResolution(12);
  snprintf(boot, sizeof boot, "%08x", (unsigned)esp_random());  // a new stream per power-up
  Serial.printf("[boot] %s\n", boot);
  WiFi.mode(WIFI_STA);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);  // reconnects by itself; sampling never waits for it
  esp_timer_create_args_t timer = {};
  timer.callback = sample;
  timer.name = "sample";
  esp_timer_handle_t handle;
  esp_timer_create(&timer, &handle);
  esp_timer_start_periodic(handle, 1000000ULL / BVP_HZ);  // 15 625 µs
}

void loop() {
  static uint32_t reportedDrops = 0;
  portENTER_CRITICAL(&ring);
  int waiting = count;
  uint32_t drops = dropped;
  portEXIT_CRITICAL(&ring);
  if (drops != reportedDrops) {
    Serial.printf("[buffer] full: %u batches dropped so far\n", drops);
    reportedDrops = drops;
  }
  bool due = millis() - lastTryMs >= RETRY_MS;
  if (waiting > 0 && WiFi.status() == WL_CONNECTED && due && !sendOldest()) {
    lastTryMs = millis();  // wait before the next try; a success sends on at once
  }
  delay(1);
}
