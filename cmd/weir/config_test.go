package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsFromFile: the settings that may hold credentials (--store,
// --queue, --mqtt-url) also come from a file named by WEIR_*_FILE, so that
// no password needs to be in a command line; a flag still wins, and a
// missing file or both forms at once stop weir from starting.
func TestSecretsFromFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	parse := func(args ...string) (Config, error) {
		c := DefaultConfig()
		fs := flag.NewFlagSet("weir serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.bind(fs)
		if err := fs.Parse(args); err != nil {
			return c, err
		}
		return c, c.Validate()
	}

	t.Run("OK", func(t *testing.T) {
		t.Setenv("WEIR_STORE_FILE", write("store", "postgres://weir:s3cret@db/weir\n"))
		t.Setenv("WEIR_QUEUE_FILE", write("queue", "nats://user:pass@127.0.0.1:4222"))
		t.Setenv("WEIR_MQTT_URL_FILE", write("mqtt", "tcp://u:p@127.0.0.1:1883\n"))
		c, err := parse()
		if err != nil {
			t.Fatal(err)
		}
		if c.Store != "postgres://weir:s3cret@db/weir" || c.Queue != "nats://user:pass@127.0.0.1:4222" || c.MQTTURL != "tcp://u:p@127.0.0.1:1883" {
			t.Errorf("from files: store %q, queue %q, mqtt %q", c.Store, c.Queue, c.MQTTURL)
		}
		if c, _ := parse("--store", "sqlite"); c.Store != "sqlite" {
			t.Errorf("--store sqlite with WEIR_STORE_FILE set: %q, want the flag's", c.Store)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		t.Setenv("WEIR_STORE_FILE", filepath.Join(dir, "nope"))
		if _, err := parse(); err == nil || !strings.Contains(err.Error(), "WEIR_STORE_FILE") {
			t.Errorf("a missing WEIR_STORE_FILE: %v, want an error naming it", err)
		}
	})
	t.Run("ErrBoth", func(t *testing.T) {
		t.Setenv("WEIR_MQTT_URL", "tcp://127.0.0.1:1883")
		t.Setenv("WEIR_MQTT_URL_FILE", write("mqtt2", "tcp://u:p@127.0.0.1:1883"))
		if _, err := parse(); err == nil || !strings.Contains(err.Error(), "not both") {
			t.Errorf("WEIR_MQTT_URL and WEIR_MQTT_URL_FILE: %v, want an error", err)
		}
	})
}
