package engine

import "github.com/weirhq/weir"

// Tables is what the data table nodes reach: the application's data tables
// and the dataTable triggers their row changes fire. Events may be nil.
type Tables struct {
	Tables weir.DataTableService
	Events weir.DataTableEventHandler // dataTable triggers; nil: none fire
}
