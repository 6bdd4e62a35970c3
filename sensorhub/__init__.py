"""sensorhub: the backend ESP32 force plates and wearables talk to."""

__version__ = "0.1.0"
