package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testTokens(t *testing.T, open func(t *testing.T) Store) {
	t.Run("CreateFindOK", func(t *testing.T) {
		s := open(t)
		expires := ms(time.Now().Add(24 * time.Hour))
		tok := &weir.Token{
			OwnerID:        weir.NewID(),
			OwnerType:      weir.OwnerApplication,
			Name:           "device token",
			Description:    "for the gateway",
			Scope:          []string{"all.Application", "flows.press"},
			Status:         weir.TokenActive,
			ExpirationDate: &expires,
			CreatorID:      weir.NewID(),
			CreatorType:    weir.OwnerUser,
			CreatorName:    "Ada",
		}
		if err := s.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		if !weir.ValidID(tok.ID) {
			t.Fatalf("ID = %q, want a 24-hex-digit id", tok.ID)
		}
		checkTimeSet(t, "CreationDate", tok.CreationDate)
		checkTimeSet(t, "LastUpdated", tok.LastUpdated)
		got, err := s.FindTokenByID(t.Context(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "token", got, tok)
	})

	t.Run("CreateNoExpirationOK", func(t *testing.T) {
		s := open(t)
		tok := mustCreateToken(t, s, &weir.Token{Name: "t", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser})
		got, err := s.FindTokenByID(t.Context(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ExpirationDate != nil {
			t.Fatalf("ExpirationDate = %v, want nil", got.ExpirationDate)
		}
	})

	t.Run("FindNotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindTokenByID(t.Context(), weir.NewID())
		checkError(t, err, weir.NotFound, "API token was not found")
	})

	t.Run("UpdateOK", func(t *testing.T) {
		s := open(t)
		tok := mustCreateToken(t, s, &weir.Token{Name: "t", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser,
			Scope: []string{"all.User"}})
		upd := *tok
		upd.Name, upd.Status, upd.Scope = "renamed", weir.TokenInactive, []string{"flows.get"}
		expires := ms(time.Now().Add(time.Hour))
		upd.ExpirationDate = &expires
		if err := s.UpdateToken(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		if !upd.CreationDate.Equal(tok.CreationDate) || upd.LastUpdated.Before(tok.LastUpdated) {
			t.Fatalf("dates after update = %v, %v; want creation %v and lastUpdated >= %v",
				upd.CreationDate, upd.LastUpdated, tok.CreationDate, tok.LastUpdated)
		}
		got, err := s.FindTokenByID(t.Context(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "token", got, &upd)
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		s := open(t)
		err := s.UpdateToken(t.Context(), &weir.Token{ID: weir.NewID(), Name: "t"})
		checkError(t, err, weir.NotFound, "API token was not found")
	})

	t.Run("DeleteOK", func(t *testing.T) {
		s := open(t)
		tok := mustCreateToken(t, s, &weir.Token{Name: "t", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser})
		if err := s.DeleteToken(t.Context(), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindTokenByID(t.Context(), tok.ID)
		checkError(t, err, weir.NotFound, "API token was not found")
	})

	t.Run("DeleteNotFound", func(t *testing.T) {
		s := open(t)
		checkError(t, s.DeleteToken(t.Context(), weir.NewID()), weir.NotFound, "API token was not found")
	})

	t.Run("OwnerFilterOK", func(t *testing.T) {
		s := open(t)
		id1, id2 := weir.NewID(), weir.NewID()
		mustCreateToken(t, s, &weir.Token{Name: "u1", OwnerID: id1, OwnerType: weir.OwnerUser})
		mustCreateToken(t, s, &weir.Token{Name: "a1", OwnerID: id1, OwnerType: weir.OwnerApplication})
		mustCreateToken(t, s, &weir.Token{Name: "a1b", OwnerID: id1, OwnerType: weir.OwnerApplication})
		mustCreateToken(t, s, &weir.Token{Name: "a2", OwnerID: id2, OwnerType: weir.OwnerApplication})
		for _, tc := range []struct {
			id, typ string
			want    []string
		}{
			{id1, weir.OwnerApplication, []string{"a1", "a1b"}},
			{id1, weir.OwnerUser, []string{"u1"}},
			{id2, weir.OwnerApplication, []string{"a2"}},
			{id2, weir.OwnerUser, nil},
		} {
			ts, n, err := s.FindTokens(t.Context(), weir.TokenFilter{OwnerID: tc.id, OwnerType: tc.typ,
				ListOptions: weir.ListOptions{SortField: "name"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tok := range ts {
				got = append(got, tok.Name)
			}
			checkDiff(t, "tokens of "+tc.typ+" "+tc.id, got, tc.want)
			if n != len(tc.want) {
				t.Errorf("%s %s: total = %d, want %d", tc.typ, tc.id, n, len(tc.want))
			}
		}
	})

	testList(t, open, func(t *testing.T, s Store) collection {
		owner := weir.NewID()
		mustCreateToken(t, s, &weir.Token{Name: "delta", OwnerID: weir.NewID(), OwnerType: weir.OwnerApplication})
		return collection{
			create: func(t *testing.T, name string) {
				mustCreateToken(t, s, &weir.Token{Name: name, OwnerID: owner, OwnerType: weir.OwnerApplication})
			},
			find: func(t *testing.T, opts weir.ListOptions) ([]item, int, error) {
				ts, n, err := s.FindTokens(t.Context(), weir.TokenFilter{OwnerID: owner, OwnerType: weir.OwnerApplication, ListOptions: opts})
				var items []item
				for _, tok := range ts {
					items = append(items, item{tok.ID, tok.Name, tok.CreationDate, tok.LastUpdated})
				}
				return items, n, err
			},
		}
	})
}
