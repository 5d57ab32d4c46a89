package storetest

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// item is what the list tests need of an application, flow or token.
type item struct {
	ID, Name                  string
	CreationDate, LastUpdated time.Time
}

// collection adapts one store collection to the list tests: create adds an
// item named name, find lists with opts.
type collection struct {
	create func(t *testing.T, name string)
	find   func(t *testing.T, opts weir.ListOptions) ([]item, int, error)
}

// listNames are created in this order; sorted by name, case-insensitively,
// they are listSorted.
var (
	listNames  = []string{"delta", "Alpha Sensor", "gamma", "beta sensor", "100% done_x"}
	listSorted = []string{"100% done_x", "Alpha Sensor", "beta sensor", "delta", "gamma"}
)

// testList runs the paging, sorting and filtering tests against the
// collection that setup returns for a new store.
func testList(t *testing.T, open func(t *testing.T) Store, setup func(t *testing.T, s Store) collection) {
	mustList := func(t *testing.T) collection {
		t.Helper()
		c := setup(t, open(t))
		for _, name := range listNames {
			c.create(t, name)
		}
		return c
	}
	mustFind := func(t *testing.T, c collection, opts weir.ListOptions) ([]item, int) {
		t.Helper()
		items, n, err := c.find(t, opts)
		if err != nil {
			t.Fatalf("find(%+v): %v", opts, err)
		}
		return items, n
	}

	t.Run("ListPagesOK", func(t *testing.T) {
		c := mustList(t)
		for _, tc := range []struct {
			page int
			want []string
		}{
			{0, listSorted[0:2]},
			{1, listSorted[2:4]},
			{2, listSorted[4:5]},
			{3, nil},
		} {
			items, n := mustFind(t, c, weir.ListOptions{Page: tc.page, PerPage: 2, SortField: "name"})
			checkDiff(t, "page names", names(items), tc.want)
			if n != len(listNames) {
				t.Errorf("page %d: total = %d, want %d", tc.page, n, len(listNames))
			}
		}
		items, n := mustFind(t, c, weir.ListOptions{})
		if len(items) != len(listNames) || n != len(listNames) {
			t.Errorf("PerPage 0: %d items of %d, want all %d", len(items), n, len(listNames))
		}
	})

	t.Run("ListSortOK", func(t *testing.T) {
		c := mustList(t)
		all, _ := mustFind(t, c, weir.ListOptions{})
		ids := make([]string, 0, len(all))
		for _, it := range all {
			ids = append(ids, it.ID)
		}
		sort.Strings(ids)
		for _, tc := range []struct {
			field, dir string
			wantNames  []string
			wantIDs    []string
			key        func(item) time.Time
		}{
			{field: "", dir: "", wantNames: listSorted},
			{field: "name", dir: "asc", wantNames: listSorted},
			{field: "name", dir: "desc", wantNames: reversed(listSorted)},
			{field: "id", dir: "asc", wantIDs: ids},
			{field: "id", dir: "desc", wantIDs: reversed(ids)},
			{field: "creationDate", dir: "asc", key: func(it item) time.Time { return it.CreationDate }},
			{field: "creationDate", dir: "desc", key: func(it item) time.Time { return it.CreationDate }},
			{field: "lastUpdated", dir: "asc", key: func(it item) time.Time { return it.LastUpdated }},
			{field: "lastUpdated", dir: "desc", key: func(it item) time.Time { return it.LastUpdated }},
		} {
			items, n := mustFind(t, c, weir.ListOptions{SortField: tc.field, SortDirection: tc.dir})
			if n != len(listNames) || len(items) != len(listNames) {
				t.Fatalf("sort %s %s: %d items of %d, want %d", tc.field, tc.dir, len(items), n, len(listNames))
			}
			switch {
			case tc.wantNames != nil:
				checkDiff(t, "sort "+tc.field+" "+tc.dir, names(items), tc.wantNames)
			case tc.wantIDs != nil:
				var got []string
				for _, it := range items {
					got = append(got, it.ID)
				}
				checkDiff(t, "sort "+tc.field+" "+tc.dir, got, tc.wantIDs)
			default:
				for i := 1; i < len(items); i++ {
					a, b := tc.key(items[i-1]), tc.key(items[i])
					if tc.dir == "desc" {
						a, b = b, a
					}
					if a.After(b) {
						t.Fatalf("sort %s %s: item %d (%v) out of order after %v", tc.field, tc.dir, i, tc.key(items[i]), tc.key(items[i-1]))
					}
				}
			}
		}
	})

	t.Run("ListFilterOK", func(t *testing.T) {
		c := mustList(t)
		for _, tc := range []struct {
			filter string
			want   []string
		}{
			{"sensor", []string{"Alpha Sensor", "beta sensor"}},
			{"ALPHA*SENSOR", []string{"Alpha Sensor"}},
			{"a*a", []string{"Alpha Sensor", "gamma"}},
			{"%", []string{"100% done_x"}},
			{"_", []string{"100% done_x"}},
			{"zzz", nil},
		} {
			items, n := mustFind(t, c, weir.ListOptions{SortField: "name", FilterField: "name", Filter: tc.filter})
			checkDiff(t, "filter "+tc.filter, names(items), tc.want)
			if n != len(tc.want) {
				t.Errorf("filter %q: total = %d, want %d", tc.filter, n, len(tc.want))
			}
		}
		items, n := mustFind(t, c, weir.ListOptions{PerPage: 1, Page: 1, SortField: "name", FilterField: "name", Filter: "sensor"})
		checkDiff(t, "filtered page", names(items), []string{"beta sensor"})
		if n != 2 {
			t.Errorf("filtered page: total = %d, want 2", n)
		}
	})

	t.Run("ListErrUnknownSortField", func(t *testing.T) {
		c := mustList(t)
		_, _, err := c.find(t, weir.ListOptions{SortField: "bogus"})
		checkError(t, err, weir.Validation, "")
	})
}

func names(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Name)
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
