package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// openDevices serves the MQTT endpoint for devices on --mqtt-addr; events
// hears of their state and connections. When the default address is taken
// (another broker on 1883, say), weir says so once and serves everything
// else; an address given explicitly that cannot be bound is an error.
// Without --mqtt-url, the MQTT topic triggers hear the messages of its
// free topics and start their runs on runs (see mqtt_local.go).
func (m *Main) openDevices(events weir.DeviceEventHandler, limiter engine.Limiter, runs weir.RunQueue) error {
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
	b := &broker.Broker{Devices: m.inst.DB, States: m.inst.DB, Keys: m.inst.DB, Events: events, Logger: m.Logger}
	if limiter != nil {
		b.Limiter = limiter
	}
	m.localMQTTTriggers(b, runs)
	if m.cluster != nil {
		// Commands and free-topic messages reach the devices connected to
		// the other processes.
		m.cluster.mqtt = &nats.BrokerRelay{Client: m.nats, Prefix: clusterPrefix(m.Config.Queue)}
		b.Cluster = m.cluster.mqtt
	}
	if err := b.Open(ln); err != nil {
		ln.Close()
		return err
	}
	m.broker = b
	if m.cluster != nil {
		if err := m.cluster.mqtt.Open(b.Receive); err != nil {
			return err
		}
	}
	m.own.Add(ln.Addr()) // the HTTP node never reaches it
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
