package weir

// ListOptions selects one page of a sorted, optionally filtered collection.
// Page is 0-based. Filter matches FilterField case-insensitively as a
// substring in which '*' matches any run of characters. PerPage 0 selects
// every item.
type ListOptions struct {
	Page          int
	PerPage       int
	SortField     string
	SortDirection string // "asc" or "desc"
	FilterField   string
	Filter        string
}
