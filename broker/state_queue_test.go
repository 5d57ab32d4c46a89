package broker_test

import (
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// TestStatesAcknowledgedInOrder writes 40 QoS 1 state messages (a
// malformed one among them) without waiting, on a raw connection, and
// reads the PUBACKs: they come in the order the messages were sent, as
// MQTT requires, and when each arrives its state is already stored.
func TestStatesAcknowledgedInOrder(t *testing.T) {
	e := newEnv(t)
	conn, err := net.Dial("tcp", e.b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	vh := mqttString([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0, 60}, e.d1.ID)
	vh = mqttString(vh, e.keyA)
	vh = mqttString(vh, e.secret)
	write(t, conn, 0x10, vh)
	ack := make([]byte, 4)
	if _, err := io.ReadFull(conn, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
		t.Fatalf("CONNACK %v, %v", ack, err)
	}
	const n = 40
	base := time.Now().Add(-time.Hour).UnixMilli()
	for id := 1; id <= n; id++ {
		payload := `{"time":` + strconv.FormatInt(base+int64(id), 10) + `,"data":{"temp":` + strconv.Itoa(id) + `}}`
		if id == 7 {
			payload = `{"data":` // dropped, and acknowledged in turn
		}
		body := binary.BigEndian.AppendUint16(mqttString(nil, "losant/"+e.d1.ID+"/state"), uint16(id))
		write(t, conn, 0x32, append(body, payload...)) // PUBLISH, QoS 1
	}
	for want := 1; want <= n; want++ {
		if _, err := io.ReadFull(conn, ack); err != nil {
			t.Fatalf("PUBACK %d: %v", want, err)
		}
		if got := int(binary.BigEndian.Uint16(ack[2:])); ack[0] != 0x40 || got != want {
			t.Fatalf("packet %v after %d PUBACKs, want the PUBACK of %d", ack, want-1, want)
		}
		stored := len(e.states(e.d1))
		if min := want - 1; want >= 7 && stored < min || want < 7 && stored < want {
			t.Fatalf("%d states stored when the PUBACK of message %d arrived", stored, want)
		}
	}
}

// mqttString appends s with its 2-byte length.
func mqttString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// write writes a packet of type and flags header with body.
func write(t *testing.T, conn net.Conn, header byte, body []byte) {
	t.Helper()
	if _, err := conn.Write(packet(header, body)); err != nil {
		t.Fatal(err)
	}
}

// packet returns the packet of type and flags header with body.
func packet(header byte, body []byte) []byte {
	pk := []byte{header}
	for n := len(body); ; {
		d := byte(n % 128)
		if n /= 128; n > 0 {
			d |= 128
		}
		pk = append(pk, d)
		if n == 0 {
			break
		}
	}
	return append(pk, body...)
}
