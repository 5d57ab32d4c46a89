package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testApplications(t *testing.T, open func(t *testing.T) Store) {
	t.Run("CreateFindOK", func(t *testing.T) {
		s := open(t)
		a := &weir.Application{
			Name:        "Greenhouse",
			Description: "Sensors – ünïcode",
			OwnerID:     "5a1b2c3d4e5f60718293a4b5",
			OwnerType:   "organization",
			Globals: []weir.Global{
				{Key: "threshold", JSON: `{"max": 5}`, Description: "upper bound", CloudOnly: true},
				{Key: "name", JSON: `"x"`},
			},
			EndpointSlug: "green-house-1",
			BlobURLTTL:   86400.5,
		}
		if err := s.CreateApplication(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		if !weir.ValidID(a.ID) {
			t.Fatalf("ID = %q, want a 24-hex-digit id", a.ID)
		}
		checkTimeSet(t, "CreationDate", a.CreationDate)
		checkTimeSet(t, "LastUpdated", a.LastUpdated)
		got, err := s.FindApplicationByID(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "application", got, a)
	})

	t.Run("CreateKeepsIDOK", func(t *testing.T) {
		s := open(t)
		id := weir.NewID()
		a := mustCreateApplication(t, s, &weir.Application{ID: id, Name: "a"})
		if a.ID != id {
			t.Fatalf("ID = %q, want %q", a.ID, id)
		}
		if _, err := s.FindApplicationByID(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("CreateErrDuplicateID", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		err := s.CreateApplication(t.Context(), &weir.Application{ID: a.ID, Name: "b", OwnerID: a.OwnerID, OwnerType: a.OwnerType})
		checkError(t, err, weir.Validation, "")
	})

	t.Run("FindNotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindApplicationByID(t.Context(), weir.NewID())
		checkError(t, err, weir.NotFound, "Application was not found")
	})

	t.Run("UpdateOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a", Globals: []weir.Global{{Key: "k", JSON: "1"}}})
		created := a.CreationDate
		upd := *a
		upd.Name, upd.Description = "renamed", "now described"
		upd.Globals = []weir.Global{{Key: "k2", JSON: `[1, 2]`}}
		if err := s.UpdateApplication(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		checkTimeSet(t, "LastUpdated", upd.LastUpdated)
		if upd.LastUpdated.Before(a.LastUpdated) || !upd.CreationDate.Equal(created) {
			t.Fatalf("dates after update = %v, %v; want creation %v and lastUpdated >= %v",
				upd.CreationDate, upd.LastUpdated, created, a.LastUpdated)
		}
		got, err := s.FindApplicationByID(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "application", got, &upd)
	})

	t.Run("SlugOK", func(t *testing.T) {
		s := open(t)
		// Any number of applications have no slug.
		mustCreateApplication(t, s, &weir.Application{Name: "none 1"})
		mustCreateApplication(t, s, &weir.Application{Name: "none 2"})
		a := mustCreateApplication(t, s, &weir.Application{Name: "a", EndpointSlug: "my-app", BlobURLTTL: 3600})
		got, err := s.FindApplicationBySlug(t.Context(), "my-app")
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "application by slug", got, a)
		for _, slug := range []string{"", "other", "MY-APP"} {
			_, err = s.FindApplicationBySlug(t.Context(), slug)
			checkError(t, err, weir.NotFound, "Application was not found")
		}

		// A new slug frees the old one; so does deleting the application.
		upd := *a
		upd.EndpointSlug = "renamed"
		if err := s.UpdateApplication(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		_, err = s.FindApplicationBySlug(t.Context(), "my-app")
		checkError(t, err, weir.NotFound, "Application was not found")
		b := mustCreateApplication(t, s, &weir.Application{Name: "b", EndpointSlug: "my-app"})
		if err := s.DeleteApplication(t.Context(), b.ID); err != nil {
			t.Fatal(err)
		}
		mustCreateApplication(t, s, &weir.Application{Name: "c", EndpointSlug: "my-app"})
		// Clearing the slug keeps the application.
		upd.EndpointSlug, upd.BlobURLTTL = "", 0
		if err := s.UpdateApplication(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		got, err = s.FindApplicationByID(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "application without a slug", got, &upd)
	})

	t.Run("SlugErrTaken", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a", EndpointSlug: "taken"})
		b := mustCreateApplication(t, s, &weir.Application{Name: "b", EndpointSlug: "free"})
		err := s.CreateApplication(t.Context(), &weir.Application{Name: "c", EndpointSlug: "taken", OwnerID: a.OwnerID, OwnerType: a.OwnerType})
		checkError(t, err, weir.Validation, "Endpoint slug taken is already in use")
		upd := *b
		upd.Name, upd.EndpointSlug = "b renamed", "taken"
		err = s.UpdateApplication(t.Context(), &upd)
		checkError(t, err, weir.Validation, "Endpoint slug taken is already in use")
		// Neither refusal changed anything.
		as, n, err := s.FindApplications(t.Context(), "", weir.ListOptions{SortField: "name"})
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("%d applications after the refused create, want 2", n)
		}
		checkDiff(t, "applications", as, []*weir.Application{a, b})
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		s := open(t)
		err := s.UpdateApplication(t.Context(), &weir.Application{ID: weir.NewID(), Name: "a"})
		checkError(t, err, weir.NotFound, "Application was not found")
	})

	t.Run("DeleteOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindApplicationByID(t.Context(), a.ID)
		checkError(t, err, weir.NotFound, "Application was not found")
	})

	t.Run("DeleteNotFound", func(t *testing.T) {
		s := open(t)
		err := s.DeleteApplication(t.Context(), weir.NewID())
		checkError(t, err, weir.NotFound, "Application was not found")
	})

	t.Run("DeleteCascadesOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "doomed"})
		f := mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: "f"})
		other := mustAppFlow(t, s)
		for _, fl := range []*weir.Flow{f, other} {
			if err := s.SetStorageEntry(t.Context(), fl.ID, "k", []byte(`1`)); err != nil {
				t.Fatal(err)
			}
			mustLog(t, s, fl, &weir.LogEntry{Time: ms(time.Now()), RunCount: 1})
		}
		mustEnqueue(t, s, f, `{"doomed":true}`)
		kept := mustEnqueue(t, s, other, `{"doomed":false}`)
		appToken := mustCreateToken(t, s, &weir.Token{Name: "app", OwnerID: a.ID, OwnerType: weir.OwnerApplication})
		userToken := mustCreateToken(t, s, &weir.Token{Name: "user", OwnerID: a.ID, OwnerType: weir.OwnerUser})

		if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindFlowByID(t.Context(), a.ID, f.ID)
		checkError(t, err, weir.NotFound, "Flow was not found")
		checkStorageLen(t, s, f.ID, 0)
		checkStorageLen(t, s, other.ID, 1)
		checkLogLen(t, s, f.ID, 0)
		checkLogLen(t, s, other.ID, 1)
		_, err = s.FindTokenByID(t.Context(), appToken.ID)
		checkError(t, err, weir.NotFound, "API token was not found")
		if _, err := s.FindTokenByID(t.Context(), userToken.ID); err != nil {
			t.Fatalf("token of a user with the application's id: %v", err)
		}
		runs := claimAll(t, s, 1)
		if runs[kept.ID] == nil {
			t.Fatalf("claimed %v, want only the other application's run %s", runs, kept.ID)
		}
		checkQueueEmpty(t, s)
	})

	t.Run("OwnerFilterOK", func(t *testing.T) {
		s := open(t)
		owner1, owner2 := weir.NewID(), weir.NewID()
		mustCreateApplication(t, s, &weir.Application{Name: "a1", OwnerID: owner1, OwnerType: weir.OwnerUser})
		mustCreateApplication(t, s, &weir.Application{Name: "a2", OwnerID: owner1, OwnerType: weir.OwnerUser})
		mustCreateApplication(t, s, &weir.Application{Name: "b1", OwnerID: owner2, OwnerType: "organization"})
		for _, tc := range []struct {
			owner string
			want  []string
		}{
			{owner1, []string{"a1", "a2"}},
			{owner2, []string{"b1"}},
			{weir.NewID(), nil},
			{"", []string{"a1", "a2", "b1"}},
		} {
			as, n, err := s.FindApplications(t.Context(), tc.owner, weir.ListOptions{SortField: "name"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range as {
				got = append(got, a.Name)
			}
			checkDiff(t, "applications of "+tc.owner, got, tc.want)
			if n != len(tc.want) {
				t.Errorf("owner %q: total = %d, want %d", tc.owner, n, len(tc.want))
			}
		}
	})

	testList(t, open, func(t *testing.T, s Store) collection {
		owner := weir.NewID()
		return collection{
			create: func(t *testing.T, name string) {
				mustCreateApplication(t, s, &weir.Application{Name: name, OwnerID: owner, OwnerType: weir.OwnerUser})
			},
			find: func(t *testing.T, opts weir.ListOptions) ([]item, int, error) {
				as, n, err := s.FindApplications(t.Context(), owner, opts)
				var items []item
				for _, a := range as {
					items = append(items, item{a.ID, a.Name, a.CreationDate, a.LastUpdated})
				}
				return items, n, err
			},
		}
	})
}
