package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/weirhq/weir/broker"
	weirhttp "github.com/weirhq/weir/http"
)

// openDevices serves the MQTT endpoint for devices on --mqtt-addr and lets
// the API deliver commands through it. When the default address is taken
// (another broker on 1883, say), weir says so once and serves everything
// else; an address given explicitly that cannot be bound is an error.
func (m *Main) openDevices(api *weirhttp.Server) error {
	addr := m.Config.MQTTAddr
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if addr == DefaultMQTTAddr && errors.Is(err, syscall.EADDRINUSE) {
			m.Logger.Warn("the MQTT endpoint for devices is not served: its default address is taken by another program; "+
				"set --mqtt-addr (WEIR_MQTT_ADDR) to serve it elsewhere", "addr", addr)
			return nil
		}
		return fmt.Errorf("--mqtt-addr %s: %w", addr, err)
	}
	m.broker = &broker.Broker{Devices: m.inst.DB, States: m.inst.DB, Keys: m.inst.DB, Events: api.DeviceEvents,
		Logger: m.Logger}
	if err := m.broker.Open(ln); err != nil {
		ln.Close()
		return err
	}
	api.CommandSender = m.broker
	m.Logger.Info("devices connect over MQTT", "mqtt_addr", m.broker.Addr())
	return nil
}

// MQTTAddr returns the address of the MQTT endpoint for devices, or "" when
// it is not served.
func (m *Main) MQTTAddr() string {
	if m.broker == nil {
		return ""
	}
	return m.broker.Addr()
}
