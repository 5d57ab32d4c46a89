package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestWebhookConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunWebhooks(t, func(t *testing.T) storetest.WebhookStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
