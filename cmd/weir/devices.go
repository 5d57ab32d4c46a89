package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// openDevices serves the MQTT endpoint for devices on --mqtt-addr and, over
// WebSockets, on --mqtt-ws-addr, over TLS with --mqtt-tls-cert; events
// hears of their state and connections. When the default address is taken
// (another broker on 1883, say), weir says so once and serves everything
// else; an address given explicitly that cannot be bound, or a certificate
// that cannot be read, is an error. Without --mqtt-url, the MQTT topic
// triggers hear the messages of its free topics and start their runs on
// runs (see mqtt_local.go).
func (m *Main) openDevices(events weir.DeviceEventHandler, limiter engine.Limiter, runs weir.RunQueue) error {
	addr, wsAddr := m.Config.MQTTAddr, m.Config.MQTTWSAddr
	if addr == "" && wsAddr == "" {
		return nil
	}
	var tlsConfig *tls.Config
	if m.Config.MQTTTLSCert != "" {
		files, err := loadCertFiles(m.Config.MQTTTLSCert, m.Config.MQTTTLSKey, m.Logger)
		if err != nil {
			return fmt.Errorf("--mqtt-tls-cert, --mqtt-tls-key: %w", err)
		}
		tlsConfig = files.config()
	}
	var ln, ws net.Listener
	if addr != "" {
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			if addr != DefaultMQTTAddr || !errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("--mqtt-addr %s: %w", addr, err)
			}
			m.Logger.Warn("the MQTT endpoint for devices is not served: its default address is taken by another program; "+
				"set --mqtt-addr (WEIR_MQTT_ADDR) to serve it elsewhere", "addr", addr)
			ln = nil
		}
	}
	if wsAddr != "" {
		var err error
		if ws, err = net.Listen("tcp", wsAddr); err != nil {
			if ln != nil {
				ln.Close()
			}
			return fmt.Errorf("--mqtt-ws-addr %s: %w", wsAddr, err)
		}
	}
	if ln == nil && ws == nil {
		return nil
	}
	b := &broker.Broker{Devices: m.inst.DB, States: m.inst.DB, Keys: m.inst.DB, Events: events, Logger: m.Logger,
		WebSocket: ws, TLS: tlsConfig}
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
		for _, l := range []net.Listener{ln, ws} {
			if l != nil {
				l.Close()
			}
		}
		return err
	}
	m.broker = b
	if m.cluster != nil {
		if err := m.cluster.mqtt.Open(b.Receive); err != nil {
			return err
		}
	}
	for _, l := range []net.Listener{ln, ws} {
		if l != nil {
			m.own.Add(l.Addr()) // the HTTP node never reaches it
		}
	}
	m.Logger.Info("devices connect over MQTT", "mqtt_addr", m.broker.Addr(), "mqtt_ws_addr", m.broker.WebSocketAddr(),
		"tls", tlsConfig != nil)
	return nil
}

// MQTTWebSocketAddr returns the address of MQTT over WebSockets for
// devices, or "" when it is not served.
func (m *Main) MQTTWebSocketAddr() string {
	if m.broker == nil {
		return ""
	}
	return m.broker.WebSocketAddr()
}

// MQTTAddr returns the address of the MQTT endpoint for devices, or "" when
// it is not served.
func (m *Main) MQTTAddr() string {
	if m.broker == nil {
		return ""
	}
	return m.broker.Addr()
}
