package main

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// BenchmarkMQTTStatesM1 is the bench's M1 in one process: 100 devices
// each keep 8 QoS 1 states in flight to the MQTT endpoint; each state is
// committed and queues a run of a one-node flow (device tag trigger →
// Store Value incr) before its PUBACK. An op is one state, its PUBACK and
// its run; cpu-µs/state is the process's CPU (clients included) per
// state. Run it with -cpuprofile to see where the CPU goes.
func BenchmarkMQTTStatesM1(b *testing.B) {
	const devices, window = 100, 8
	cfg := DefaultConfig()
	cfg.MQTTAddr, cfg.DeviceLimit = "127.0.0.1:0", 0
	tuneGC(b.Context())
	m, c := openMain(b, cfg)
	app, key, flow := setupStateCounter(c)
	clients := make([]paho.Client, devices)
	topics := make([]string, devices)
	for i := range clients {
		var id string
		id, clients[i] = connectCountedDevice(b, c, app, key, m.MQTTAddr(), i)
		topics[i] = "losant/" + id + "/state"
	}
	count := func() int64 {
		var s struct{ Count float64 }
		c.mustDo(200, "GET", "/applications/"+app+"/flows/"+flow+"/storage", nil, &s)
		return int64(s.Count)
	}
	before := count()
	var next, acked atomic.Int64
	cpu0 := rusage()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			toks := make(chan paho.Token, window)
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				if len(toks) == window {
					if tok := <-toks; !tok.WaitTimeout(time.Minute) || tok.Error() != nil {
						b.Errorf("PUBACK: %v", tok.Error())
						return
					}
					acked.Add(1)
				}
				body, _ := json.Marshal(map[string]any{"data": map[string]int64{"v": n}})
				toks <- clients[i].Publish(topics[i], 1, false, body)
			}
			close(toks)
			for tok := range toks {
				if !tok.WaitTimeout(time.Minute) || tok.Error() != nil {
					b.Errorf("PUBACK: %v", tok.Error())
					return
				}
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Minute)
	for count() != before+acked.Load() {
		if time.Now().After(deadline) {
			b.Fatalf("counter %d, want %d", count(), before+acked.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(rusage()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/state")
}

// rusage returns the CPU time this process has used.
func rusage() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
