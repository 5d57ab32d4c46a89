package http_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memDevices is an in-memory device, state, command and access key store
// for the authorization matrix: enough behaviour to serve every route, none
// of the SQL stores' (store/storetest judges those).
type memDevices struct {
	mu       sync.Mutex
	now      func() time.Time
	Devices  map[string]weir.Device
	States   map[string][]weir.DeviceState
	Commands map[string][]weir.DeviceCommand
	Logs     map[string][]weir.DeviceLogEntry
	Keys     map[string]weir.ApplicationKey
	Recipes  map[string]weir.DeviceRecipe
}

func newMemDevices(now func() time.Time) *memDevices {
	return &memDevices{now: now, Devices: map[string]weir.Device{}, States: map[string][]weir.DeviceState{},
		Commands: map[string][]weir.DeviceCommand{}, Logs: map[string][]weir.DeviceLogEntry{}, Keys: map[string]weir.ApplicationKey{},
		Recipes: map[string]weir.DeviceRecipe{}}
}

// clone returns a deep enough copy for snapshots.
func (m *memDevices) clone() *memDevices {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := newMemDevices(m.now)
	for k, v := range m.Devices {
		v.Tags, v.Attributes = slices.Clone(v.Tags), slices.Clone(v.Attributes)
		c.Devices[k] = v
	}
	for k, v := range m.States {
		c.States[k] = slices.Clone(v)
	}
	for k, v := range m.Commands {
		c.Commands[k] = slices.Clone(v)
	}
	for k, v := range m.Logs {
		c.Logs[k] = slices.Clone(v)
	}
	for k, v := range m.Keys {
		c.Keys[k] = v
	}
	for k, v := range m.Recipes {
		c.Recipes[k] = v // the matrix changes recipes only by replacing them
	}
	return c
}

func (m *memDevices) device(appID, id string) (weir.Device, error) {
	d, ok := m.Devices[id]
	if !ok || d.ApplicationID != appID {
		return weir.Device{}, weir.Errorf(weir.NotFound, "Device was not found")
	}
	return d, nil
}

func (m *memDevices) FindDeviceByID(_ context.Context, appID, id string) (*weir.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.device(appID, id)
	return &d, err
}

func (m *memDevices) FindDevices(_ context.Context, f weir.DeviceFilter) ([]*weir.Device, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []*weir.Device{}
	for _, d := range m.Devices {
		if d.ApplicationID == f.ApplicationID && (f.IDs == nil || slices.Contains(f.IDs, d.ID)) {
			out = append(out, &d)
		}
	}
	return out, len(out), nil
}

func (m *memDevices) CreateDevice(_ context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if d.ID == "" {
		d.ID = weir.NewID()
	}
	d.CreationDate, d.LastUpdated = m.now(), m.now()
	m.Devices[d.ID] = *d
	return nil
}

func (m *memDevices) UpdateDevice(_ context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(d.ApplicationID, d.ID); err != nil {
		return err
	}
	m.Devices[d.ID] = *d
	return nil
}

func (m *memDevices) DeleteDevice(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(appID, id); err != nil {
		return err
	}
	delete(m.Devices, id)
	return nil
}

func (m *memDevices) SetConnectionStatus(_ context.Context, appID, id string, e weir.DeviceLogEntry) (*weir.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.device(appID, id)
	if err != nil {
		return nil, err
	}
	d.Connection = weir.ConnectionInfo{Connected: &e.Connected, Time: e.Time}
	m.Devices[id] = d
	m.Logs[id] = append(m.Logs[id], e)
	return &d, nil
}

func (m *memDevices) AddDeviceStates(_ context.Context, appID, id string, states []weir.DeviceState) ([]weir.DeviceState, *weir.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.device(appID, id)
	if err != nil {
		return nil, nil, err
	}
	var kept []weir.DeviceState
	for _, st := range states {
		data, _ := weir.NormalizeState(&d, st.Data)
		if len(data) > 0 {
			kept = append(kept, weir.DeviceState{DeviceID: id, Time: st.Time, Data: data})
		}
	}
	m.States[id] = append(m.States[id], kept...)
	return kept, &d, nil
}

func (m *memDevices) FindDeviceStates(_ context.Context, f weir.StateFilter) ([]weir.DeviceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(f.ApplicationID, f.DeviceID); err != nil {
		return nil, err
	}
	return slices.Clone(m.States[f.DeviceID]), nil
}

func (m *memDevices) FindCompositeState(_ context.Context, f weir.StateFilter) (weir.CompositeState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(f.ApplicationID, f.DeviceID); err != nil {
		return nil, err
	}
	c := weir.CompositeState{}
	for _, st := range m.States[f.DeviceID] {
		for k, v := range st.Data {
			c[k] = weir.StateValue{Value: v, Time: st.Time}
		}
	}
	return c, nil
}

func (m *memDevices) RemoveDeviceData(_ context.Context, appID, id string, _ weir.DataRemoval) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(appID, id); err != nil {
		return err
	}
	delete(m.States, id)
	return nil
}

func (m *memDevices) AddDeviceCommand(_ context.Context, appID, id string, c *weir.DeviceCommand) error {
	if err := c.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(appID, id); err != nil {
		return err
	}
	m.Commands[id] = append(m.Commands[id], *c)
	return nil
}

func (m *memDevices) FindDeviceCommands(_ context.Context, f weir.CommandFilter) ([]weir.DeviceCommand, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(f.ApplicationID, f.DeviceID); err != nil {
		return nil, err
	}
	return slices.Clone(m.Commands[f.DeviceID]), nil
}

func (m *memDevices) FindDeviceLogEntries(_ context.Context, f weir.DeviceLogFilter) ([]weir.DeviceLogEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.device(f.ApplicationID, f.DeviceID); err != nil {
		return nil, err
	}
	return slices.Clone(m.Logs[f.DeviceID]), nil
}

func errKeyNotFound() error { return weir.Errorf(weir.NotFound, "Application key was not found") }

func (m *memDevices) FindApplicationKeyByID(_ context.Context, appID, id string) (*weir.ApplicationKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.Keys[id]
	if !ok || appID != "" && k.ApplicationID != appID {
		return nil, errKeyNotFound()
	}
	return &k, nil
}

func (m *memDevices) FindApplicationKeyByKey(_ context.Context, key string) (*weir.ApplicationKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.Keys {
		if k.Key == key {
			return &k, nil
		}
	}
	return nil, errKeyNotFound()
}

func (m *memDevices) FindApplicationKeys(_ context.Context, f weir.ApplicationKeyFilter) ([]*weir.ApplicationKey, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []*weir.ApplicationKey{}
	for _, k := range m.Keys {
		if k.ApplicationID == f.ApplicationID {
			out = append(out, &k)
		}
	}
	return out, len(out), nil
}

func (m *memDevices) CreateApplicationKey(_ context.Context, k *weir.ApplicationKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if k.ID == "" {
		k.ID = weir.NewID()
	}
	k.CreationDate, k.LastUpdated = m.now(), m.now()
	m.Keys[k.ID] = *k
	return nil
}

func (m *memDevices) UpdateApplicationKey(_ context.Context, k *weir.ApplicationKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.Keys[k.ID]
	if !ok || old.ApplicationID != k.ApplicationID {
		return errKeyNotFound()
	}
	m.Keys[k.ID] = *k
	return nil
}

func (m *memDevices) DeleteApplicationKey(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.Keys[id]
	if !ok || k.ApplicationID != appID {
		return errKeyNotFound()
	}
	delete(m.Keys, id)
	return nil
}

var (
	_ weir.DeviceService         = (*memDevices)(nil)
	_ weir.DeviceStateService    = (*memDevices)(nil)
	_ weir.DeviceCommandService  = (*memDevices)(nil)
	_ weir.ApplicationKeyService = (*memDevices)(nil)
)

func (m *memDevices) PruneDeviceStates(context.Context, time.Time) (int, error) { return 0, nil }

func errRecipeNotFound() error { return weir.Errorf(weir.NotFound, "Device recipe was not found") }

func (m *memDevices) FindDeviceRecipeByID(_ context.Context, appID, id string) (*weir.DeviceRecipe, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.Recipes[id]
	if !ok || r.ApplicationID != appID {
		return nil, errRecipeNotFound()
	}
	return &r, nil
}

func (m *memDevices) FindDeviceRecipes(_ context.Context, f weir.DeviceRecipeFilter) ([]*weir.DeviceRecipe, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.DeviceRecipe
	for _, r := range m.Recipes {
		if r.ApplicationID == f.ApplicationID {
			out = append(out, &r)
		}
	}
	return out, len(out), nil
}

func (m *memDevices) CreateDeviceRecipe(_ context.Context, r *weir.DeviceRecipe) error {
	if err := r.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.ID == "" {
		r.ID = weir.NewID()
	}
	r.CreationDate, r.LastUpdated = m.now(), m.now()
	m.Recipes[r.ID] = *r
	return nil
}

func (m *memDevices) UpdateDeviceRecipe(_ context.Context, r *weir.DeviceRecipe) error {
	if err := r.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.Recipes[r.ID]
	if !ok || old.ApplicationID != r.ApplicationID {
		return errRecipeNotFound()
	}
	r.CreationDate, r.LastUpdated = old.CreationDate, m.now()
	m.Recipes[r.ID] = *r
	return nil
}

func (m *memDevices) DeleteDeviceRecipe(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.Recipes[id]; !ok || r.ApplicationID != appID {
		return errRecipeNotFound()
	}
	delete(m.Recipes, id)
	return nil
}
