package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestExperienceConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunExperience(t, func(t *testing.T) storetest.ExperienceStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
