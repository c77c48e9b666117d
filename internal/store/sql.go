package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cratewatch/cratewatch/index"
)

type sqlStore struct {
	db    *sql.DB
	d     *dialect
	where string
}

func newSQL(ctx context.Context, db *sql.DB, d *dialect, where string) (*sqlStore, error) {
	s := &sqlStore{db: db, d: d, where: where}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", where, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *sqlStore) Dialect() string { return s.d.name }
func (s *sqlStore) Close() error    { return s.db.Close() }

// tx runs fn in a transaction, committing only if fn succeeds.
func (s *sqlStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func (s *sqlStore) IndexStates(ctx context.Context) (map[string]IndexState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, index_hash, etag, last_modified, removed IS NOT NULL FROM crates`)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.where, err)
	}
	defer rows.Close()
	out := make(map[string]IndexState)
	for rows.Next() {
		var name string
		var hash []byte
		var st IndexState
		if err := rows.Scan(&name, &hash, &st.Validators.ETag, &st.Validators.LastModified, &st.Removed); err != nil {
			return nil, fmt.Errorf("store %s: %w", s.where, err)
		}
		copy(st.Hash[:], hash)
		out[name] = st
	}
	return out, rows.Err()
}

// stored is a version's columns as written, encoded once per version: the digest is taken
// over the same encodings that are stored.
type stored struct {
	features, features2 string
	deps                []byte
	digest              []byte
}

// encode prepares r for storage. The digest fingerprints everything but the yanked flag, so a
// changed index line is detected without loading what the store holds.
func encode(r *index.Record) stored {
	e := stored{features: jsonText(r.Features), features2: jsonText(r.Features2), deps: encodeDeps(r.Deps)}
	h := sha256.New()
	var n [8]byte
	for _, s := range [...]string{r.Name, r.Vers, r.Cksum, r.Links, r.RustVersion, r.Pubtime, e.features, e.features2, string(e.deps)} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.LittleEndian.PutUint64(n[:], uint64(r.V))
	h.Write(n[:])
	e.digest = h.Sum(nil)
	return e
}

// jsonText encodes features for storage; empty is stored as "".
func jsonText[T any](v T) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "{}" || string(b) == "[]" {
		return ""
	}
	return string(b)
}

// canon is crates.io's canonical crate name: lowercase, '-' and '_' the same.
func canon(name string) string { return strings.ReplaceAll(strings.ToLower(name), "-", "_") }

type storedVersion struct {
	id      int64
	yanked  bool
	digest  []byte
	removed bool
}

func (s *sqlStore) ApplyIndex(ctx context.Context, updates []CrateUpdate, at time.Time) (Changes, error) {
	if len(updates) == 0 {
		return Changes{}, nil
	}
	var a *applier
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a = &applier{s: s, tx: tx, now: timeText(at)}
		return a.apply(ctx, updates)
	})
	if err != nil {
		return Changes{}, fmt.Errorf("store %s: applying %d crates (first %s): %w", s.where, len(updates), updates[0].Name, err)
	}
	return a.ch, nil
}

// applier carries one ApplyIndex transaction.
type applier struct {
	s   *sqlStore
	tx  *sql.Tx
	now string
	ch  Changes
}

// entryKey names a version entry within its crate: the version and its duplicate number.
func entryKey(num string, dup int) string {
	if dup == 0 {
		return num
	}
	return num + "#" + strconv.Itoa(dup)
}

func (a *applier) apply(ctx context.Context, updates []CrateUpdate) error {
	s, tx := a.s, a.tx
	// Crates: upsert and learn their ids.
	ids := make(map[string]int64, len(updates))
	ins := s.newInserter(tx, "crates", []string{"name", "canon", "index_hash", "etag", "last_modified", "first_seen"},
		` ON CONFLICT (name) DO UPDATE SET index_hash = excluded.index_hash, etag = excluded.etag,
		last_modified = excluded.last_modified, removed = NULL RETURNING id, name`,
		func(rows *sql.Rows) error {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			ids[name] = id
			return nil
		})
	for i := range updates {
		u := &updates[i]
		if err := ins.add(ctx, u.Name, canon(u.Name), u.Hash[:], u.Validators.ETag, u.Validators.LastModified, a.now); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	a.ch.Crates = len(updates)

	existing, err := s.storedVersions(ctx, tx, ids)
	if err != nil {
		return err
	}

	vins := s.newInserter(tx, "versions", []string{"crate_id", "num", "cksum", "yanked", "links", "rust_version",
		"pubtime", "features", "features2", "v", "digest", "first_seen", "dup", "deps", "ndeps"}, "", nil)
	for i := range updates {
		u := &updates[i]
		cid := ids[u.Name]
		if cid == 0 {
			return fmt.Errorf("crate %s: no id after upsert", u.Name)
		}
		old := existing[cid]
		seen := make(map[string]bool, len(u.Records))
		for j := range u.Records {
			r := &u.Records[j]
			ek := entryKey(r.Vers, r.Dup)
			seen[ek] = true
			e := encode(r)
			if sv, ok := old[ek]; ok {
				if err := a.updateVersion(ctx, sv, r, &e); err != nil {
					return fmt.Errorf("crate %s version %s: %w", u.Name, r.Vers, err)
				}
				continue
			}
			if err := vins.add(ctx, cid, r.Vers, r.Cksum, r.Yanked, r.Links, r.RustVersion, r.Pubtime,
				e.features, e.features2, r.V, e.digest, a.now, r.Dup, e.deps, len(r.Deps)); err != nil {
				return err
			}
			a.ch.VersionsAdded++
		}
		for num, sv := range old {
			if !seen[num] && !sv.removed {
				if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE versions SET removed = ? WHERE id = ?`), a.now, sv.id); err != nil {
					return err
				}
				a.ch.VersionsRemoved++
			}
		}
	}
	return vins.flush(ctx)
}

func (a *applier) updateVersion(ctx context.Context, sv *storedVersion, r *index.Record, e *stored) error {
	s, tx := a.s, a.tx
	changed := false
	if string(sv.digest) != string(e.digest) || sv.removed {
		_, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE versions SET cksum = ?, links = ?, rust_version = ?, pubtime = ?,
			features = ?, features2 = ?, v = ?, digest = ?, deps = ?, ndeps = ?, removed = NULL WHERE id = ?`),
			r.Cksum, r.Links, r.RustVersion, r.Pubtime, e.features, e.features2, r.V, e.digest,
			e.deps, len(r.Deps), sv.id)
		if err != nil {
			return err
		}
		changed = true
	}
	if sv.yanked != r.Yanked {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE versions SET yanked = ? WHERE id = ?`), r.Yanked, sv.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO yank_events (version_id, yanked, seen) VALUES (?, ?, ?)`), sv.id, r.Yanked, a.now); err != nil {
			return err
		}
		a.ch.YankFlips++
		changed = true
	}
	if changed {
		a.ch.VersionsUpdated++
	}
	return nil
}

func (s *sqlStore) MarkRemoved(ctx context.Context, names []string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE crates SET removed = ? WHERE name = ? AND removed IS NULL`), timeText(at), n); err != nil {
				return fmt.Errorf("store %s: marking %s removed: %w", s.where, n, err)
			}
		}
		return nil
	})
}

func (s *sqlStore) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM crates WHERE removed IS NULL),
		(SELECT count(*) FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL),
		(SELECT count(*) FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL AND v.yanked),
		(SELECT coalesce(sum(v.ndeps), 0) FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL),
		(SELECT count(*) FROM versions v JOIN crates c ON c.id = v.crate_id WHERE c.removed IS NULL AND v.removed IS NULL AND v.dup > 0),
		(SELECT count(*) FROM advisories)`).
		Scan(&st.Crates, &st.Versions, &st.Yanked, &st.Deps, &st.Duplicates, &st.Advisories)
	if err != nil {
		return st, fmt.Errorf("store %s: %w", s.where, err)
	}
	return st, nil
}

func (s *sqlStore) Crate(ctx context.Context, name string) (*Crate, error) {
	var c Crate
	var cid int64
	var first string
	var removed sql.NullString
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT id, name, first_seen, removed FROM crates WHERE name = ? OR canon = ? ORDER BY name = ? DESC LIMIT 1`),
		strings.ToLower(name), canon(name), strings.ToLower(name)).Scan(&cid, &c.Name, &first, &removed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("crate %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.where, err)
	}
	c.FirstSeen = parseTime(first)
	if removed.Valid {
		t := parseTime(removed.String)
		c.Removed = &t
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, num, dup, cksum, yanked, links, rust_version, pubtime, features, first_seen, deps
		FROM versions WHERE crate_id = ? AND removed IS NULL ORDER BY id`), cid)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.where, err)
	}
	byID := make(map[int64]*Version)
	var order []int64
	for rows.Next() {
		var v Version
		var id int64
		var feats, seen string
		var deps []byte
		if err := rows.Scan(&id, &v.Num, &v.Dup, &v.Cksum, &v.Yanked, &v.Links, &v.RustVersion, &v.Pubtime, &feats, &seen, &deps); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store %s: %w", s.where, err)
		}
		if feats != "" {
			_ = json.Unmarshal([]byte(feats), &v.Features)
		}
		v.FirstSeen = parseTime(seen)
		if v.Deps, err = decodeDeps([]index.Dep{}, deps, nil, true); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store %s: crate %s version %s: %w", s.where, c.Name, v.Num, err)
		}
		byID[id] = &v
		order = append(order, id)
	}
	rows.Close()
	if err := s.yankEvents(ctx, cid, byID); err != nil {
		return nil, err
	}
	for _, id := range order {
		c.Versions = append(c.Versions, *byID[id])
	}
	sortVersions(c.Versions)
	return &c, nil
}

// yankEvents attaches each version's yank history.
func (s *sqlStore) yankEvents(ctx context.Context, cid int64, byID map[int64]*Version) error {
	ev, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT e.version_id, e.yanked, e.seen FROM yank_events e JOIN versions v ON v.id = e.version_id
		WHERE v.crate_id = ? ORDER BY e.seen`), cid)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.where, err)
	}
	defer ev.Close()
	for ev.Next() {
		var vid int64
		var e YankEvent
		var seen string
		if err := ev.Scan(&vid, &e.Yanked, &seen); err != nil {
			return err
		}
		e.Seen = parseTime(seen)
		if v := byID[vid]; v != nil {
			v.YankEvents = append(v.YankEvents, e)
		}
	}
	return ev.Err()
}

func (s *sqlStore) storedVersions(ctx context.Context, tx *sql.Tx, ids map[string]int64) (map[int64]map[string]*storedVersion, error) {
	out := make(map[int64]map[string]*storedVersion)
	list := make([]any, 0, len(ids))
	for _, id := range ids {
		list = append(list, id)
	}
	for len(list) > 0 {
		chunk := list[:min(len(list), 1000)]
		list = list[len(chunk):]
		q := `SELECT id, crate_id, num, dup, yanked, digest, removed IS NOT NULL FROM versions WHERE crate_id IN (` +
			strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",") + `)`
		rows, err := tx.QueryContext(ctx, s.d.rebind(q), chunk...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sv storedVersion
			var cid int64
			var num string
			var dup int
			if err := rows.Scan(&sv.id, &cid, &num, &dup, &sv.yanked, &sv.digest, &sv.removed); err != nil {
				rows.Close()
				return nil, err
			}
			if out[cid] == nil {
				out[cid] = make(map[string]*storedVersion)
			}
			out[cid][entryKey(num, dup)] = &sv
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
