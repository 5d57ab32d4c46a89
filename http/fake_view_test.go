package http_test

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memViews is an in-memory experience view and file store for the
// authorization matrix: enough behaviour to serve every route, none of the
// SQL stores' (store/storetest judges those).
type memViews struct {
	mu       sync.Mutex
	now      func() time.Time
	Views    map[string]weir.ExperienceView
	Files    map[string]weir.ApplicationFile
	Contents map[string]string
	Versions map[string]weir.ExperienceVersion // develop settings by application
}

func newMemViews(now func() time.Time) *memViews {
	return &memViews{now: now, Views: map[string]weir.ExperienceView{}, Files: map[string]weir.ApplicationFile{},
		Contents: map[string]string{}, Versions: map[string]weir.ExperienceVersion{}}
}

// clone returns a copy for snapshots; its now is nil (funcs are never
// DeepEqual).
func (m *memViews) clone() *memViews {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &memViews{Views: maps.Clone(m.Views), Files: maps.Clone(m.Files), Contents: maps.Clone(m.Contents),
		Versions: maps.Clone(m.Versions)}
}

func (m *memViews) FindExperienceViewByID(_ context.Context, appID, id string) (*weir.ExperienceView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.Views[id]; ok && v.ApplicationID == appID {
		return &v, nil
	}
	return nil, weir.Errorf(weir.NotFound, "Experience view was not found")
}

func (m *memViews) FindExperienceViewByName(_ context.Context, appID, viewType, name string) (*weir.ExperienceView, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.Views {
		if v.ApplicationID == appID && v.ViewType == viewType && v.Name == name {
			return &v, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience view was not found")
}

func (m *memViews) FindExperienceViews(_ context.Context, f weir.ExperienceViewFilter) ([]*weir.ExperienceView, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.ExperienceView
	for _, v := range m.Views {
		if v.ApplicationID == f.ApplicationID && (f.ViewType == "" || v.ViewType == f.ViewType) {
			out = append(out, &v)
		}
	}
	return out, len(out), nil
}

func (m *memViews) CreateExperienceView(_ context.Context, v *weir.ExperienceView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v.ID, v.CreationDate, v.LastUpdated = weir.NewID(), m.now(), m.now()
	m.Views[v.ID] = *v
	return nil
}

func (m *memViews) UpdateExperienceView(_ context.Context, v *weir.ExperienceView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v.LastUpdated = m.now()
	m.Views[v.ID] = *v
	return nil
}

func (m *memViews) DeleteExperienceView(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.Views[id]; !ok || v.ApplicationID != appID {
		return weir.Errorf(weir.NotFound, "Experience view was not found")
	}
	delete(m.Views, id)
	return nil
}

func (m *memViews) FindApplicationFileByID(_ context.Context, appID, id string) (*weir.ApplicationFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.Files[id]; ok && f.ApplicationID == appID {
		return &f, nil
	}
	return nil, weir.Errorf(weir.NotFound, "File was not found")
}

func (m *memViews) FindApplicationFiles(_ context.Context, filter weir.ApplicationFileFilter) ([]*weir.ApplicationFile, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.ApplicationFile
	for _, f := range m.Files {
		if f.ApplicationID == filter.ApplicationID {
			out = append(out, &f)
		}
	}
	return out, len(out), nil
}

func (m *memViews) CreateApplicationFile(_ context.Context, f *weir.ApplicationFile) error {
	if err := f.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f.ID, f.Status, f.CreationDate, f.LastUpdated = weir.NewID(), weir.FilePending, m.now(), m.now()
	m.Files[f.ID] = *f
	return nil
}

func (m *memViews) SetApplicationFileContent(_ context.Context, appID, id, ct string, content []byte) (*weir.ApplicationFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.Files[id]
	if !ok || f.ApplicationID != appID {
		return nil, weir.Errorf(weir.NotFound, "File was not found")
	}
	f.Status, f.ContentType, f.FileSize = weir.FileCompleted, ct, int64(len(content))
	m.Files[id], m.Contents[id] = f, string(content)
	return &f, nil
}

func (m *memViews) ApplicationFileContent(_ context.Context, appID, p string) (*weir.ApplicationFile, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, f := range m.Files {
		if f.ApplicationID == appID && f.Path() == "/"+p && f.Status == weir.FileCompleted {
			return &f, []byte(m.Contents[id]), nil
		}
	}
	return nil, nil, weir.Errorf(weir.NotFound, "File was not found")
}

func (m *memViews) DeleteApplicationFile(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.Files[id]; !ok || f.ApplicationID != appID {
		return weir.Errorf(weir.NotFound, "File was not found")
	}
	delete(m.Files, id)
	delete(m.Contents, id)
	return nil
}

func (m *memViews) FindExperienceVersion(_ context.Context, appID string) (*weir.ExperienceVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.Versions[appID]; ok {
		return &v, nil
	}
	return &weir.ExperienceVersion{ApplicationID: appID, AllowedCorsOrigins: []string{}}, nil
}

func (m *memViews) UpdateExperienceVersion(_ context.Context, v *weir.ExperienceVersion) error {
	if err := v.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v.LastUpdated = m.now()
	if v.CreationDate.IsZero() {
		v.CreationDate = v.LastUpdated
	}
	m.Versions[v.ApplicationID] = *v
	return nil
}
