package store

import (
	"context"
	"fmt"
)

// ScanVersions reads one row per version and decodes its dependency list in place, interning
// the strings so a whole-index scan allocates once per distinct name or requirement.
func (s *sqlStore) ScanVersions(ctx context.Context, fn func(*ScannedVersion) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT c.name, v.num, v.dup, v.yanked, v.deps FROM versions v
		JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL ORDER BY v.id`)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	defer rows.Close()
	in := make(interner)
	var sv ScannedVersion
	var crate string
	var deps []byte
	for rows.Next() {
		if err := rows.Scan(&crate, &sv.Num, &sv.Dup, &sv.Yanked, &deps); err != nil {
			return fmt.Errorf("store %s: %w", s.where, err)
		}
		sv.Crate = in.str([]byte(crate))
		if sv.Deps, err = decodeDeps(sv.Deps[:0], deps, in, false); err != nil {
			return fmt.Errorf("store %s: crate %s version %s: %w", s.where, sv.Crate, sv.Num, err)
		}
		if err := fn(&sv); err != nil {
			return err
		}
	}
	return rows.Err()
}
