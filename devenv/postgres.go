package devenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// ErrNoPostgres is returned (wrapped) when the PostgreSQL server binaries are
// not on PATH.
var ErrNoPostgres = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH: install postgresql (Debian: apt-get install postgresql, then put /usr/lib/postgresql/<version>/bin on PATH) or set DATABASE_URL")

// pgSuperuser is the bootstrap superuser initdb creates; trust authentication
// on 127.0.0.1 only, so it needs no password.
const pgSuperuser = "postgres"

// Postgres is a PostgreSQL server started from the installed binaries.
type Postgres struct {
	DataDir string
	Port    int

	pgCtl     string
	cred      *syscall.Credential // who runs pg_ctl: PostgreSQL refuses root
	socketDir string
	logFile   string
	// watchdog stops the server if this process dies without calling Stop:
	// it blocks reading a pipe only this process holds open.
	watchdog *Proc
	lifeline *os.File
	// removeOnStop are directories deleted once the server is down.
	removeOnStop []string
}

type pgOptions struct {
	// throwaway trades durability for speed (tests): no fsync.
	throwaway bool
	// cleanup are directories removed once the server is down.
	cleanup []string
}

// StartPostgres starts PostgreSQL on dataDir, creating the cluster with
// initdb first if dataDir holds none. It listens on a free port of 127.0.0.1
// with trust authentication for user postgres and returns once the server
// accepts connections.
func StartPostgres(ctx context.Context, dataDir string) (*Postgres, error) {
	return startPostgres(ctx, dataDir, pgOptions{})
}

// CheckPostgres reports, without starting anything, whether StartPostgres
// can find the server binaries.
func CheckPostgres() error {
	_, _, err := pgBinaries()
	return err
}

func pgBinaries() (initdb, pgCtl string, err error) {
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	_, err3 := exec.LookPath("postgres")
	if err1 != nil || err2 != nil || err3 != nil {
		return "", "", ErrNoPostgres
	}
	return initdb, pgCtl, nil
}

func startPostgres(ctx context.Context, dataDir string, o pgOptions) (*Postgres, error) {
	initdb, pgCtl, err := pgBinaries()
	if err != nil {
		return nil, err
	}
	dataDir, err = filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("postgres data directory %s: %w", dataDir, err)
	}
	cred, err := pgCredential()
	if err != nil {
		return nil, err
	}
	p := &Postgres{DataDir: dataDir, pgCtl: pgCtl, cred: cred, logFile: filepath.Join(dataDir, "postgres.log"),
		removeOnStop: o.cleanup}

	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return nil, fmt.Errorf("postgres data directory %s: %w", dataDir, err)
	}
	if err := p.reachable(dataDir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := p.initdb(ctx, initdb); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("postgres data directory %s: %w", dataDir, err)
	}
	if p.run(ctx, "status", "-D", dataDir) == nil {
		return nil, fmt.Errorf("a PostgreSQL server is already running on %s (another `tdkt dev`?): stop it first (pg_ctl stop -D %s)", dataDir, dataDir)
	}

	// The unix socket goes to a short directory of its own: socket paths are
	// limited to about 100 bytes, and a project path can be long.
	p.socketDir, err = os.MkdirTemp("", "tdkt-pg-")
	if err != nil {
		return nil, fmt.Errorf("postgres socket directory: %w", err)
	}
	p.removeOnStop = append(p.removeOnStop, p.socketDir)
	if err := p.chown(p.socketDir); err != nil {
		os.RemoveAll(p.socketDir)
		return nil, err
	}

	var lastErr error
	// FreePort can race with another process taking the port; try again on
	// a fresh one.
	for attempt := 0; attempt < 3; attempt++ {
		if p.Port, err = FreePort(); err != nil {
			return nil, err
		}
		if lastErr = p.start(ctx, o); lastErr == nil {
			break
		}
		if !strings.Contains(lastErr.Error(), "could not bind") && !strings.Contains(lastErr.Error(), "already in use") {
			break
		}
	}
	if lastErr != nil {
		os.RemoveAll(p.socketDir)
		return nil, lastErr
	}
	if err := p.startWatchdog(); err != nil {
		p.Stop()
		return nil, err
	}
	if err := p.waitReady(ctx); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// pgCredential is the user PostgreSQL runs as. initdb and postgres refuse to
// run as root, so root (containers, CI) runs them as the postgres user.
func pgCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and PostgreSQL refuses root: create a `postgres` user (useradd postgres) or run as a normal user")
}

// reachable checks that the postgres user can walk down to dir: as root we
// run PostgreSQL as another user, and a parent such as /root (mode 0700) would
// otherwise give initdb's bare "Permission denied".
func (p *Postgres) reachable(dir string) error {
	if p.cred == nil {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("postgres data directory %s: %w", dir, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		searchable := fi.Mode().Perm()&0o001 != 0 || (ok && st.Uid == p.cred.Uid && fi.Mode().Perm()&0o100 != 0)
		if !searchable {
			return fmt.Errorf("running as root, PostgreSQL runs as the postgres user, which cannot enter %s (mode %v): put the data directory elsewhere or chmod o+x %s", d, fi.Mode().Perm(), d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (p *Postgres) chown(path string) error {
	if p.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
		return fmt.Errorf("give %s to the postgres user: %w", path, err)
	}
	return nil
}

func (p *Postgres) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	return cmd
}

// run runs pg_ctl with args; the error carries its output.
func (p *Postgres) run(ctx context.Context, args ...string) error {
	out, err := p.command(ctx, p.pgCtl, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (p *Postgres) initdb(ctx context.Context, initdb string) error {
	if err := os.MkdirAll(p.DataDir, 0o700); err != nil {
		return fmt.Errorf("create postgres data directory: %w", err)
	}
	if err := p.chown(p.DataDir); err != nil {
		return err
	}
	out, err := p.command(ctx, initdb, "-D", p.DataDir, "-U", pgSuperuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-instructions").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w: %s", p.DataDir, err, lastLines(string(out), 5))
	}
	return nil
}

func (p *Postgres) start(ctx context.Context, o pgOptions) error {
	opts := []string{"-p", strconv.Itoa(p.Port), "-k", p.socketDir, "-c", "listen_addresses=127.0.0.1"}
	if o.throwaway {
		opts = append(opts, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	// pg_ctl hands -o to a shell: quote every word.
	for i, s := range opts {
		opts[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	// Truncate the log so an error shows this start's lines, not old ones.
	if f, err := os.OpenFile(p.logFile, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err == nil {
		f.Close()
		p.chown(p.logFile)
	}
	err := p.run(ctx, "start", "-D", p.DataDir, "-l", p.logFile, "-w", "-t", "60", "-s", "-o", strings.Join(opts, " "))
	if err != nil {
		log, _ := os.ReadFile(p.logFile)
		return fmt.Errorf("start PostgreSQL on %s port %d: %w; server log: %s", p.DataDir, p.Port, err, lastLines(string(log), 5))
	}
	return nil
}

// watchdogScript waits for EOF on stdin, which happens when the process that
// started PostgreSQL exits however it exits, then shuts the server down fast
// (SIGINT to the postmaster) and removes the throw-away directories. It runs
// as the caller's user, which may signal the postmaster either way.
const watchdogScript = `trap '' INT TERM HUP
while read -r _; do :; done
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
  kill -INT "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
fi
shift
[ $# -gt 0 ] && rm -rf "$@"
exit 0`

func (p *Postgres) startWatchdog() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("postgres watchdog pipe: %w", err)
	}
	args := append([]string{"-c", watchdogScript, "tdkt-pg-watchdog", p.DataDir}, p.removeOnStop...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Stdin = r
	// Its own process group: a Ctrl-C in the terminal must not end it before
	// the orderly shutdown does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	wd, err := Spawn(cmd)
	r.Close()
	if err != nil {
		w.Close()
		return fmt.Errorf("start postgres watchdog: %w", err)
	}
	p.watchdog, p.lifeline = wd, w
	return nil
}

func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	db, err := sql.Open("postgres", p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	defer db.Close()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("PostgreSQL on port %d does not accept connections: %w", p.Port, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URL is the connection URL of database db as the superuser.
func (p *Postgres) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(pgSuperuser), Host: "127.0.0.1:" + strconv.Itoa(p.Port),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// CreateDatabase creates database name unless it exists and returns its URL.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("postgres", p.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("open postgres: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up database %s: %w", name, err)
	}
	if !exists {
		// CREATE DATABASE takes no parameters; the name is quoted as an
		// identifier. A concurrent creator winning the race is fine.
		_, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
		var pqErr *pq.Error
		if err != nil && !(errors.As(err, &pqErr) && pqErr.Code == "42P04") {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return p.URL(name), nil
}

// Stop shuts the server down (fast: open sessions are ended) and waits.
func (p *Postgres) Stop() error {
	if p.watchdog != nil {
		// The orderly path below replaces the watchdog's.
		p.watchdog.cmd.Process.Kill()
		<-p.watchdog.done
		p.lifeline.Close()
		p.watchdog = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var err error
	if p.run(ctx, "status", "-D", p.DataDir) == nil {
		err = p.run(ctx, "stop", "-D", p.DataDir, "-m", "fast", "-w", "-t", "60", "-s")
	}
	for _, dir := range p.removeOnStop {
		os.RemoveAll(dir)
	}
	p.removeOnStop = nil
	return err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// createOn creates database name on the server of adminURL (any database
// URL of that server) and returns the new database's URL.
func createOn(ctx context.Context, adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", u.Redacted(), err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("create database %s on %s: %w", name, u.Host, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Pid is the postmaster's process id, from postmaster.pid (for CPU
// accounting: the backends are its children).
func (p *Postgres) Pid() (int, error) {
	b, err := os.ReadFile(filepath.Join(p.DataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}
