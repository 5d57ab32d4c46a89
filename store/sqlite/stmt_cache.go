package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/weirhq/weir/store/sqlstore"
)

// cachingDriverName is the SQLite driver whose connections keep each query
// they run prepared: parsing and planning a statement costs more than
// running most of weir's reads. The read pool uses it.
const cachingDriverName = "sqlite-prepared"

// maxCachedStmts bounds the statements one connection keeps prepared;
// queries past it are prepared for each use.
const maxCachedStmts = 256

func init() {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	sql.Register(cachingDriverName, cachingDriver{db.Driver()})
	db.Close()
}

// cachingDriver opens connections that cache prepared queries.
type cachingDriver struct{ base driver.Driver }

// Open opens a connection of the base driver and wraps it.
func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	for _, ok := range []bool{implements[driver.ConnBeginTx](c), implements[driver.ConnPrepareContext](c),
		implements[driver.QueryerContext](c), implements[driver.ExecerContext](c)} {
		if !ok {
			c.Close()
			return nil, errors.New("sqlite: driver connection lacks a context method")
		}
	}
	return &cachingConn{Conn: c, stmts: map[string]*cachedStmt{}}, nil
}

func implements[T any](v any) bool { _, ok := v.(T); return ok }

// cachingConn is a connection that runs queries on statements it keeps.
// database/sql uses a connection from one goroutine at a time, rows
// included, so it needs no lock.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

// cachedStmt is a kept statement; busy while its rows are open.
type cachedStmt struct {
	stmt driver.Stmt
	busy bool
}

// QueryContext runs query on its kept statement, preparing it on first use.
// While that statement's rows are still open (a query nested in the loop
// over another's rows), it runs uncached.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.stmts[query]
	if cs == nil && len(c.stmts) < maxCachedStmts && !strings.HasPrefix(query, sqlstore.Uncached) {
		s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		cs = &cachedStmt{stmt: s}
		c.stmts[query] = cs
	}
	if cs == nil || cs.busy {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// ExecContext runs query directly.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

// PrepareContext prepares query directly.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// BeginTx begins a transaction on the base connection.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// ResetSession passes on to the base connection when it can reset.
func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid asks the base connection when it can tell.
func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalizes the kept statements and closes the connection.
func (c *cachingConn) Close() error {
	for _, cs := range c.stmts {
		cs.stmt.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

// cachedRows are rows of a kept statement; closing them frees it.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

// Close closes the rows, which resets the statement for its next use.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}

// Interface guards.
var (
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)
