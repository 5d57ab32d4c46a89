package main

import (
	"crypto/tls"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles serves the certificate of --mqtt-tls-cert and --mqtt-tls-key,
// read again on a handshake after either file changed, so that a renewed
// certificate is served without a restart. A renewal that does not load
// (a certificate and key written one after the other, say) leaves the last
// good certificate in use, and is logged.
type certFiles struct {
	cert, key string
	logger    *slog.Logger

	mu                sync.Mutex
	current           *tls.Certificate
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// loadCertFiles reads the certificate and key; an error stops start-up.
func loadCertFiles(cert, key string, logger *slog.Logger) (*certFiles, error) {
	c := &certFiles{cert: cert, key: key, logger: logger}
	c.certMod, c.certSize = stamp(cert)
	c.keyMod, c.keySize = stamp(key)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, err
	}
	c.current = &pair
	return c, nil
}

// config returns a server configuration serving the files' certificate.
func (c *certFiles) config() *tls.Config {
	return &tls.Config{GetCertificate: c.get, MinVersion: tls.VersionTLS12}
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	certMod, certSize := stamp(c.cert)
	keyMod, keySize := stamp(c.key)
	if certMod.Equal(c.certMod) && keyMod.Equal(c.keyMod) && certSize == c.certSize && keySize == c.keySize {
		return c.current, nil
	}
	c.certMod, c.certSize, c.keyMod, c.keySize = certMod, certSize, keyMod, keySize
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		c.logger.Warn("the changed MQTT TLS certificate does not load; the previous one is served", "err", err)
		return c.current, nil
	}
	c.current = &pair
	c.logger.Info("MQTT TLS certificate reloaded", "cert", c.cert)
	return c.current, nil
}

// stamp returns the modification time and size of a file (zero when it
// cannot be read).
func stamp(name string) (time.Time, int64) {
	fi, err := os.Stat(name)
	if err != nil {
		return time.Time{}, 0
	}
	return fi.ModTime(), fi.Size()
}
