// Package store is the read model of dossiers in PostgreSQL: the projection
// the dossier workflow writes, the queries the API reads (one dossier, its
// history, lists, the inbox), submission ids and idempotency keys, decision
// and proposal numbers, and uploaded documents. Migrations are embedded.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // the "postgres" driver

	"tdkt/domain"
)

var (
	// ErrNotFound is a dossier or document that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrTooLarge is an upload longer than the limit; nothing was stored.
	ErrTooLarge = errors.New("document too large")
	// ErrIdempotencyMismatch is an Idempotency-Key a unit already used for a
	// different request.
	ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")
	// ErrBadCursor is a list cursor this store did not hand out.
	ErrBadCursor = errors.New("bad cursor")
	// ErrTooManyDocuments is a document beyond a dossier's limit; nothing
	// was stored.
	ErrTooManyDocuments = errors.New("the dossier holds the most documents allowed")
	// ErrBusy is a caller that got no database connection within ConnWait:
	// every connection was in use. It wraps context.DeadlineExceeded, so
	// that callers treat it as "unavailable, retry" (503 with Retry-After).
	ErrBusy = errors.New("no database connection came free")
)

// The connection pool.
const (
	// MaxConns is the most connections a process opens to PostgreSQL.
	MaxConns = 20
	// ConnWait is the longest a caller waits for a connection: a free one,
	// or a new one while fewer than MaxConns are open.
	ConnWait        = 3 * time.Second
	maxIdleConns    = 10
	connMaxLifetime = 30 * time.Minute
	connMaxIdleTime = 5 * time.Minute
)

// Store is the read model.
type Store struct {
	DB *sqlx.DB
	// search is a sample of the search texts, for planning text searches.
	search searchSample
	// calendar measures stays in stages for reports (SetCalendar); the
	// shipped calendar when nil.
	calendar *domain.Calendar
}

// Open connects to PostgreSQL at url and checks that it answers. Its pool
// opens at most MaxConns connections, and a caller waits at most ConnWait
// for one (ErrBusy), however long its own context would let it.
func Open(ctx context.Context, url string) (*Store, error) {
	base, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	base.Dialer(bufferedDialer{})
	// database/sql's own pool waits for a free connection as long as the
	// caller's context lets it, with no bound of its own: it keeps no idle
	// connection and no limit, and asks pool for each one it needs, which
	// holds the idle connections and bounds the wait.
	db := sql.OpenDB(newPool(base, MaxConns, maxIdleConns, ConnWait))
	db.SetMaxIdleConns(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &Store{DB: sqlx.NewDb(db, "postgres")}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.DB.Close() }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// inTx runs f in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// pqConn is what lib/pq's connections do, all of which the pool passes
// through to database/sql.
type pqConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.NamedValueChecker
	driver.SessionResetter
	driver.Validator
}

// pool is a driver.Connector that pools lib/pq's connections under
// database/sql: at most cap(slots) open, at most cap(idle) kept idle, and
// a caller waits at most wait for one.
type pool struct {
	base   driver.Connector
	slots  chan struct{} // a token per open connection
	idle   chan *pooled  // free connections, oldest first
	wait   time.Duration
	closed atomic.Bool
}

type pooled struct {
	pqConn
	created, freed time.Time
}

func newPool(base driver.Connector, max, maxIdle int, wait time.Duration) *pool {
	return &pool{base: base, slots: make(chan struct{}, max), idle: make(chan *pooled, maxIdle), wait: wait}
}

// Driver is lib/pq's driver.
func (p *pool) Driver() driver.Driver { return p.base.Driver() }

// Connect gives a free connection, or opens one while fewer than the most
// are open, or waits for either at most p.wait: then ErrBusy.
func (p *pool) Connect(ctx context.Context) (driver.Conn, error) {
	for c := p.take(); c != nil; c = p.take() {
		if p.usable(ctx, c) {
			return &conn{pooled: c, p: p}, nil
		}
	}
	t := time.NewTimer(p.wait)
	defer t.Stop()
	for {
		select {
		case c := <-p.idle:
			if p.usable(ctx, c) {
				return &conn{pooled: c, p: p}, nil
			}
		case p.slots <- struct{}{}:
			c, err := p.open(ctx)
			if err != nil {
				<-p.slots
				return nil, err
			}
			return &conn{pooled: c, p: p}, nil
		case <-t.C:
			return nil, fmt.Errorf("%w within %s (%d connections in use): %w", ErrBusy, p.wait, cap(p.slots), context.DeadlineExceeded)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// open opens a new connection, within p.wait too: a server that does not
// answer is as unavailable as a pool with nothing free.
func (p *pool) open(ctx context.Context) (*pooled, error) {
	octx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	c, err := p.base.Connect(octx)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: connecting took over %s: %w", ErrBusy, p.wait, err)
		}
		return nil, err
	}
	pc, ok := c.(pqConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("store: the driver's connection is a %T, not lib/pq's", c)
	}
	now := time.Now()
	return &pooled{pqConn: pc, created: now, freed: now}, nil
}

func (p *pool) take() *pooled {
	select {
	case c := <-p.idle:
		return c
	default:
		return nil
	}
}

// usable checks an idle connection before it is handed out, and closes it
// when it is too old or broken.
func (p *pool) usable(ctx context.Context, c *pooled) bool {
	now := time.Now()
	if now.Sub(c.created) > connMaxLifetime || now.Sub(c.freed) > connMaxIdleTime || c.ResetSession(ctx) != nil || !c.IsValid() {
		p.discard(c)
		return false
	}
	return true
}

// put takes a connection back from database/sql. A broken one is closed,
// and the idle ones with it: the server has likely gone away or restarted.
func (p *pool) put(c *pooled) error {
	if !c.IsValid() {
		for old := p.take(); old != nil; old = p.take() {
			p.discard(old)
		}
		return p.discard(c)
	}
	if p.closed.Load() {
		return p.discard(c)
	}
	c.freed = time.Now()
	select {
	case p.idle <- c:
		return nil
	default:
		return p.discard(c)
	}
}

func (p *pool) discard(c *pooled) error {
	err := c.pqConn.Close()
	<-p.slots
	return err
}

// Close closes the idle connections (database/sql's DB.Close calls it);
// connections in use close as they come back.
func (p *pool) Close() error {
	p.closed.Store(true)
	for c := p.take(); c != nil; c = p.take() {
		p.discard(c)
	}
	return nil
}

// conn is a pooled connection lent to database/sql; closing it gives it
// back.
type conn struct {
	*pooled
	p    *pool
	done bool
}

func (c *conn) Close() error {
	if c.done {
		return nil
	}
	c.done = true
	return c.p.put(c.pooled)
}
