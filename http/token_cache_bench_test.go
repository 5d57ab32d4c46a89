package http_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// BenchmarkAuthenticatedGet answers GET /applications/{id} with a user
// token over SQLite, reading the token record from the store on every
// request ("store") or through a TokenCache ("cache").
func BenchmarkAuthenticatedGet(b *testing.B) {
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	signer := &auth.Signer{Key: []byte("bench key bench key bench key 12")}
	rec := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: weir.NewID(), Scope: []string{"all.User"}, Status: weir.TokenActive, Name: "b"}
	tok, err := signer.Sign(rec)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateToken(b.Context(), rec); err != nil {
		b.Fatal(err)
	}
	app := &weir.Application{ID: weir.NewID(), Name: "a", OwnerID: rec.OwnerID, OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(b.Context(), app); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		tokens weir.TokenService
	}{{"store", db}, {"cache", &weirhttp.TokenCache{Tokens: db}}} {
		b.Run(bc.name, func(b *testing.B) {
			s := weirhttp.NewServer()
			s.Applications, s.Flows, s.Tokens, s.Signer = db, db, bc.tokens, signer
			h := s.Handler()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/applications/"+app.ID, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET = %d %s", w.Code, w.Body)
				}
			}
		})
	}
}
