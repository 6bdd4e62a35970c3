/*
  forceplate_mqtt.ino — dual load-cell force plate for sensorhub, over an MQTT broker.

  The same plate as forceplate_websocket.ino for sites that run a broker (Mosquitto) and start
  sensorhub with `--mqtt mqtt://<broker>:1883` (docs/mqtt.md). Topics, all QoS 1:
    publishes  sensorhub/<DEVICE_ID>/samples  {"samples":[{"t":ms,"l":left,"r":right}, ...]}
                                              {"done":true}             after a stop, once flushed
    receives   sensorhub/<DEVICE_ID>/cmd      {"cmd":"start"|"stop","session_id":n}
               sensorhub/<DEVICE_ID>/status   retained: {"test_running":bool,"cmd":...,"session_id":n}
               sensorhub/<DEVICE_ID>/error    {"message","code","topic"}: a refused message

  There is no `register`: the topic names the plate. The broker acknowledges (PUBACK) a batch
  once it holds it for sensorhub's session, and sensorhub acknowledges it to the broker only
  once it is stored. Until the broker's PUBACK, ESP-IDF's MQTT client keeps the message in
  its outbox and sends it again after a reconnect, so a Wi-Fi or broker outage loses nothing
  the client had accepted (within the outbox's memory).

  Board: esp32 by Espressif, core 3.x (ESP-IDF 5; its MQTT client is built in, no library).
  For core 2.x (ESP-IDF 4) the config fields are flat: cfg.uri, cfg.client_id, cfg.username,
  cfg.disable_clean_session. Libraries, wiring, HX711 rate and calibration: firmware/README.md.
*/

#include <Arduino.h>
#include <ArduinoJson.h>  // ArduinoJson 7.x, Benoit Blanchon
#include <HX711.h>        // "HX711 Arduino Library", Bogdan Necula (bogde)
#include <WiFi.h>

#include "mqtt_client.h"  // ESP-IDF's MQTT client, part of the board package

// ---- settings: change these for your network and plate --------------------------------
const char* WIFI_SSID = "your-wifi";
const char* WIFI_PASSWORD = "your-password";
const char* BROKER_URI = "mqtt://192.168.1.20:1883";  // the broker sensorhub --mqtt names
const char* DEVICE_ID = "plate-1";  // letters, digits and . _ : - (at most 64)
// With auth on (docs/security.md): the token `sensorhub token create --device plate-1` printed,
// sent as a "token" field of every message. Empty while the server runs without tokens.
const char* DEVICE_TOKEN = "";

const int LEFT_DOUT_PIN = 16;
const int LEFT_SCK_PIN = 4;
const int RIGHT_DOUT_PIN = 17;
const int RIGHT_SCK_PIN = 5;
const int LED_PIN = 2;  // on while a test runs

const uint32_t SAMPLE_PERIOD_US = 1000;  // 1000 Hz target; an HX711 delivers at most 80 Hz
const size_t BATCH_SIZE = 50;
const bool STREAM_WHEN_IDLE = true;  // live view and tare need samples between tests

// ---- state ------------------------------------------------------------------------------
struct Sample {
  uint32_t t;  // device clock, ms (millis())
  long left;   // raw counts; the server applies the plate's calibration
  long right;
};

HX711 leftCell;
HX711 rightCell;
esp_mqtt_client_handle_t mqtt = nullptr;
Sample batch[BATCH_SIZE];
size_t batchCount = 0;
volatile bool testRunning = false;
volatile bool stopRequested = false;  // set by the MQTT task, handled in loop()
uint32_t nextSampleUs = 0;

String topic(const char* kind) { return String("sensorhub/") + DEVICE_ID + "/" + kind; }

// ---- sending ----------------------------------------------------------------------------

void publishJson(JsonDocument& doc) {
  if (DEVICE_TOKEN[0] != '\0') {
    doc["token"] = DEVICE_TOKEN;
  }
  String text;
  serializeJson(doc, text);
  // QoS 1, not retained; the client's outbox resends it until sensorhub has stored it.
  esp_mqtt_client_publish(mqtt, topic("samples").c_str(), text.c_str(), text.length(), 1, 0);
}

// wire: {"samples":[{"t":120034,"l":-51234,"r":48790},{"t":120035,"l":-51230,"r":48795}]}
void sendSamples() {
  if (batchCount == 0) {
    return;
  }
  JsonDocument doc;
  JsonArray samples = doc["samples"].to<JsonArray>();
  for (size_t i = 0; i < batchCount; i++) {
    JsonObject sample = samples.add<JsonObject>();
    sample["t"] = batch[i].t;
    sample["l"] = batch[i].left;
    sample["r"] = batch[i].right;
  }
  publishJson(doc);
  batchCount = 0;
}

// wire: {"done":true}
void sendDone() {
  JsonDocument doc;
  doc["done"] = true;
  publishJson(doc);
}

// ---- receiving (runs in the MQTT client's task) -----------------------------------------

// wire-in: {"cmd":"start","session_id":7}
void handleCommand(JsonVariantConst command) {
  const char* cmd = command["cmd"];
  if (cmd == nullptr) {
    return;
  }
  if (strcmp(cmd, "start") == 0) {
    testRunning = true;
  } else if (strcmp(cmd, "stop") == 0) {
    stopRequested = true;  // loop() owns the batch: it flushes and sends done
  }
}

void onMqttEvent(void*, esp_event_base_t, int32_t eventId, void* eventData) {
  auto* event = static_cast<esp_mqtt_event_handle_t>(eventData);
  switch (static_cast<esp_mqtt_event_id_t>(eventId)) {
    case MQTT_EVENT_CONNECTED:  // after every reconnect too
      esp_mqtt_client_subscribe(mqtt, topic("cmd").c_str(), 1);
      esp_mqtt_client_subscribe(mqtt, topic("status").c_str(), 1);  // retained: test running?
      esp_mqtt_client_subscribe(mqtt, topic("error").c_str(), 1);
      break;
    case MQTT_EVENT_DATA: {
      String from(event->topic, event->topic_len);
      JsonDocument doc;
      if (deserializeJson(doc, event->data, event->data_len)) {
        break;
      }
      if (from == topic("cmd")) {
        handleCommand(doc.as<JsonVariantConst>());
      } else if (from == topic("status")) {
        testRunning = doc["test_running"] | false;  // after a reboot mid-test
      } else if (from == topic("error")) {
        Serial.printf("[sensorhub] error: %s\n", doc["message"].as<const char*>());
      }
      break;
    }
    default:
      break;
  }
}

// ---- sampling ---------------------------------------------------------------------------

bool readCells(long& left, long& right) {
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
    nextSampleUs = micros();  // fell far behind: resume, do not burst
  }
  if (!STREAM_WHEN_IDLE && !testRunning) {
    return;
  }
  // Kept while disconnected too: the client's outbox sends them once the broker is back.
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

  esp_mqtt_client_config_t config = {};
  config.broker.address.uri = BROKER_URI;
  config.credentials.client_id = DEVICE_ID;  // one session per plate
  config.session.disable_clean_session = true;  // keep subscriptions across reconnects
  mqtt = esp_mqtt_client_init(&config);
  esp_mqtt_client_register_event(mqtt, MQTT_EVENT_ANY, onMqttEvent, nullptr);
  esp_mqtt_client_start(mqtt);
  nextSampleUs = micros();
}

void loop() {
  sampleWhenDue();
  if (stopRequested) {
    // Everything sampled so far belongs to the test: send it, then say we are done.
    stopRequested = false;
    sendSamples();
    sendDone();
    testRunning = false;
  }
  digitalWrite(LED_PIN, testRunning ? HIGH : LOW);
}
