package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// migrations are applied in order, each once, each in its own transaction. Never edit one that
// has shipped: add a new one. {serial} and {blob} are replaced per dialect.
var migrations = []string{
	// 1: registry data.
	`CREATE TABLE crates (
		id {serial},
		name TEXT NOT NULL UNIQUE,
		canon TEXT NOT NULL,
		index_hash {blob} NOT NULL,
		etag TEXT NOT NULL DEFAULT '',
		last_modified TEXT NOT NULL DEFAULT '',
		first_seen TEXT NOT NULL,
		removed TEXT
	);
	CREATE INDEX crates_canon ON crates(canon);
	CREATE TABLE versions (
		id {serial},
		crate_id BIGINT NOT NULL REFERENCES crates(id),
		num TEXT NOT NULL,
		dup INTEGER NOT NULL DEFAULT 0,
		cksum TEXT NOT NULL,
		yanked BOOLEAN NOT NULL,
		links TEXT NOT NULL DEFAULT '',
		rust_version TEXT NOT NULL DEFAULT '',
		pubtime TEXT NOT NULL DEFAULT '',
		features TEXT NOT NULL DEFAULT '',
		features2 TEXT NOT NULL DEFAULT '',
		v INTEGER NOT NULL DEFAULT 0,
		digest {blob} NOT NULL,
		deps {blob} NOT NULL,
		ndeps INTEGER NOT NULL,
		first_seen TEXT NOT NULL,
		removed TEXT,
		UNIQUE (crate_id, num, dup)
	);
	CREATE TABLE yank_events (
		version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
		yanked BOOLEAN NOT NULL,
		seen TEXT NOT NULL
	);
	CREATE INDEX yank_events_version ON yank_events(version_id)`,
	// 2: advisories, kept whole as JSON so nothing a later analysis needs is lost.
	`CREATE TABLE advisories (
		id TEXT PRIMARY KEY,
		package TEXT NOT NULL,
		withdrawn BOOLEAN NOT NULL,
		data TEXT NOT NULL,
		first_seen TEXT NOT NULL,
		updated TEXT NOT NULL
	);
	CREATE INDEX advisories_package ON advisories(package)`,
	// 3: the function call graph (callgraph package), replaced as a whole by each build.
	`CREATE TABLE cg_crates (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		version TEXT NOT NULL,
		first_fn INTEGER NOT NULL,
		end_fn INTEGER NOT NULL,
		first_file INTEGER NOT NULL,
		problems INTEGER NOT NULL,
		deps TEXT NOT NULL
	);
	CREATE TABLE cg_files (
		id INTEGER PRIMARY KEY,
		path TEXT NOT NULL
	);
	CREATE TABLE cg_functions (
		id INTEGER PRIMARY KEY,
		crate_id INTEGER NOT NULL,
		path TEXT NOT NULL,
		name TEXT NOT NULL,
		owner TEXT NOT NULL,
		file_id INTEGER NOT NULL,
		line INTEGER NOT NULL,
		flags SMALLINT NOT NULL
	);
	CREATE INDEX cg_functions_path ON cg_functions(path);
	CREATE TABLE cg_edges (
		caller INTEGER NOT NULL,
		callee INTEGER NOT NULL,
		line INTEGER NOT NULL,
		col INTEGER NOT NULL,
		kind SMALLINT NOT NULL
	);
	CREATE INDEX cg_edges_callee ON cg_edges(callee);
	CREATE TABLE cg_aliases (
		from_path TEXT NOT NULL,
		kind SMALLINT NOT NULL,
		crate_id INTEGER NOT NULL,
		fn_id INTEGER NOT NULL,
		target TEXT NOT NULL
	);
	CREATE INDEX cg_aliases_from ON cg_aliases(from_path)`,
	// 4: per-crate analysis results (source facts, scan verdicts), one JSON document per
	// analyser and input, so long runs resume by skipping inputs already stored.
	`CREATE TABLE facts (
		kind TEXT NOT NULL,
		input TEXT NOT NULL,
		crate TEXT NOT NULL,
		version TEXT NOT NULL,
		data TEXT NOT NULL,
		updated TEXT NOT NULL,
		PRIMARY KEY (kind, input)
	);
	CREATE INDEX facts_crate ON facts(crate, version)`,
	// 5: call graph edges whose every call site is another platform's code (Edge.CfgOff).
	`ALTER TABLE cg_edges ADD COLUMN cfg_off SMALLINT NOT NULL DEFAULT 0`,
}

func (s *sqlStore) migrate(ctx context.Context) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store %s: creating schema_migrations: %w", s.where, err)
	}
	for i, m := range migrations {
		v := i + 1
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if err := s.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			m = strings.NewReplacer("{serial}", s.d.serial, "{blob}", s.d.blob).Replace(m)
			for _, stmt := range strings.Split(m, ";\n") {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w in %.60q", err, strings.TrimSpace(stmt))
				}
			}
			_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`), v, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("store %s: migration %d: %w", s.where, v, err)
		}
	}
	return nil
}

// lockMigrations serialises concurrent migrators on PostgreSQL (several workers starting at
// once); SQLite's immediate transactions already do.
func (s *sqlStore) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if s.d != postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7242751)`)
	return err
}
