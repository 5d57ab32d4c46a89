package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// testDeviceHierarchy pins down parentId: the parent must be a device of
// the same application and not the device or one below it; ancestors run
// from the top down to the parent and follow every move; deleting a device
// moves its children up to its parent.
func testDeviceHierarchy(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	site := mustCreateDevice(t, s, &weir.Device{ApplicationID: a.ID, Name: "site", DeviceClass: weir.DeviceSystem})
	line := &weir.Device{ApplicationID: a.ID, Name: "line", DeviceClass: weir.DeviceSystem, ParentID: site.ID}
	mustCreateDevice(t, s, line)
	pump := deviceOf(a.ID, "pump")
	pump.ParentID = line.ID
	mustCreateDevice(t, s, pump)
	checkDiff(t, "ancestors of a new device", pump.AncestorIDs, []string{site.ID, line.ID})
	ancestors := func(d *weir.Device) []string {
		t.Helper()
		got, err := s.FindDeviceByID(ctx, a.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.AncestorIDs
	}
	parent := func(d *weir.Device) string {
		t.Helper()
		got, err := s.FindDeviceByID(ctx, a.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.ParentID
	}
	checkDiff(t, "stored ancestors", ancestors(pump), []string{site.ID, line.ID})
	if ancestors(site) != nil || parent(site) != "" {
		t.Fatalf("a top device has ancestors %v, parent %q", ancestors(site), parent(site))
	}

	// A parent of another application, an unknown one, the device itself or
	// one below it is refused, and nothing changes.
	stranger := mustCreateDevice(t, s, deviceOf(other.ID, "stranger"))
	bad := deviceOf(a.ID, "bad")
	bad.ParentID = stranger.ID
	checkError(t, s.CreateDevice(ctx, bad), weir.Validation, "parentId "+stranger.ID+" is not a device of this application")
	bad.ParentID = "5a1b2c3d4e5f60718293a4b5"
	checkError(t, s.CreateDevice(ctx, bad), weir.Validation, "")
	moved := *site
	moved.ParentID = pump.ID
	checkError(t, s.UpdateDevice(ctx, &moved), weir.Validation, "parentId "+pump.ID+" is below the device itself")
	moved.ParentID = site.ID
	checkError(t, s.UpdateDevice(ctx, &moved), weir.Validation, "")
	if parent(site) != "" || ancestors(site) != nil {
		t.Fatal("a refused update changed the device")
	}
	if _, n, err := s.FindDevices(ctx, weir.DeviceFilter{ApplicationID: a.ID}); err != nil || n != 3 {
		t.Fatalf("devices after refused creations = %d, %v; want 3", n, err)
	}

	// FindDevices by parent: the direct children only.
	ds, n, err := s.FindDevices(ctx, weir.DeviceFilter{ApplicationID: a.ID, ParentID: site.ID})
	if err != nil || n != 1 || ds[0].ID != line.ID {
		t.Fatalf("children of site = %v, %d, %v; want line", ds, n, err)
	}
	q, err := weir.ParseDeviceQuery(map[string]any{"ancestorId": site.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.FindDevices(ctx, weir.DeviceFilter{ApplicationID: a.ID, Query: q}); err != nil || n != 2 {
		t.Fatalf("devices below site = %d, %v; want line and pump", n, err)
	}

	// Moving line to the top carries pump along; moving it under a new
	// system device too.
	line.ParentID = ""
	if err := s.UpdateDevice(ctx, line); err != nil {
		t.Fatalf("UpdateDevice(no parent): %v", err)
	}
	if line.AncestorIDs != nil {
		t.Fatalf("ancestors of a device moved to the top = %v", line.AncestorIDs)
	}
	checkDiff(t, "ancestors of pump after line moved up", ancestors(pump), []string{line.ID})
	plant := mustCreateDevice(t, s, &weir.Device{ApplicationID: a.ID, Name: "plant", DeviceClass: weir.DeviceSystem, ParentID: site.ID})
	line.ParentID = plant.ID
	if err := s.UpdateDevice(ctx, line); err != nil {
		t.Fatalf("UpdateDevice(plant): %v", err)
	}
	checkDiff(t, "ancestors of line", line.AncestorIDs, []string{site.ID, plant.ID})
	checkDiff(t, "ancestors of pump after line moved down", ancestors(pump), []string{site.ID, plant.ID, line.ID})

	// Deleting plant moves line up to site; pump stays under line.
	if err := s.DeleteDevice(ctx, a.ID, plant.ID); err != nil {
		t.Fatal(err)
	}
	if parent(line) != site.ID {
		t.Fatalf("parent of line after its parent was deleted = %q, want site", parent(line))
	}
	checkDiff(t, "ancestors of line after plant went", ancestors(line), []string{site.ID})
	checkDiff(t, "ancestors of pump after plant went", ancestors(pump), []string{site.ID, line.ID})
	if err := s.DeleteDevice(ctx, a.ID, site.ID); err != nil {
		t.Fatal(err)
	}
	if parent(line) != "" || ancestors(line) != nil {
		t.Fatalf("line after the top was deleted: parent %q, ancestors %v", parent(line), ancestors(line))
	}
	checkDiff(t, "ancestors of pump after site went", ancestors(pump), []string{line.ID})
}

// testDeviceHierarchyConcurrent moves two devices below each other at the
// same moment, many times: one move wins, the other is refused as a loop,
// and no other error occurs.
func testDeviceHierarchyConcurrent(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	for i := range 20 {
		x := mustCreateDevice(t, s, &weir.Device{ApplicationID: a.ID, Name: fmt.Sprint("x", i), DeviceClass: weir.DeviceSystem})
		y := mustCreateDevice(t, s, &weir.Device{ApplicationID: a.ID, Name: fmt.Sprint("y", i), DeviceClass: weir.DeviceSystem})
		moves := []weir.Device{*x, *y}
		moves[0].ParentID, moves[1].ParentID = y.ID, x.ID
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for j := range moves {
			wg.Go(func() { errs[j] = s.UpdateDevice(ctx, &moves[j]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && weir.ErrorTypeOf(err) != weir.Validation {
				t.Fatalf("round %d: a move failed with %v, want success or Validation", i, err)
			}
		}
		if errs[0] == nil && errs[1] == nil {
			t.Fatalf("round %d: x moved below y and y below x", i)
		}
	}
}
