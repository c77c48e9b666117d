// Package storetest opens real stores for tests: a SQLite file in a temporary directory, and
// a PostgreSQL schema of its own when CRATEWATCH_TEST_POSTGRES holds a connection URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/cratewatch/cratewatch/internal/store"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "CRATEWATCH_TEST_POSTGRES"

// Backend opens a fresh, empty store.
type Backend struct {
	Name string
	Open func(t testing.TB) store.Store
	// URL returns a URL that reopens the last store Open made (for tests that restart).
	URL func(t testing.TB) string
}

// Backends returns SQLite always and PostgreSQL when configured.
func Backends() []Backend {
	out := []Backend{sqliteBackend()}
	if os.Getenv(PostgresEnv) != "" {
		out = append(out, postgresBackend())
	}
	return out
}

func sqliteBackend() Backend {
	var last string
	b := Backend{Name: "sqlite"}
	b.URL = func(t testing.TB) string {
		if last == "" {
			last = filepath.Join(t.TempDir(), "cratewatch.db")
		}
		return last
	}
	b.Open = func(t testing.TB) store.Store {
		last = ""
		return mustOpen(t, b.URL(t))
	}
	return b
}

func postgresBackend() Backend {
	var last string
	b := Backend{Name: "postgres"}
	b.URL = func(t testing.TB) string {
		if last == "" {
			last = FreshPostgres(t)
		}
		return last
	}
	b.Open = func(t testing.TB) store.Store {
		last = ""
		return mustOpen(t, b.URL(t))
	}
	return b
}

func mustOpen(t testing.TB, u string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// FreshPostgres creates a schema of its own for the test, dropped at cleanup, and returns a
// URL whose search_path points at it. It skips the test when PostgreSQL is not configured.
func FreshPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set", PostgresEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "cwtest_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
