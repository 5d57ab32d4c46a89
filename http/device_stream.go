package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir/engine"
)

// DeviceStreamSource hands out the live state reports and commands of a
// device (see engine.DeviceStreams).
type DeviceStreamSource interface {
	Subscribe(applicationID, deviceID, typ string) (events <-chan engine.DeviceStreamEvent, cancel func())
}

// streamParams are the query parameters of the device streams: seconds
// between keep-alive comments, default 2 as on Losant.
var streamParams = []queryParam{{name: "keepAliveInterval", kind: paramInt, def: "2", min: 1, max: 3600}}

// handleDeviceStateStream answers GET …/devices/{deviceId}/stateStream with
// a Server-Sent Events stream of the device's state reports from now on
// (event "deviceState", data {time, data}).
func (s *Server) handleDeviceStateStream(w http.ResponseWriter, r *http.Request, req *request) error {
	return s.serveDeviceStream(w, r, req, engine.DeviceStreamState)
}

// handleDeviceCommandStream answers GET …/devices/{deviceId}/commandStream
// with a Server-Sent Events stream of the commands sent to the device from
// now on (event "deviceCommand", data {name, payload, time}).
func (s *Server) handleDeviceCommandStream(w http.ResponseWriter, r *http.Request, req *request) error {
	return s.serveDeviceStream(w, r, req, engine.DeviceStreamCommand)
}

func (s *Server) serveDeviceStream(w http.ResponseWriter, r *http.Request, req *request, typ string) error {
	if _, err := s.findDevice(r, req); err != nil {
		return err
	}
	if s.DeviceStreams == nil {
		return errNoDeviceService
	}
	secs, _ := strconv.Atoi(req.query["keepAliveInterval"])
	events, cancel := s.DeviceStreams.Subscribe(req.appID, req.deviceID, typ)
	defer cancel()
	return serveStreamEvery(s, w, r, time.Duration(secs)*time.Second, func(flush func()) { flush() }, events,
		func(ev engine.DeviceStreamEvent) { writeEvent(w, ev.Type, ev.Data) })
}
