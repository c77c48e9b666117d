package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func (s *sqlStore) PutFacts(ctx context.Context, kind string, facts []Fact, at time.Time) error {
	if len(facts) == 0 {
		return nil
	}
	now := timeText(at)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ins := s.newInserter(tx, "facts", []string{"kind", "input", "crate", "version", "data", "updated"},
			` ON CONFLICT (kind, input) DO UPDATE SET crate = excluded.crate, version = excluded.version,
			data = excluded.data, updated = excluded.updated`, nil)
		seen := make(map[string]bool, len(facts))
		for _, f := range facts {
			// One statement may not touch a row twice (PostgreSQL refuses): the last result wins.
			if seen[f.Input] {
				if err := ins.flush(ctx); err != nil {
					return err
				}
				clear(seen)
			}
			seen[f.Input] = true
			if err := ins.add(ctx, kind, f.Input, f.Crate, f.Version, string(f.Data), now); err != nil {
				return err
			}
		}
		return ins.flush(ctx)
	})
	if err != nil {
		return fmt.Errorf("store %s: saving %d %s results: %w", s.where, len(facts), kind, err)
	}
	return nil
}

func (s *sqlStore) FactInputs(ctx context.Context, kind string) (map[string]bool, error) {
	out := make(map[string]bool)
	err := s.ScanFacts(ctx, kind, func(f Fact) error {
		out[f.Input] = true
		return nil
	})
	return out, err
}

func (s *sqlStore) ScanFacts(ctx context.Context, kind string, fn func(Fact) error) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT input, crate, version, data FROM facts WHERE kind = ? ORDER BY input`), kind)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Fact
		var data string
		if err := rows.Scan(&f.Input, &f.Crate, &f.Version, &data); err != nil {
			return fmt.Errorf("store %s: %w", s.where, err)
		}
		f.Data = []byte(data)
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}
