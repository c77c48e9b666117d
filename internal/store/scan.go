package store

import (
	"context"
	"fmt"

	"github.com/cratewatch/cratewatch/index"
)

// ScanVersions merge-joins two ordered streams (versions, deps) instead of one join, so each
// row crosses the driver once and nothing is held in memory beyond one version.
func (s *sqlStore) ScanVersions(ctx context.Context, fn func(*ScannedVersion) error) error {
	vrows, err := s.db.QueryContext(ctx, `SELECT v.id, c.name, v.num, v.dup, v.yanked FROM versions v
		JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL ORDER BY v.id`)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	defer vrows.Close()
	drows, err := s.db.QueryContext(ctx, `SELECT version_id, name, package, req, kind, optional, target FROM deps ORDER BY version_id, seq`)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	defer drows.Close()
	var sv ScannedVersion
	var d index.Dep
	var dvid int64 = -1
	nextDep := func() error {
		if !drows.Next() {
			dvid = -1
			return drows.Err()
		}
		var kind int
		if err := drows.Scan(&dvid, &d.Name, &d.Package, &d.Req, &kind, &d.Optional, &d.Target); err != nil {
			return err
		}
		d.Kind = index.DepKind(kind)
		return nil
	}
	if err := nextDep(); err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	for vrows.Next() {
		var vid int64
		if err := vrows.Scan(&vid, &sv.Crate, &sv.Num, &sv.Dup, &sv.Yanked); err != nil {
			return fmt.Errorf("store %s: %w", s.where, err)
		}
		sv.Deps = sv.Deps[:0]
		// Deps of removed versions sort between live ones; skip them.
		for dvid != -1 && dvid <= vid {
			if dvid == vid {
				sv.Deps = append(sv.Deps, d)
			}
			if err := nextDep(); err != nil {
				return fmt.Errorf("store %s: %w", s.where, err)
			}
		}
		if err := fn(&sv); err != nil {
			return err
		}
	}
	return vrows.Err()
}
