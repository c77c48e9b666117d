package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"time"

	"github.com/cratewatch/cratewatch/advisory"
)

func (s *sqlStore) PutAdvisories(ctx context.Context, advs []*advisory.Advisory, at time.Time) (added, updated int, err error) {
	now := timeText(at)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		old := make(map[string]string)
		rows, err := tx.QueryContext(ctx, `SELECT id, data FROM advisories`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, data string
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return err
			}
			old[id] = data
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range advs {
			data, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("advisory %s: %w", a.ID, err)
			}
			prev, ok := old[a.ID]
			switch {
			case !ok:
				_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO advisories (id, package, withdrawn, data, first_seen, updated) VALUES (?, ?, ?, ?, ?, ?)`),
					a.ID, a.Package, a.Withdrawn != "", string(data), now, now)
				added++
			case prev != string(data):
				_, err = tx.ExecContext(ctx, s.d.rebind(`UPDATE advisories SET package = ?, withdrawn = ?, data = ?, updated = ? WHERE id = ?`),
					a.Package, a.Withdrawn != "", string(data), now, a.ID)
				updated++
			}
			if err != nil {
				return fmt.Errorf("advisory %s: %w", a.ID, err)
			}
			old[a.ID] = string(data) // a repeated ID in one call counts once
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store %s: saving advisories: %w", s.where, err)
	}
	return added, updated, nil
}

func (s *sqlStore) Advisories(ctx context.Context) ([]*advisory.Advisory, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM advisories ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.where, err)
	}
	defer rows.Close()
	var out []*advisory.Advisory
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("store %s: %w", s.where, err)
		}
		var a advisory.Advisory
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return nil, fmt.Errorf("store %s: advisory %s: %w", s.where, id, err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}
