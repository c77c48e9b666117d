package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/cratewatch/cratewatch/callgraph"
)

var cgTables = []string{"cg_edges", "cg_aliases", "cg_functions", "cg_files", "cg_crates"}

// SaveCallGraph replaces the persisted call graph with g, in one transaction.
func (s *sqlStore) SaveCallGraph(ctx context.Context, g *callgraph.Graph) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range cgTables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		ins := s.newInserter(tx, "cg_crates", []string{"id", "name", "version", "first_fn", "end_fn", "first_file", "problems", "deps"}, "", nil)
		for i, c := range g.Crates {
			deps, err := json.Marshal(c.Deps)
			if err != nil {
				return err
			}
			if err := ins.add(ctx, i, c.Name, c.Version, c.FirstFn, c.EndFn, c.FirstFile, c.Problems, string(deps)); err != nil {
				return err
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		ins = s.newInserter(tx, "cg_files", []string{"id", "path"}, "", nil)
		for i, f := range g.Files {
			if err := ins.add(ctx, i, f); err != nil {
				return err
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		ins = s.newInserter(tx, "cg_functions", []string{"id", "crate_id", "path", "name", "owner", "file_id", "line", "flags"}, "", nil)
		for i, f := range g.Fns {
			if err := ins.add(ctx, i, f.Crate, f.Path, f.Name, f.Owner, f.File, f.Line, int(f.Flags)); err != nil {
				return err
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		ins = s.newInserter(tx, "cg_edges", []string{"caller", "callee", "line", "col", "kind", "cfg_off"}, "", nil)
		for _, e := range g.Edges() {
			off := 0
			if e.CfgOff {
				off = 1
			}
			if err := ins.add(ctx, e.From, e.To, e.Line, e.Col, int(e.Kind), off); err != nil {
				return err
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		ins = s.newInserter(tx, "cg_aliases", []string{"from_path", "kind", "crate_id", "fn_id", "target"}, "", nil)
		for _, a := range g.Aliases {
			if err := ins.add(ctx, a.From, int(a.Kind), a.Crate, a.Fn, a.Target); err != nil {
				return err
			}
		}
		return ins.flush(ctx)
	})
	if err != nil {
		return fmt.Errorf("store %s: saving call graph: %w", s.where, err)
	}
	return nil
}

// LoadCallGraph reads the persisted call graph; it returns an empty graph when none was saved.
func (s *sqlStore) LoadCallGraph(ctx context.Context) (*callgraph.Graph, error) {
	var (
		crates  []callgraph.Crate
		files   []string
		fns     []callgraph.Function
		edges   []callgraph.Edge
		aliases []callgraph.Alias
	)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return eachRow(ctx, tx, `SELECT name, version, first_fn, end_fn, first_file, problems, deps FROM cg_crates ORDER BY id`, func(r *sql.Rows) error {
			var c callgraph.Crate
			var deps string
			if err := r.Scan(&c.Name, &c.Version, &c.FirstFn, &c.EndFn, &c.FirstFile, &c.Problems, &deps); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(deps), &c.Deps); err != nil {
				return fmt.Errorf("crate %s %s: deps: %w", c.Name, c.Version, err)
			}
			crates = append(crates, c)
			return nil
		}, `SELECT path FROM cg_files ORDER BY id`, func(r *sql.Rows) error {
			var f string
			err := r.Scan(&f)
			files = append(files, f)
			return err
		}, `SELECT crate_id, path, name, owner, file_id, line, flags FROM cg_functions ORDER BY id`, func(r *sql.Rows) error {
			var f callgraph.Function
			var flags int
			err := r.Scan(&f.Crate, &f.Path, &f.Name, &f.Owner, &f.File, &f.Line, &flags)
			f.Flags = uint8(flags)
			fns = append(fns, f)
			return err
		}, `SELECT caller, callee, line, col, kind, cfg_off FROM cg_edges`, func(r *sql.Rows) error {
			var e callgraph.Edge
			var kind, off int
			err := r.Scan(&e.From, &e.To, &e.Line, &e.Col, &kind, &off)
			e.Kind, e.CfgOff = callgraph.EdgeKind(kind), off != 0
			edges = append(edges, e)
			return err
		}, `SELECT from_path, kind, crate_id, fn_id, target FROM cg_aliases`, func(r *sql.Rows) error {
			var a callgraph.Alias
			var kind int
			err := r.Scan(&a.From, &kind, &a.Crate, &a.Fn, &a.Target)
			a.Kind = callgraph.AliasKind(kind)
			aliases = append(aliases, a)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: loading call graph: %w", s.where, err)
	}
	g, err := callgraph.NewGraph(crates, fns, files, aliases, edges)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.where, err)
	}
	return g, nil
}

// eachRow runs pairs of (query, row function).
func eachRow(ctx context.Context, tx *sql.Tx, pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		rows, err := tx.QueryContext(ctx, pairs[i].(string))
		if err != nil {
			return err
		}
		fn := pairs[i+1].(func(*sql.Rows) error)
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
