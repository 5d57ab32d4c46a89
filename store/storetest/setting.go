package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// SettingStore is a store that also keeps the instance's settings.
type SettingStore interface {
	Store
	weir.SettingService
}

// RunSettings runs the settings suite. open must return a new, empty store
// for each call and close it in t.Cleanup.
func RunSettings(t *testing.T, open func(t *testing.T) SettingStore) {
	t.Run("FirstValueStaysOK", func(t *testing.T) {
		s := open(t)
		for _, value := range []string{"first", "second"} {
			got, err := s.LoadOrStoreSetting(t.Context(), weir.SettingSigningKey, []byte(value))
			if err != nil || string(got) != "first" {
				t.Fatalf("LoadOrStoreSetting(%q) = %q, %v; want \"first\"", value, got, err)
			}
		}
		got, err := s.LoadOrStoreSetting(t.Context(), weir.SettingOwnerID, []byte("owner"))
		if err != nil || string(got) != "owner" {
			t.Fatalf("LoadOrStoreSetting of another setting = %q, %v; want \"owner\"", got, err)
		}
	})

	t.Run("ConcurrentCallersAgreeOK", func(t *testing.T) {
		s := open(t)
		const n = 16
		got := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = s.LoadOrStoreSetting(t.Context(), "race", []byte(fmt.Sprint("value", i)))
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
				t.Fatalf("caller %d got %q, %v; caller 0 got %q", i, got[i], errs[i], got[0])
			}
		}
	})

	t.Run("BinaryValueOK", func(t *testing.T) {
		s := open(t)
		value := []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}
		got, err := s.LoadOrStoreSetting(t.Context(), "binary", value)
		if err != nil || !bytes.Equal(got, value) {
			t.Fatalf("LoadOrStoreSetting(%v) = %v, %v", value, got, err)
		}
	})

	t.Run("ErrEmpty", func(t *testing.T) {
		s := open(t)
		_, err := s.LoadOrStoreSetting(t.Context(), "", []byte("v"))
		checkError(t, err, weir.Validation, "")
		_, err = s.LoadOrStoreSetting(t.Context(), "name", nil)
		checkError(t, err, weir.Validation, "")
	})
}
