package main

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// TestCrashKeepsAcknowledgedStates has devices keep QoS 1 state messages
// in flight to the MQTT endpoint, kills weir with SIGKILL right after the
// 300th PUBACK, restarts it on the same data directory and checks that
// every acknowledged state is in the device's history and ran its flow: a
// PUBACK follows the commit of the state and of its run.
func TestCrashKeepsAcknowledgedStates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a weir process")
	}
	dir, addr, mqttAddr := t.TempDir(), freeAddr(t), freeAddr(t)
	flags := []string{"--mqtt-addr", mqttAddr, "--device-limit", "0"}
	p := startProcessWith(t, addr, dir, os.Stderr, flags...)
	c := &client{t: t, base: "http://" + addr, token: p.token}
	app, key, flow := setupStateCounter(c)

	const devices, window = 4, 8
	ids := make([]string, devices)
	acked := make([]map[int]bool, devices) // per device, the values acknowledged
	var total atomic.Int64
	killed := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	t0 := time.Now().Add(-time.Hour).UnixMilli()
	for i := range ids {
		id, cl := connectCountedDevice(t, c, app, key, mqttAddr, i)
		ids[i], acked[i] = id, map[int]bool{}
		wg.Go(func() {
			type sent struct {
				v   int
				tok paho.Token
			}
			inflight := make(chan sent, window)
			for v := 1; ; v++ {
				if len(inflight) == window {
					s := <-inflight
					if !s.tok.WaitTimeout(10*time.Second) || s.tok.Error() != nil {
						return // the process is gone
					}
					mu.Lock()
					acked[i][s.v] = true
					mu.Unlock()
					total.Add(1)
				}
				select {
				case <-killed:
					return
				default:
				}
				// Each state has a time of its own: reports of the same
				// millisecond are merged into one.
				at := strconv.FormatInt(t0+int64(v), 10)
				inflight <- sent{v, cl.Publish("losant/"+id+"/state", 1, false, `{"time":`+at+`,"data":{"v":`+strconv.Itoa(v)+`}}`)}
			}
		})
	}
	waitFor(t, 30*time.Second, "300 acknowledged states", func() bool { return total.Load() >= 300 })
	mu.Lock() // no PUBACK is counted from here on
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	close(killed)
	want := total.Load()
	mu.Unlock()
	wg.Wait()

	startProcessWith(t, addr, dir, os.Stderr, flags...)
	for i, id := range ids {
		var states []struct{ Data map[string]float64 }
		c.mustDo(200, "GET", "/applications/"+app+"/devices/"+id+"/state?limit=1000", nil, &states)
		have := map[int]bool{}
		for _, s := range states {
			have[int(s.Data["v"])] = true
		}
		for v := range acked[i] {
			if !have[v] {
				t.Errorf("device %d: state v=%d was acknowledged before the kill but is not in its history (%d states kept)", i, v, len(states))
			}
		}
	}
	var storage map[string]float64
	waitFor(t, 30*time.Second, "every acknowledged state's run", func() bool {
		c.mustDo(200, "GET", "/applications/"+app+"/flows/"+flow+"/storage", nil, &storage)
		return storage["count"] >= float64(want)
	})
	t.Logf("%d states acknowledged before SIGKILL; after the restart the flow counted %v", want, storage["count"])
}

// accessKey is an access key as its creation returns it.
type accessKey struct{ Key, Secret string }

// setupStateCounter creates an application, an access key and a flow
// counting the states of the devices tagged count=yes (device tag trigger →
// Store Value incr of "count"); it returns their ids and the key.
func setupStateCounter(c *client) (app string, key accessKey, flow string) {
	var a, f struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "states"}, &a)
	c.mustDo(201, "POST", "/applications/"+a.ID+"/keys", map[string]any{"description": "states"}, &key)
	c.mustDo(201, "POST", "/applications/"+a.ID+"/flows", map[string]any{"name": "count",
		"triggers": []any{map[string]any{"type": "deviceTag", "key": "count/yes", "config": map[string]any{}, "outputIds": [][]string{{"incr"}}}},
		"nodes": []any{map[string]any{"id": "incr", "type": "StoreValueNode", "config": map[string]any{
			"keyName": "count", "valueType": "incr", "value": "1"}}}}, &f)
	return a.ID, key, f.ID
}

// connectCountedDevice creates device number i of app, tagged count=yes
// with a number attribute v, and connects it to the MQTT endpoint at addr.
func connectCountedDevice(t testing.TB, c *client, app string, key accessKey, addr string, i int) (string, paho.Client) {
	t.Helper()
	var d struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app+"/devices", map[string]any{"name": "d" + strconv.Itoa(i),
		"tags":       []any{map[string]string{"key": "count", "value": "yes"}},
		"attributes": []any{map[string]string{"name": "v", "dataType": "number"}}}, &d)
	cl := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(d.ID).
		SetUsername(key.Key).SetPassword(key.Secret).SetAutoReconnect(false))
	if tok := cl.Connect(); !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { cl.Disconnect(0) })
	return d.ID, cl
}
