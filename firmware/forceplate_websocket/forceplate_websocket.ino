/*
  forceplate_websocket.ino — dual load-cell force plate for sensorhub, over a plain WebSocket.

  The same plate as forceplate_socketio.ino for firmware without Socket.IO: it talks to
  ws://SERVER_HOST:SERVER_PORT/ws, one JSON object per text frame, both ways:
    sends     {"type":"esp","device_id":"plate-1"}                 on every (re)connect
              {"samples":[{"t":ms,"l":left,"r":right}, ...]}        every 50 samples
              {"done":true}                                         after a stop, once flushed
    receives  {"cmd":"start"|"stop","session_id":n}                 commands: the bare object
              {"event":"<name>","data":...}                         every other server event

  Board, libraries and wiring: see firmware/README.md. Lines marked "wire:" show the exact
  JSON a function sends; tests/devices/test_firmware_contract.py checks them against the server.
*/

#include <Arduino.h>
#include <ArduinoJson.h>        // ArduinoJson 7.x, Benoit Blanchon
#include <HX711.h>              // "HX711 Arduino Library", Bogdan Necula (bogde)
#include <WebSocketsClient.h>   // "WebSockets", Markus Sattler (links2004/arduinoWebSockets)
#include <WiFi.h>

// ---- settings: change these for your network and plate --------------------------------
const char* WIFI_SSID = "your-wifi";
const char* WIFI_PASSWORD = "your-password";
const char* SERVER_HOST = "192.168.1.20";  // LAN address of the computer running sensorhub
const uint16_t SERVER_PORT = 5000;
const char* DEVICE_ID = "plate-1";  // letters, digits and . _ : - (at most 64)
// With auth on (docs/security.md): the token `sensorhub token create --device plate-1` printed.
// Empty while the server runs without tokens.
const char* DEVICE_TOKEN = "";

const int LEFT_DOUT_PIN = 16;
const int LEFT_SCK_PIN = 4;
const int RIGHT_DOUT_PIN = 17;
const int RIGHT_SCK_PIN = 5;
const int LED_PIN = 2;  // on while a test runs

const uint32_t SAMPLE_PERIOD_US = 1000;  // 1000 Hz target; an HX711 delivers at most 80 Hz
const size_t BATCH_SIZE = 50;            // 20 frames/s at 1000 Hz, ~2 KB each
const bool STREAM_WHEN_IDLE = true;      // live view and tare need samples between tests

// ---- state ------------------------------------------------------------------------------
struct Sample {
  uint32_t t;  // device clock, ms (millis())
  long left;   // raw counts; the server applies the plate's calibration
  long right;
};

HX711 leftCell;
HX711 rightCell;
WebSocketsClient webSocket;
Sample batch[BATCH_SIZE];
size_t batchCount = 0;
bool connected = false;
bool testRunning = false;
// A stop's flush and done, owed until both went out on a live connection: a stop that meets
// a dropping link sends them after the reconnect (register first), never loses them.
bool doneOwed = false;
uint32_t nextSampleUs = 0;

// ---- sending ----------------------------------------------------------------------------

bool sendJson(const JsonDocument& doc) {
  String text;
  serializeJson(doc, text);
  return webSocket.sendTXT(text);  // one JSON object per text frame; false: not sent
}

// wire: {"type":"esp","device_id":"plate-1"}
void sendRegister() {
  JsonDocument doc;
  doc["type"] = "esp";
  doc["device_id"] = DEVICE_ID;
  sendJson(doc);
}

// True when nothing is left to send; a batch that did not go out is kept.
// wire: {"samples":[{"t":120034,"l":-51234,"r":48790},{"t":120035,"l":-51230,"r":48795}]}
bool sendSamples() {
  if (batchCount == 0) {
    return true;
  }
  JsonDocument doc;
  JsonArray samples = doc["samples"].to<JsonArray>();
  for (size_t i = 0; i < batchCount; i++) {
    JsonObject sample = samples.add<JsonObject>();
    sample["t"] = batch[i].t;
    sample["l"] = batch[i].left;
    sample["r"] = batch[i].right;
  }
  if (!sendJson(doc)) {
    return false;
  }
  batchCount = 0;
  return true;
}

// wire: {"done":true}
bool sendDone() {
  JsonDocument doc;
  doc["done"] = true;
  return sendJson(doc);
}

// Pays a stop's debt when the link allows: everything sampled so far, then done.
void settleStop() {
  if (!doneOwed || !connected) {
    return;
  }
  if (sendSamples() && sendDone()) {
    doneOwed = false;
  }
}

// ---- receiving --------------------------------------------------------------------------

// wire-in: {"cmd":"start","session_id":7}
void handleCommand(JsonVariantConst command) {
  const char* cmd = command["cmd"];
  if (cmd == nullptr) {
    return;
  }
  if (strcmp(cmd, "start") == 0) {
    testRunning = true;
    digitalWrite(LED_PIN, HIGH);
  } else if (strcmp(cmd, "stop") == 0) {
    // Everything sampled so far belongs to the test: send it, then say we are done.
    doneOwed = true;
    testRunning = false;
    digitalWrite(LED_PIN, LOW);
    settleStop();
  }
}

void handleFrame(uint8_t* payload, size_t length) {
  JsonDocument doc;
  if (deserializeJson(doc, payload, length)) {
    return;
  }
  if (doc["cmd"].is<const char*>()) {
    handleCommand(doc.as<JsonVariantConst>());  // commands come as the bare object
  } else if (doc["event"] == "error") {
    Serial.printf("[sensorhub] error: %s\n", doc["data"]["message"].as<const char*>());
  }
}

void onWebSocketEvent(WStype_t type, uint8_t* payload, size_t length) {
  switch (type) {
    case WStype_CONNECTED:
      connected = true;
      sendRegister();  // the server forgets our role when the connection drops
      settleStop();  // a stop that met the last link going down
      break;
    case WStype_DISCONNECTED:
      connected = false;
      break;
    case WStype_TEXT:
      handleFrame(payload, length);
      break;
    default:
      break;
  }
}

// ---- sampling ---------------------------------------------------------------------------

bool readCells(long& left, long& right) {
  // Both converters must have a fresh conversion, so l and r are taken together.
  if (!leftCell.is_ready() || !rightCell.is_ready()) {
    return false;
  }
  left = leftCell.read();
  right = rightCell.read();
  return true;
}

void sampleWhenDue() {
  if ((int32_t)(micros() - nextSampleUs) < 0) {
    return;
  }
  long left;
  long right;
  if (!readCells(left, right)) {
    return;
  }
  nextSampleUs += SAMPLE_PERIOD_US;
  if ((int32_t)(micros() - nextSampleUs) > (int32_t)(10 * SAMPLE_PERIOD_US)) {
    nextSampleUs = micros();  // fell far behind (Wi-Fi hiccup): resume, do not burst
  }
  if (!connected || (!STREAM_WHEN_IDLE && !testRunning)) {
    return;
  }
  if (batchCount == BATCH_SIZE && !sendSamples()) {
    return;  // the full batch did not go out (link dropping): it waits for the reconnect
  }
  batch[batchCount++] = {millis(), left, right};
  if (batchCount == BATCH_SIZE) {
    sendSamples();
  }
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
  pinMode(LED_PIN, OUTPUT);
  leftCell.begin(LEFT_DOUT_PIN, LEFT_SCK_PIN);  // gain 128, channel A
  rightCell.begin(RIGHT_DOUT_PIN, RIGHT_SCK_PIN);
  connectWifi();
  String authorization = String("Authorization: Bearer ") + DEVICE_TOKEN;
  if (DEVICE_TOKEN[0] != '\0') {
    webSocket.setExtraHeaders(authorization.c_str());  // copied by the library
  }
  webSocket.begin(SERVER_HOST, SERVER_PORT, "/ws");
  webSocket.onEvent(onWebSocketEvent);
  webSocket.setReconnectInterval(2000);
  // WebSocket pings every 15 s notice a dead link (server restarted, Wi-Fi lost) quickly.
  webSocket.enableHeartbeat(15000, 3000, 2);
  nextSampleUs = micros();
}

void loop() {
  webSocket.loop();
  settleStop();  // a flush or done the link refused is tried again
  sampleWhenDue();
}
