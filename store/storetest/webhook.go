package storetest

import (
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// WebhookStore is a store that also keeps webhooks.
type WebhookStore interface {
	Store
	weir.WebhookService
}

// RunWebhooks runs the webhook suite. open must return a new, empty store
// for each call and close it in t.Cleanup.
//
// Besides WebhookService's documented contract, the suite pins down:
// generated tokens are URL-safe and distinct; tokens are found across
// applications; sortField is one of name, id, creationDate, lastUpdated;
// deleting an application deletes its webhooks.
func RunWebhooks(t *testing.T, open func(t *testing.T) WebhookStore) {
	t.Run("CreateFindOK", func(t *testing.T) { testWebhookCreateFind(t, open) })
	t.Run("Create", func(t *testing.T) { testWebhookCreateErrors(t, open) })
	t.Run("Find", func(t *testing.T) { testWebhookFind(t, open) })
	t.Run("List", func(t *testing.T) { testWebhookList(t, open) })
	t.Run("Update", func(t *testing.T) { testWebhookUpdate(t, open) })
	t.Run("Delete", func(t *testing.T) { testWebhookDelete(t, open) })
	t.Run("DeleteApplicationOK", func(t *testing.T) { testWebhookDeleteApplication(t, open) })
}

// webhookOf returns a valid webhook named name of the application.
func webhookOf(appID, name string) *weir.Webhook {
	return &weir.Webhook{
		ApplicationID:    appID,
		Name:             name,
		ResponseCode:     weir.DefaultWebhookResponseCode,
		VerificationType: weir.VerificationNone,
	}
}

func mustCreateWebhook(t *testing.T, s WebhookStore, w *weir.Webhook) *weir.Webhook {
	t.Helper()
	if err := s.CreateWebhook(t.Context(), w); err != nil {
		t.Fatalf("CreateWebhook(%q): %v", w.Name, err)
	}
	return w
}

func testWebhookCreateFind(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	w := &weir.Webhook{
		ApplicationID:     a.ID,
		Name:              "Callback – ünïcode",
		ResponseCode:      202,
		VerificationType:  weir.VerificationBasic,
		VerificationCode:  "code",
		BasicAuthUsername: "user",
		BasicAuthPassword: "pass",
		WaitForReply:      true,
	}
	mustCreateWebhook(t, s, w)
	if !weir.ValidID(w.ID) {
		t.Fatalf("ID = %q, want a 24-hex-digit id", w.ID)
	}
	if len(w.Token) < 16 || strings.Trim(w.Token, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-") != "" {
		t.Fatalf("Token = %q, want a long URL-safe token", w.Token)
	}
	checkTimeSet(t, "CreationDate", w.CreationDate)
	checkTimeSet(t, "LastUpdated", w.LastUpdated)

	got, err := s.FindWebhookByID(t.Context(), a.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "webhook by id", got, w)
	got, err = s.FindWebhookByToken(t.Context(), w.Token)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "webhook by token", got, w)

	other := mustCreateWebhook(t, s, webhookOf(a.ID, "other"))
	if other.Token == w.Token {
		t.Fatalf("two webhooks got the same token %q", w.Token)
	}

	t.Run("KeepsIDAndTokenOK", func(t *testing.T) {
		id := weir.NewID()
		k := webhookOf(a.ID, "kept")
		k.ID, k.Token = id, "my-Token_1"
		mustCreateWebhook(t, s, k)
		if k.ID != id || k.Token != "my-Token_1" {
			t.Fatalf("created id %q token %q, want %q and my-Token_1", k.ID, k.Token, id)
		}
		if _, err := s.FindWebhookByToken(t.Context(), "my-Token_1"); err != nil {
			t.Fatal(err)
		}
	})
}

func testWebhookCreateErrors(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	t.Run("ErrApplicationNotFound", func(t *testing.T) {
		err := s.CreateWebhook(t.Context(), webhookOf(weir.NewID(), "w"))
		checkError(t, err, weir.NotFound, "Application was not found")
	})
	t.Run("ErrDuplicateID", func(t *testing.T) {
		w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
		dup := webhookOf(a.ID, "dup")
		dup.ID = w.ID
		checkError(t, s.CreateWebhook(t.Context(), dup), weir.Validation, "")
	})
	t.Run("ErrTokenTaken", func(t *testing.T) {
		w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
		b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
		dup := webhookOf(b.ID, "dup")
		dup.Token = w.Token
		checkError(t, s.CreateWebhook(t.Context(), dup), weir.Validation, "")
	})
	invalid := []struct {
		name   string
		modify func(w *weir.Webhook)
	}{
		{"ErrNameEmpty", func(w *weir.Webhook) { w.Name = "" }},
		{"ErrNameLong", func(w *weir.Webhook) { w.Name = strings.Repeat("x", 256) }},
		{"ErrResponseCode", func(w *weir.Webhook) { w.ResponseCode = 0 }},
		{"ErrVerificationUnsupported", func(w *weir.Webhook) { w.VerificationType = "twilio" }},
		{"ErrBasicWithoutUsername", func(w *weir.Webhook) { w.VerificationType = weir.VerificationBasic }},
		{"ErrTokenNotURLSafe", func(w *weir.Webhook) { w.Token = "a/b" }},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			w := webhookOf(a.ID, "w")
			tc.modify(w)
			checkError(t, s.CreateWebhook(t.Context(), w), weir.Validation, "")
		})
	}
}

func testWebhookFind(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
	for _, tc := range []struct{ name, appID, id string }{
		{"UnknownID", a.ID, weir.NewID()},
		{"OtherApplication", b.ID, w.ID},
	} {
		t.Run("ErrNotFound"+tc.name, func(t *testing.T) {
			_, err := s.FindWebhookByID(t.Context(), tc.appID, tc.id)
			checkError(t, err, weir.NotFound, "Webhook was not found")
		})
	}
	for _, tok := range []string{"unknown", strings.ToUpper(w.Token) + "x", ""} {
		_, err := s.FindWebhookByToken(t.Context(), tok)
		checkError(t, err, weir.NotFound, "Webhook was not found")
	}
}

func testWebhookList(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	for _, name := range []string{"charlie", "Alpha", "bravo"} {
		mustCreateWebhook(t, s, webhookOf(a.ID, name))
	}
	mustCreateWebhook(t, s, webhookOf(b.ID, "elsewhere"))
	names := func(ws []*weir.Webhook) []string {
		out := make([]string, len(ws))
		for i, w := range ws {
			out[i] = w.Name
		}
		return out
	}
	tests := []struct {
		name      string
		opts      weir.ListOptions
		want      []string
		wantTotal int
	}{
		{"AllByName", weir.ListOptions{}, []string{"Alpha", "bravo", "charlie"}, 3},
		{"Desc", weir.ListOptions{SortDirection: "desc"}, []string{"charlie", "bravo", "Alpha"}, 3},
		{"Page", weir.ListOptions{PerPage: 2, Page: 1}, []string{"charlie"}, 3},
		{"Filter", weir.ListOptions{FilterField: "name", Filter: "A*H"}, []string{"Alpha"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name+"OK", func(t *testing.T) {
			ws, n, err := s.FindWebhooks(t.Context(), weir.WebhookFilter{ApplicationID: a.ID, ListOptions: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			checkDiff(t, "names", names(ws), tc.want)
			if n != tc.wantTotal {
				t.Fatalf("total = %d, want %d", n, tc.wantTotal)
			}
		})
	}
	t.Run("MissingApplicationOK", func(t *testing.T) {
		ws, n, err := s.FindWebhooks(t.Context(), weir.WebhookFilter{ApplicationID: weir.NewID()})
		if err != nil || len(ws) != 0 || n != 0 {
			t.Fatalf("FindWebhooks of a missing application = %d items, %d, %v; want none", len(ws), n, err)
		}
	})
	t.Run("ErrSortField", func(t *testing.T) {
		_, _, err := s.FindWebhooks(t.Context(), weir.WebhookFilter{ApplicationID: a.ID, ListOptions: weir.ListOptions{SortField: "token"}})
		checkError(t, err, weir.Validation, "")
	})
}

func testWebhookUpdate(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
	t.Run("OK", func(t *testing.T) {
		upd := *w
		upd.Name, upd.ResponseCode, upd.WaitForReply = "renamed", 204, true
		upd.VerificationType, upd.BasicAuthUsername, upd.BasicAuthPassword = weir.VerificationBasic, "u", "p"
		upd.Token, upd.CreationDate = "ignored", upd.CreationDate.AddDate(-1, 0, 0)
		if err := s.UpdateWebhook(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		if upd.Token != w.Token || !upd.CreationDate.Equal(w.CreationDate) {
			t.Fatalf("updated token %q created %v, want the stored %q, %v", upd.Token, upd.CreationDate, w.Token, w.CreationDate)
		}
		checkTimeSet(t, "LastUpdated", upd.LastUpdated)
		got, err := s.FindWebhookByID(t.Context(), a.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "updated webhook", got, &upd)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
		for _, m := range []*weir.Webhook{webhookOf(a.ID, "x"), webhookOf(b.ID, "x")} {
			m.ID = w.ID
			if m.ApplicationID == a.ID {
				m.ID = weir.NewID()
			}
			checkError(t, s.UpdateWebhook(t.Context(), m), weir.NotFound, "Webhook was not found")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := *w
		bad.Name = ""
		checkError(t, s.UpdateWebhook(t.Context(), &bad), weir.Validation, "")
	})
}

func testWebhookDelete(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
	keep := mustCreateWebhook(t, s, webhookOf(a.ID, "keep"))
	checkError(t, s.DeleteWebhook(t.Context(), b.ID, w.ID), weir.NotFound, "Webhook was not found")
	if err := s.DeleteWebhook(t.Context(), a.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.FindWebhookByToken(t.Context(), w.Token)
	checkError(t, err, weir.NotFound, "Webhook was not found")
	checkError(t, s.DeleteWebhook(t.Context(), a.ID, w.ID), weir.NotFound, "Webhook was not found")
	if _, err := s.FindWebhookByID(t.Context(), a.ID, keep.ID); err != nil {
		t.Fatalf("the other webhook: %v", err)
	}
}

func testWebhookDeleteApplication(t *testing.T, open func(t *testing.T) WebhookStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	w := mustCreateWebhook(t, s, webhookOf(a.ID, "w"))
	other := mustCreateWebhook(t, s, webhookOf(b.ID, "other"))
	if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.FindWebhookByToken(t.Context(), w.Token)
	checkError(t, err, weir.NotFound, "Webhook was not found")
	if _, n, err := s.FindWebhooks(t.Context(), weir.WebhookFilter{ApplicationID: a.ID}); err != nil || n != 0 {
		t.Fatalf("FindWebhooks after deleting the application = %d, %v; want 0", n, err)
	}
	if _, err := s.FindWebhookByToken(t.Context(), other.Token); err != nil {
		t.Fatalf("the other application's webhook: %v", err)
	}
}
