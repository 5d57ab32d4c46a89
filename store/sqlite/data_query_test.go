package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/storetest"
)

func TestDataQueryConformance(t *testing.T) {
	storetest.RunDataQueries(t, func(t *testing.T) storetest.DataStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

// TestDataQueryScanBound checks the bound on the reports one query reads,
// lowered to 5: a query reading more is Validation, across its devices.
func TestDataQueryScanBound(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	db.Store.MaxDataScan = 5
	ctx := t.Context()
	app := &weir.Application{Name: "app"}
	if err := db.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var ids []string
	for _, name := range []string{"a", "b"} {
		d := &weir.Device{ApplicationID: app.ID, Name: name, DeviceClass: weir.DeviceStandalone,
			Attributes: []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}}}
		if err := db.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
		for i := range 3 {
			if _, _, err := db.AddDeviceStates(ctx, app.ID, d.ID, []weir.DeviceState{{Time: now.Add(-time.Duration(i) * time.Minute),
				Data: map[string]any{"temp": 1.0}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	query := func(ids ...string) error {
		q := &weir.TimeSeriesQuery{ApplicationID: app.ID, Devices: weir.DeviceSelection{IDs: ids}}
		if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{}, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := db.QueryTimeSeries(ctx, q)
		return err
	}
	if err := query(ids[0]); err != nil {
		t.Fatalf("3 reports: %v", err)
	}
	err := query(ids...)
	if weir.ErrorTypeOf(err) != weir.Validation || weir.ErrorMessage(err) != "the query reads more than 5 state reports; shorten the time range or select fewer devices" {
		t.Fatalf("6 reports: %v, want the scan bound's Validation", err)
	}
}
