package store

import (
	"context"
	"database/sql"
	"strings"
)

// inserter batches rows into multi-row INSERT statements: one statement per few hundred rows
// instead of one per row is what makes a full ingest fast on both backends.
type inserter struct {
	s      *sqlStore
	tx     *sql.Tx
	head   string
	suffix string
	ncols  int
	per    int
	args   []any
	full   *sql.Stmt
	// scan, when set, reads the rows of a RETURNING suffix.
	scan func(*sql.Rows) error
}

func (s *sqlStore) newInserter(tx *sql.Tx, table string, cols []string, suffix string, scan func(*sql.Rows) error) *inserter {
	per := min(500, s.d.maxParams/len(cols))
	return &inserter{s: s, tx: tx, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		suffix: suffix, ncols: len(cols), per: per, scan: scan}
}

func (b *inserter) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) >= b.per*b.ncols {
		return b.flush(ctx)
	}
	return nil
}

func (b *inserter) query(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.ncols), ",") + ")"
	return b.s.d.rebind(b.head + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + b.suffix)
}

func (b *inserter) flush(ctx context.Context) error {
	n := len(b.args) / b.ncols
	if n == 0 {
		return nil
	}
	var stmt *sql.Stmt
	var err error
	if n == b.per {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(ctx, b.query(n)); err != nil {
				return err
			}
		}
		stmt = b.full
	} else {
		if stmt, err = b.tx.PrepareContext(ctx, b.query(n)); err != nil {
			return err
		}
		defer stmt.Close()
	}
	args := b.args
	b.args = b.args[:0]
	if b.scan == nil {
		_, err = stmt.ExecContext(ctx, args...)
		return err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := b.scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
