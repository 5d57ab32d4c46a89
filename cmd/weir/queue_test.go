package main

import (
	"strings"
	"testing"
)

func TestConfigQueueURL(t *testing.T) {
	for _, tt := range []struct {
		queue string
		err   string
	}{
		{queue: ""},
		{queue: "nats://127.0.0.1:4222"},
		{queue: "nats://127.0.0.1:4222?stream=RUNS_1&lease=5s"},
		{queue: "http://127.0.0.1:4222", err: "nats://"},
		{queue: "nats://127.0.0.1:4222?stream=a.b", err: "stream"},
		{queue: "nats://127.0.0.1:4222?lease=1ms", err: "lease"},
		{queue: "nats://127.0.0.1:4222?consumer=x", err: "unknown"},
	} {
		cfg := DefaultConfig()
		cfg.DataDir, cfg.Queue = t.TempDir(), tt.queue
		err := cfg.Validate()
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Validate() with --queue %q = %v, want nil", tt.queue, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Validate() with --queue %q = %v, want an error about %s", tt.queue, err, tt.err)
		}
	}
}
