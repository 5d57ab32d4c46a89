package main

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

// maxBody caps a request body, as weir caps a webhook's.
const maxBody = 256 << 10

// counter keeps the counters and the run log.
type counter interface {
	// run logs one run of kind with data and, when incr, increments the
	// counter named kind; it returns the counter's value after the run
	// once the run is as durable as the mode promises.
	run(kind string, data []byte, incr bool) (int64, error)
	// counts returns the counters ("s1", "presses") and the runs done
	// ("runs"; for the floor, the log rows).
	counts() (map[string]int64, error)
	close() error
}

// newServer returns the routes; token guards POST /press ("" refuses every press).
func newServer(c counter, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /s1", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		var in struct{ Value *float64 }
		if err := json.Unmarshal(body, &in); err != nil {
			fail(w, http.StatusBadRequest, "Validation", "the body is not a JSON object: "+err.Error())
			return
		}
		incr := in.Value != nil && *in.Value > 50
		n, err := c.run("s1", body, incr)
		if err != nil {
			fail(w, http.StatusServiceUnavailable, "Unavailable", "the run could not be stored")
			return
		}
		if !incr {
			reply(w, []byte(`{"count":null}`))
			return
		}
		reply(w, append(strconv.AppendInt([]byte(`{"count":`), n, 10), '}'))
	})
	mux.HandleFunc("POST /press", func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if token == "" || subtle.ConstantTimeCompare(got, []byte("Bearer "+token)) != 1 {
			fail(w, http.StatusUnauthorized, "Unauthorized", "a valid bearer token is required")
			return
		}
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		var in struct {
			Key     string
			Payload json.RawMessage
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Key == "" {
			fail(w, http.StatusBadRequest, "Validation", `the body must be a JSON object with a "key"`)
			return
		}
		if _, err := c.run("presses", body, true); err != nil {
			fail(w, http.StatusServiceUnavailable, "Unavailable", "the press could not be stored")
			return
		}
		reply(w, []byte(`{"success":true}`))
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		m, err := c.counts()
		if err != nil {
			fail(w, http.StatusServiceUnavailable, "Unavailable", "the counters could not be read")
			return
		}
		b, _ := json.Marshal(m)
		reply(w, b)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, []byte(`{"status":"ok"}`))
	})
	return mux
}

// readBody reads r's body, answering 413 when it is too large.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		fail(w, http.StatusRequestEntityTooLarge, "Validation", "the body is larger than 256 KiB or could not be read")
		return nil, false
	}
	return body, true
}

func reply(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// fail answers with a typed error, as weir does.
func fail(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]string{"type": typ, "message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// memCounter is the ceiling's counter: memory only, no log.
type memCounter struct {
	s1, presses, runs atomic.Int64
}

func (m *memCounter) run(kind string, _ []byte, incr bool) (int64, error) {
	m.runs.Add(1)
	c := &m.s1
	if kind == "presses" {
		c = &m.presses
	}
	if !incr {
		return c.Load(), nil
	}
	return c.Add(1), nil
}

func (m *memCounter) counts() (map[string]int64, error) {
	return map[string]int64{"s1": m.s1.Load(), "presses": m.presses.Load(), "runs": m.runs.Load()}, nil
}

func (m *memCounter) close() error { return nil }
