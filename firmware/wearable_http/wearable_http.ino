/*
  wearable_http.ino — ESP32 stress wearable for sensorhub: BVP, skin temperature and 3-axis
  acceleration, POSTed as JSON once a second.

    POST http://SERVER_HOST:5000/api/sensor-data
    Content-Type: application/json          (required: other types get 415)
    {"bvp":0.85,"temperature":36.5,"acceleration":{"x":0.02,"y":-0.01,"z":0.98},
     "device_id":"wrist-1","timestamp":1767268800123}

  The reply carries the server's stress prediction ("Calm" / "Stressed"), printed on Serial.

  Sensors, all analog so no extra libraries are needed (swap in yours; keep the JSON):
    BVP          a PPG pulse sensor (e.g. PulseSensor) on GPIO 36, sent as 0..1
    temperature  a 10 kΩ NTC thermistor (B = 3950) in a divider with 10 kΩ, on GPIO 39, °C
    acceleration an ADXL335 (±3 g, 330 mV/g at 3.3 V) on GPIO 32, 33, 34, in g
  Only ADC1 pins (GPIO 32-39) are used: ADC2 does not work while Wi-Fi is on.

  The line marked "wire:" is checked by tests/devices/test_firmware_contract.py.
*/

#include <Arduino.h>
#include <ArduinoJson.h>  // ArduinoJson 7.x, Benoit Blanchon
#include <HTTPClient.h>   // part of the ESP32 board package
#include <WiFi.h>
#include <sys/time.h>
#include <time.h>

// ---- settings: change these for your network and device --------------------------------
const char* WIFI_SSID = "your-wifi";
const char* WIFI_PASSWORD = "your-password";
const char* SERVER_URL = "http://192.168.1.20:5000/api/sensor-data";  // LAN address of sensorhub
const char* DEVICE_ID = "wrist-1";  // letters, digits and . _ : - (at most 64)
// With auth on (docs/security.md): the token `sensorhub token create --device wrist-1` printed.
// Empty while the server runs without tokens.
const char* DEVICE_TOKEN = "";
const uint32_t READING_INTERVAL_MS = 1000;

const int BVP_PIN = 36;
const int THERMISTOR_PIN = 39;
const int ACC_X_PIN = 32;
const int ACC_Y_PIN = 33;
const int ACC_Z_PIN = 34;

uint32_t lastReadingMs = 0;

// ---- sensors ----------------------------------------------------------------------------

float readBvp() {
  return analogRead(BVP_PIN) / 4095.0f;  // 12-bit ADC, normalised to 0..1
}

float readSkinTemperatureC() {
  // Beta equation for the NTC; the divider puts the thermistor on the ground side.
  const float seriesOhms = 10000.0f, nominalOhms = 10000.0f, beta = 3950.0f;
  const float nominalKelvin = 298.15f;  // 25 °C
  float millivolts = analogReadMilliVolts(THERMISTOR_PIN);
  if (millivolts <= 0.0f || millivolts >= 3300.0f) {
    return NAN;  // open or shorted sensor: not sent (see postReading)
  }
  float ohms = seriesOhms * millivolts / (3300.0f - millivolts);
  float kelvin = 1.0f / (1.0f / nominalKelvin + logf(ohms / nominalOhms) / beta);
  return kelvin - 273.15f;
}

float readAxisG(int pin) {
  // ADXL335 at 3.3 V: 0 g at half the supply, 330 mV per g.
  return (analogReadMilliVolts(pin) - 1650.0f) / 330.0f;
}

// The device's own clock for "timestamp": Unix time in ms once NTP has set it, else millis().
uint64_t deviceTimestampMs() {
  struct timeval now;
  gettimeofday(&now, nullptr);
  if (now.tv_sec < 1700000000) {
    return millis();
  }
  return (uint64_t)now.tv_sec * 1000ULL + now.tv_usec / 1000;
}

// ---- sending ----------------------------------------------------------------------------

// wire: {"bvp":0.85,"temperature":36.5,"acceleration":{"x":0.02,"y":-0.01,"z":0.98},"device_id":"wrist-1","timestamp":1767268800123}
bool postReading() {
  float temperature = readSkinTemperatureC();
  if (isnan(temperature)) {
    Serial.println("[sensor] thermistor not connected; reading skipped");
    return false;  // JSON has no NaN, and the server would refuse it anyway
  }
  JsonDocument doc;
  doc["bvp"] = readBvp();
  doc["temperature"] = temperature;
  JsonObject acceleration = doc["acceleration"].to<JsonObject>();
  acceleration["x"] = readAxisG(ACC_X_PIN);
  acceleration["y"] = readAxisG(ACC_Y_PIN);
  acceleration["z"] = readAxisG(ACC_Z_PIN);
  doc["device_id"] = DEVICE_ID;
  doc["timestamp"] = deviceTimestampMs();
  String body;
  serializeJson(doc, body);

  HTTPClient http;
  http.begin(SERVER_URL);
  http.addHeader("Content-Type", "application/json");
  if (DEVICE_TOKEN[0] != '\0') {
    http.addHeader("Authorization", String("Bearer ") + DEVICE_TOKEN);
  }
  int status = http.POST(body);
  String reply = status > 0 ? http.getString() : String();
  http.end();
  return printReply(status, reply);
}

bool printReply(int status, const String& reply) {
  if (status <= 0) {
    Serial.printf("[http] no answer: %s\n", HTTPClient::errorToString(status).c_str());
    return false;
  }
  JsonDocument doc;
  deserializeJson(doc, reply);
  if (status != 200) {
    // 4xx replies name the field: {"status":"error","message":"bvp: ...","code":...}
    Serial.printf("[http] %d: %s\n", status, doc["message"].as<const char*>());
    return false;
  }
  Serial.printf("[sensorhub] %s\n", doc["data"]["prediction"].as<const char*>());
  return true;
}

// ---- setup and loop ---------------------------------------------------------------------

void connectWifi() {
  WiFi.mode(WIFI_STA);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  Serial.print("[wifi] connecting");
  while (WiFi.status() != WL_CONNECTED) {
    delay(250);
    Serial.print(".");
  }
  Serial.printf("\n[wifi] connected, address %s\n", WiFi.localIP().toString().c_str());
}

void setup() {
  Serial.begin(115200);
  analogReadResolution(12);
  connectWifi();
  configTime(0, 0, "pool.ntp.org");  // UTC; without Internet the timestamp stays millis()
}

void loop() {
  if (WiFi.status() != WL_CONNECTED) {
    connectWifi();
  }
  if (millis() - lastReadingMs >= READING_INTERVAL_MS) {
    lastReadingMs = millis();
    postReading();
  }
}
