// Package broker is weir's built-in MQTT endpoint for devices, on the
// mochi-mqtt broker (its one home): devices connect as they connect to
// Losant (client id = device id, username = access key, password = secret),
// publish state on losant/{deviceId}/state and receive commands on
// losant/{deviceId}/command (a gateway also those of its peripherals);
// other topics are free publish/subscribe within the device's own
// application.
package broker
