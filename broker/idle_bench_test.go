package broker_test

import (
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// BenchmarkIdleConnection connects one idle device per op (raw CONNECTs
// over SQLite, one access key) and reports what each costs once they are
// all connected, after three collections: stack-KB/conn (goroutine stacks:
// the MQTT library's read and write goroutines) and heap-KB/conn (the live
// heap). Run it with -benchtime=2000x; bench/README.md (M3) has the
// figures.
func BenchmarkIdleConnection(b *testing.B) {
	e := newEnv(b)
	devs := make([]*weir.Device, b.N)
	for i := range devs {
		devs[i] = &weir.Device{ApplicationID: e.d1.ApplicationID, Name: "d", DeviceClass: weir.DeviceStandalone}
		if err := e.db.CreateDevice(b.Context(), devs[i]); err != nil {
			b.Fatal(err)
		}
	}
	rawConnect(b, e.b.Addr(), e.d1.ID, e.keyA, e.secret).Close() // the secret's check is remembered
	time.Sleep(100 * time.Millisecond)
	stack0, heap0 := memoryInUse()
	conns := make([]net.Conn, 0, b.N)
	b.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	b.ResetTimer()
	for _, d := range devs {
		conns = append(conns, rawConnect(b, e.b.Addr(), d.ID, e.keyA, e.secret))
	}
	b.StopTimer()
	time.Sleep(time.Second) // the connected status is written
	stack1, heap1 := memoryInUse()
	b.ReportMetric(float64(stack1-stack0)/float64(b.N)/1024, "stack-KB/conn")
	b.ReportMetric(float64(heap1-heap0)/float64(b.N)/1024, "heap-KB/conn")
}

// memoryInUse returns the bytes of goroutine stacks and of live heap after
// three collections (which also shrink the stacks that can be).
func memoryInUse() (stack, heap int64) {
	for range 3 {
		runtime.GC()
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// rawConnect connects device id with key and secret over a raw MQTT 3.1.1
// connection and reads the CONNACK.
func rawConnect(tb testing.TB, addr, id, key, secret string) net.Conn {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(wait))
	vh := mqttString([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0, 60}, id)
	vh = mqttString(vh, key)
	vh = mqttString(vh, secret)
	if _, err := conn.Write(packet(0x10, vh)); err != nil {
		tb.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(conn, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
		tb.Fatalf("CONNACK %v, %v", ack, err)
	}
	conn.SetDeadline(time.Time{})
	return conn
}
