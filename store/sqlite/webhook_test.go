package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestWebhookConformance(t *testing.T) {
	storetest.RunWebhooks(t, func(t *testing.T) storetest.WebhookStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
