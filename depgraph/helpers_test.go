package depgraph

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/ingest"
	"github.com/cratewatch/cratewatch/internal/store"
)

// ver is one index line of a test fixture.
type ver struct {
	name, vers string
	yanked     bool
	deps       []index.Dep
}

// dep builds a normal dependency; opts: "dev", "build", "optional", "target", "as:NAME"
// (renamed: the dependent calls it NAME, the real crate is name).
func dep(name, req string, opts ...string) index.Dep {
	d := index.Dep{Name: name, Req: req, Features: []string{}, DefaultFeatures: true}
	for _, o := range opts {
		switch {
		case o == "dev":
			d.Kind = index.Dev
		case o == "build":
			d.Kind = index.Build
		case o == "optional":
			d.Optional = true
		case o == "target":
			d.Target = "cfg(windows)"
		case strings.HasPrefix(o, "as:"):
			d.Package, d.Name = name, o[3:]
		default:
			panic("unknown dep option " + o)
		}
	}
	return d
}

// buildGraph writes vs as a registry index directory, ingests it into a fresh SQLite store
// and builds the graph from the store, the path production takes.
func buildGraph(t testing.TB, vs []ver) *Graph {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "index")
	files := map[string][]byte{}
	var order []string
	for _, v := range vs {
		line, err := json.Marshal(index.Record{
			Name: v.name, Vers: v.vers, Deps: append([]index.Dep{}, v.deps...), Yanked: v.yanked,
			Cksum: strings.Repeat("ab", 32), Features: map[string][]string{},
		})
		if err != nil {
			t.Fatal(err)
		}
		p := index.Path(v.name)
		if _, ok := files[p]; !ok {
			order = append(order, p)
		}
		files[p] = append(append(files[p], line...), '\n')
	}
	for _, p := range order {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := ingest.Run(ctx, st, &index.Dir{Root: root}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.BadLines != 0 {
		t.Fatalf("fixture has %d bad lines: %v", res.BadLines, res.ErrorStrings())
	}
	g, err := FromStore(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// names formats versions as sorted "name@version" strings.
func (g *Graph) names_(vs []VersionID) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = g.VersionString(v)
	}
	slices.Sort(out)
	return out
}

func stepNames(g *Graph, r *Reach, devOnly bool) []string {
	var vs []VersionID
	for _, st := range r.Steps {
		if st.DevOnly == devOnly {
			vs = append(vs, st.Version)
		}
	}
	return g.names_(vs)
}

func mustCrate(t testing.TB, g *Graph, name string) CrateID {
	t.Helper()
	c, ok := g.Crate(name)
	if !ok {
		t.Fatalf("crate %q not in graph", name)
	}
	return c
}

func mustVersion(t testing.TB, g *Graph, name, num string) VersionID {
	t.Helper()
	c := mustCrate(t, g, name)
	first, end := g.Versions(c)
	for v := first; v < end; v++ {
		if g.Version(v).String() == num {
			return v
		}
	}
	t.Fatalf("version %s@%s not in graph", name, num)
	return -1
}

// firstDep returns the first dependency of name@num on crate target.
func firstDep(t testing.TB, g *Graph, name, num, target string) DepID {
	t.Helper()
	v := mustVersion(t, g, name, num)
	tc, ok := g.byName[target]
	if !ok {
		t.Fatalf("crate %q never named", target)
	}
	first, end := g.Deps(v)
	for d := first; d < end; d++ {
		if g.Dep(d).Crate == tc {
			return d
		}
	}
	t.Fatalf("%s@%s has no dependency on %s", name, num, target)
	return -1
}
