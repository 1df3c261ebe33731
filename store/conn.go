package store

import (
	"bufio"
	"context"
	"net"
	"time"
)

// readBuffer is how much of PostgreSQL's answer a connection reads at a
// time. lib/pq reads through a 4 KiB buffer of its own: a page of 200
// dossiers (300 KB) took some eighty read calls, now a handful.
const readBuffer = 64 << 10

// bufferedDialer is lib/pq's dialer with a larger read buffer under its own.
type bufferedDialer struct{ d net.Dialer }

func (b bufferedDialer) Dial(network, address string) (net.Conn, error) {
	return b.DialContext(context.Background(), network, address)
}

func (b bufferedDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return b.DialContext(ctx, network, address)
}

func (b bufferedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := b.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBuffer)}, nil
}

// bufferedConn reads through r; everything else is the connection's. The
// stream is read in order whoever reads it (lib/pq, or TLS over it).
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
