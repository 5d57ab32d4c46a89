package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// mqttWindow is the QoS 1 messages each device keeps in flight in M1.
const mqttWindow = 8

// mqttDevice is one connected client of the bench and the topic it
// publishes its states on.
type mqttDevice struct {
	client paho.Client
	topic  string
}

// windowed is the outcome of a closed-loop QoS 1 run.
type windowed struct {
	acked    int64         // PUBACKs, warm-up and drain included
	measured int64         // PUBACKs while measuring
	elapsed  time.Duration // measured time
	span     time.Duration // from the first publish to the last PUBACK
	cpu      time.Duration // the bench process's CPU from the first publish to the last PUBACK
}

// rated is the outcome of an open-loop QoS 1 run.
type rated struct {
	p50, p99, max float64 // ms from when a message was due to its PUBACK
	achieved      float64 // messages per second
	sent          int
}

// state is one state message of the bench.
func state(n int) []byte {
	b, _ := json.Marshal(map[string]any{"data": map[string]int{"v": n}})
	return b
}

// publishWindowed has each device keep mqttWindow QoS 1 messages in flight
// for warm, then for dur while counting PUBACKs.
func publishWindowed(devs []mqttDevice, warm, dur time.Duration) (windowed, error) {
	var acked, measured, failed atomic.Int64
	var measuring atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	cpu0, start := selfCPU(), time.Now()
	for _, d := range devs {
		wg.Go(func() {
			window := make(chan paho.Token, mqttWindow)
			n := 0
			drain := func(tok paho.Token) {
				if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
					failed.Add(1)
					return
				}
				acked.Add(1)
				if measuring.Load() {
					measured.Add(1)
				}
			}
			for {
				select {
				case <-stop:
					close(window)
					for tok := range window {
						drain(tok)
					}
					return
				default:
				}
				if len(window) == cap(window) {
					drain(<-window)
				}
				n++
				window <- d.client.Publish(d.topic, 1, false, state(n))
			}
		})
	}
	time.Sleep(warm)
	measuring.Store(true)
	t0 := time.Now()
	time.Sleep(dur)
	measuring.Store(false)
	w := windowed{elapsed: time.Since(t0), measured: measured.Load()}
	close(stop)
	wg.Wait()
	w.acked, w.cpu, w.span = acked.Load(), selfCPU()-cpu0, time.Since(start)
	if failed.Load() > 0 {
		return w, fmt.Errorf("%d state messages were not acknowledged", failed.Load())
	}
	return w, nil
}

// publishAtRate publishes rate messages per second for dur, the devices
// in turn, open loop, and measures each PUBACK from when its message was
// due.
func publishAtRate(ctx context.Context, devs []mqttDevice, rate float64, dur time.Duration) (rated, error) {
	total := int(rate * dur.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, total)
	var failed atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range total {
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return rated{}, ctx.Err()
		}
		d := devs[i%len(devs)]
		tok := d.client.Publish(d.topic, 1, false, state(i))
		wg.Go(func() {
			if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
				failed.Add(1)
				lat[i] = time.Minute
				return
			}
			lat[i] = time.Since(due)
		})
	}
	wg.Wait()
	r := rated{achieved: float64(total) / time.Since(t0).Seconds(), sent: total}
	if failed.Load() > 0 {
		return r, fmt.Errorf("%d state messages were not acknowledged", failed.Load())
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	r.p50, r.p99, r.max = pct(0.5), pct(0.99), pct(1)
	return r, nil
}

// connectAll connects a client per id to the broker at addr, 32 at a time.
func connectAll(ctx context.Context, addr, user, password string, ids []string) ([]paho.Client, error) {
	clients := make([]paho.Client, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for g := range errs {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(ids) && errs[g] == nil && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(ids[i]).
					SetUsername(user).SetPassword(password).SetAutoReconnect(false).SetKeepAlive(5 * time.Minute).
					SetConnectTimeout(30 * time.Second))
				tok := c.Connect()
				if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
					errs[g] = fmt.Errorf("connect client %d: %v", i, tok.Error())
				}
				clients[i] = c
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			disconnectAll(clients)
			return nil, err
		}
	}
	return clients, ctx.Err()
}

func disconnectAll(clients []paho.Client) {
	for _, c := range clients {
		if c != nil && c.IsConnected() {
			c.Disconnect(0)
		}
	}
}

// selfCPU returns the CPU time the bench's own process (the MQTT clients)
// has used so far; 0 when it cannot be read.
func selfCPU() time.Duration {
	d, _ := statCPU("/proc/self/stat")
	return d
}
