package nodes_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// memDevices is an in-memory device, state and command store for the
// device nodes' golden cases; the SQL stores pass the services' contracts
// in store/storetest.
type memDevices struct {
	mu       sync.Mutex
	devices  []*weir.Device
	states   map[string][]weir.DeviceState
	commands []commandLine
	fired    int // states and commands handed to the device triggers
	created  int
}

// stateLine and commandLine are what a golden case's want.json lists.
type stateLine struct {
	Time time.Time      `json:"time"`
	Data map[string]any `json:"data"`
}

type commandLine struct {
	DeviceID string `json:"deviceId"`
	Name     string `json:"name"`
	Payload  any    `json:"payload,omitempty"`
}

func newMemDevices(ds []*weir.Device) *memDevices {
	m := &memDevices{devices: ds, states: map[string][]weir.DeviceState{}}
	for _, d := range ds {
		d.ApplicationID = "app"
		if d.DeviceClass == "" {
			d.DeviceClass = weir.DeviceStandalone
		}
	}
	return m
}

func (m *memDevices) access() *engine.Devices {
	return &engine.Devices{Devices: m, States: m, Commands: m, Events: m, Data: m}
}

func (m *memDevices) find(appID, id string) (*weir.Device, error) {
	for _, d := range m.devices {
		if d.ID == id && d.ApplicationID == appID {
			return d, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Device was not found")
}

func (m *memDevices) FindDeviceByID(_ context.Context, appID, id string) (*weir.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(appID, id)
}

func (m *memDevices) FindDevices(_ context.Context, f weir.DeviceFilter) ([]*weir.Device, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.Device
	for _, d := range m.devices {
		if d.ApplicationID != f.ApplicationID || f.IDs != nil && !slices.Contains(f.IDs, d.ID) {
			continue
		}
		if f.ParentID != "" && d.ParentID != f.ParentID {
			continue
		}
		if f.Filter != "" && !strings.Contains(strings.ToLower(d.Name), strings.ToLower(f.Filter)) {
			continue
		}
		if f.Query != nil && !f.Query.Match(d) {
			continue
		}
		ok := true
		for _, t := range f.Tags {
			ok = ok && d.HasTag(t.Key, t.Value)
		}
		if ok {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	if f.SortDirection == "desc" {
		slices.Reverse(out)
	}
	total := len(out)
	if f.PerPage > 0 {
		start := min(f.Page*f.PerPage, len(out))
		out = out[start:min(start+f.PerPage, len(out))]
	}
	return out, total, nil
}

func (m *memDevices) CreateDevice(_ context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if d.ParentID != "" {
		p, err := m.find(d.ApplicationID, d.ParentID)
		if err != nil {
			return weir.Errorf(weir.Validation, "parentId %s is not a device of this application", d.ParentID)
		}
		d.AncestorIDs = append(slices.Clone(p.AncestorIDs), p.ID)
	}
	m.created++
	d.ID = fmt.Sprintf("6000000000000000000000%02d", m.created) // deterministic for want.json
	d.CreationDate = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d.LastUpdated = d.CreationDate
	m.devices = append(m.devices, d)
	return nil
}

func (m *memDevices) UpdateDevice(_ context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, old := range m.devices {
		if old.ID == d.ID && old.ApplicationID == d.ApplicationID {
			c := *d
			m.devices[i] = &c
			return nil
		}
	}
	return weir.Errorf(weir.NotFound, "Device was not found")
}

func (m *memDevices) DeleteDevice(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range m.devices {
		if d.ID == id && d.ApplicationID == appID {
			m.devices = slices.Delete(m.devices, i, i+1)
			return nil
		}
	}
	return weir.Errorf(weir.NotFound, "Device was not found")
}
func (m *memDevices) SetConnectionStatus(context.Context, string, string, weir.DeviceLogEntry) (*weir.Device, error) {
	return nil, nil
}

func (m *memDevices) AddDeviceStates(_ context.Context, appID, id string, states []weir.DeviceState) ([]weir.DeviceState, *weir.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.find(appID, id)
	if err != nil {
		return nil, nil, err
	}
	var kept []weir.DeviceState
	for _, st := range states {
		data, _ := weir.NormalizeState(d, st.Data)
		if len(data) > 0 {
			kept = append(kept, weir.DeviceState{DeviceID: id, Time: st.Time, Data: data})
		}
	}
	m.states[id] = append(m.states[id], kept...)
	return kept, d, nil
}

func (m *memDevices) FindDeviceStates(_ context.Context, f weir.StateFilter) ([]weir.DeviceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.states[f.DeviceID]), nil
}

func (m *memDevices) FindCompositeState(_ context.Context, f weir.StateFilter) (weir.CompositeState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := weir.CompositeState{}
	for _, st := range m.states[f.DeviceID] {
		for k, v := range st.Data {
			c[k] = weir.StateValue{Value: v, Time: st.Time}
		}
	}
	return c, nil
}

func (m *memDevices) RemoveDeviceData(context.Context, string, string, weir.DataRemoval) error {
	return nil
}

func (m *memDevices) AddDeviceCommand(_ context.Context, appID, id string, c *weir.DeviceCommand) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find(appID, id); err != nil {
		return err
	}
	var payload any
	if len(c.Payload) > 0 {
		payload, _ = engine.DecodeValue(c.Payload)
	}
	m.commands = append(m.commands, commandLine{DeviceID: id, Name: c.Name, Payload: payload})
	return nil
}

func (m *memDevices) FindDeviceCommands(context.Context, weir.CommandFilter) ([]weir.DeviceCommand, error) {
	return nil, nil
}

func (m *memDevices) DeviceStates(_ context.Context, _ *weir.Device, s []weir.DeviceState) error {
	m.fired += len(s) // called with m.mu held by nobody: AddDeviceStates has returned
	return nil
}

func (m *memDevices) DeviceConnection(context.Context, *weir.Device, bool, map[string]any) error {
	return nil
}

// outcome returns the devices ("id name class") the run left, and the states
// and commands, for want.json.
func (m *memDevices) outcome() ([]string, map[string][]stateLine, []commandLine, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var devices []string
	for _, d := range m.devices {
		devices = append(devices, d.ID+" "+d.Name+" "+d.DeviceClass)
	}
	var states map[string][]stateLine
	for id, ss := range m.states {
		if states == nil {
			states = map[string][]stateLine{}
		}
		for _, s := range ss {
			states[id] = append(states[id], stateLine{Time: s.Time, Data: s.Data})
		}
	}
	return devices, states, m.commands, m.fired
}

func (m *memDevices) PruneDeviceStates(context.Context, time.Time) (int, error) { return 0, nil }

func (m *memDevices) DeviceCreated(context.Context, *weir.Device) error { return nil }

func (m *memDevices) DeviceCommand(context.Context, *weir.Device, *weir.DeviceCommand) error {
	m.fired++ // called with m.mu held by nobody: AddDeviceCommand has returned
	return nil
}

// memRecipes are a golden case's device recipes, read only.
type memRecipes []*weir.DeviceRecipe

func (m memRecipes) FindDeviceRecipeByID(_ context.Context, appID, id string) (*weir.DeviceRecipe, error) {
	for _, r := range m {
		if r.ID == id {
			c := *r
			c.ApplicationID = appID
			return &c, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Device recipe was not found")
}

func (m memRecipes) FindDeviceRecipes(context.Context, weir.DeviceRecipeFilter) ([]*weir.DeviceRecipe, int, error) {
	return m, len(m), nil
}

func (memRecipes) CreateDeviceRecipe(context.Context, *weir.DeviceRecipe) error {
	return weir.Errorf(weir.Validation, "golden recipes are read only")
}

func (memRecipes) UpdateDeviceRecipe(context.Context, *weir.DeviceRecipe) error {
	return weir.Errorf(weir.Validation, "golden recipes are read only")
}

func (memRecipes) DeleteDeviceRecipe(context.Context, string, string) error {
	return weir.Errorf(weir.Validation, "golden recipes are read only")
}
