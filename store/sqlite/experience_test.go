package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestExperienceConformance(t *testing.T) {
	storetest.RunExperience(t, func(t *testing.T) storetest.ExperienceStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
