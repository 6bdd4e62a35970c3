/*
  forceplate_socketio.ino — dual load-cell force plate for sensorhub, over Socket.IO.

  Board: ESP32 (e.g. "ESP32 Dev Module"). Libraries and wiring: see firmware/README.md.

  What it does (sensorhub README, "Force plate"):
    1. joins Wi-Fi, opens Socket.IO on ws://SERVER_HOST:SERVER_PORT/socket.io/?EIO=4
    2. joins the default namespace (the "40" packet) and registers as an esp:
         42["register",{"type":"esp","device_id":"plate-1"}]
    3. samples both load cells (1000 Hz target), batches 50 samples, and emits
         42["samples",{"samples":[{"t":ms,"l":left,"r":right}, ...]}]
       while idle too, so the dashboard shows live force and tare works;
    4. on the server's "message" event {"cmd":"start"|"stop","session_id":n}:
       start marks the test running; stop flushes the buffer, then emits
         42["done",{"done":true}]
       so the server saves the test at once instead of waiting for silence.

  Values are raw HX711 counts; sensorhub turns them into newtons with the plate's calibration
  (POST /api/devices/<id>/tare and /calibrate), which keeps every recording re-analysable.

  Lines marked "wire:" show the exact JSON a function sends; tests/devices/
  test_firmware_contract.py checks them, and the keys the code writes, against the server.
*/

#include <Arduino.h>
#include <ArduinoJson.h>     // ArduinoJson 7.x, Benoit Blanchon
#include <HX711.h>           // "HX711 Arduino Library", Bogdan Necula (bogde)
#include <SocketIOclient.h>  // "WebSockets", Markus Sattler (links2004/arduinoWebSockets)
#include <WebSocketsClient.h>
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

// One HX711 per load cell, each on its own pins (README: wiring).
const int LEFT_DOUT_PIN = 16;
const int LEFT_SCK_PIN = 4;
const int RIGHT_DOUT_PIN = 17;
const int RIGHT_SCK_PIN = 5;
const int LED_PIN = 2;  // on while a test runs

const uint32_t SAMPLE_PERIOD_US = 1000;  // 1000 Hz target; an HX711 delivers at most 80 Hz
const size_t BATCH_SIZE = 50;            // 20 messages/s at 1000 Hz, ~2 KB each
const bool STREAM_WHEN_IDLE = true;      // live view and tare need samples between tests

// ---- state ------------------------------------------------------------------------------
struct Sample {
  uint32_t t;  // device clock, ms (millis())
  long left;   // raw counts
  long right;
};

HX711 leftCell;
HX711 rightCell;
SocketIOclient socketIO;
Sample batch[BATCH_SIZE];
size_t batchCount = 0;
bool joined = false;  // namespace joined: events may be emitted
bool testRunning = false;
// A stop's flush and done, owed until both went out on a live connection: a stop that meets
// a dropping link sends them after the reconnect (register first), never loses them.
bool doneOwed = false;
uint32_t nextSampleUs = 0;

// ---- sending ----------------------------------------------------------------------------

// A Socket.IO event is the JSON array [name, payload]; sendEVENT adds the "42" prefix.
bool emitEvent(const char* name, const JsonDocument& payload) {
  JsonDocument frame;
  JsonArray event = frame.to<JsonArray>();
  event.add(name);
  event.add(payload.as<JsonVariantConst>());
  String text;
  serializeJson(frame, text);
  return socketIO.sendEVENT(text);  // false: not sent
}

// wire: event=register {"type":"esp","device_id":"plate-1"}
void sendRegister() {
  JsonDocument doc;
  doc["type"] = "esp";
  doc["device_id"] = DEVICE_ID;
  emitEvent("register", doc);
}

// True when nothing is left to send; a batch that did not go out is kept.
// wire: event=samples {"samples":[{"t":120034,"l":-51234,"r":48790},{"t":120035,"l":-51230,"r":48795}]}
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
  if (!emitEvent("samples", doc)) {
    return false;
  }
  batchCount = 0;
  return true;
}

// wire: event=done {"done":true}
bool sendDone() {
  JsonDocument doc;
  doc["done"] = true;
  return emitEvent("done", doc);
}

// Pays a stop's debt when the link allows: everything sampled so far, then done.
void settleStop() {
  if (!doneOwed || !joined) {
    return;
  }
  if (sendSamples() && sendDone()) {
    doneOwed = false;
  }
}

// ---- receiving --------------------------------------------------------------------------

// wire-in: event=message {"cmd":"start","session_id":7}
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

void handleEvent(uint8_t* payload, size_t length) {
  JsonDocument doc;
  if (deserializeJson(doc, payload, length)) {
    return;
  }
  const char* name = doc[0];
  if (name == nullptr) {
    return;
  }
  if (strcmp(name, "message") == 0) {
    handleCommand(doc[1]);
  } else if (strcmp(name, "error") == 0) {
    Serial.printf("[sensorhub] error: %s\n", doc[1]["message"].as<const char*>());
  }
}

void onSocketIOEvent(socketIOmessageType_t type, uint8_t* payload, size_t length) {
  switch (type) {
    case sIOtype_CONNECT:
      // The library reports two connects: the WebSocket opening (payload: the URL), then
      // the server accepting our namespace join (payload: {"sid": ...}).
      if (length > 0 && payload[0] == '{') {
        joined = true;
        sendRegister();
        settleStop();  // a stop that met the last link going down
      } else {
        // EIO=4 (Socket.IO 3+) does not join "/" by itself: send the "40" packet.
        socketIO.send(sIOtype_CONNECT, "/");
      }
      break;
    case sIOtype_DISCONNECT:
      joined = false;  // the library reconnects; we join and register again then
      break;
    case sIOtype_EVENT:
      handleEvent(payload, length);
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
  if (!joined || (!STREAM_WHEN_IDLE && !testRunning)) {
    return;  // nobody to send to, or nothing wanted between tests
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
  // EIO=4: the Engine.IO protocol python-socketio 5 speaks; path /socket.io/ as in the seed.
  String authorization = String("Authorization: Bearer ") + DEVICE_TOKEN;
  if (DEVICE_TOKEN[0] != '\0') {
    socketIO.setExtraHeaders(authorization.c_str());  // copied by the library
  }
  socketIO.begin(SERVER_HOST, SERVER_PORT, "/socket.io/?EIO=4");
  socketIO.onEvent(onSocketIOEvent);
  nextSampleUs = micros();
}

void loop() {
  socketIO.loop();
  settleStop();  // a flush or done the link refused is tried again
  sampleWhenDue();
}
