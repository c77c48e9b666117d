package callgraph

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// EdgeKind says how sure an edge is. Lower is surer.
type EdgeKind uint8

const (
	// EdgeExact: the call's path or receiver type resolves to this function.
	EdgeExact EdgeKind = iota
	// EdgeTrait: a call of a trait method, to one of the implementations visible from the caller.
	EdgeTrait
	// EdgeApprox: a method call on a receiver of unknown type, to a method of that name.
	EdgeApprox
)

func (k EdgeKind) String() string {
	switch k {
	case EdgeExact:
		return "exact"
	case EdgeTrait:
		return "trait"
	}
	return "approximate"
}

// Edge is a call from one function to another at a position in the caller's file.
type Edge struct {
	From, To  int32
	Line, Col int32
	Kind      EdgeKind
	// CfgOff: every call site of the edge sits under a #[cfg(..)] that is false on x86_64 Linux
	// (another platform's code, kept in the graph).
	CfgOff bool
}

// Function is one Rust function of the graph.
type Function struct {
	Crate int32
	Path  string // "smallvec::SmallVec::insert_many", bins: "tool::{bin}::main"
	Name  string
	Owner string // impl self type or trait name, "" for free fns
	File  int32  // index in Graph.Files
	Line  int32
	Flags uint8
}

// Crate is one crate version of the graph; its functions are Fns[FirstFn:EndFn].
type Crate struct {
	Name, Version  string
	Deps           []Dep
	FirstFn, EndFn int32
	FirstFile      int32
	Problems       int
}

// AliasKind says what a public re-export names.
type AliasKind uint8

const (
	AliasFn AliasKind = iota
	AliasType
	AliasTrait
	AliasMod
)

// Alias is a public path that names something defined elsewhere (pub use, pub use ...::*): From
// "smallvec::SmallVec" for a type re-exported at the crate root. For a glob, From ends in "::*".
// Target is the display path of a module, the name of a type or trait, or unused for a fn.
type Alias struct {
	From   string
	Kind   AliasKind
	Crate  int32
	Fn     int32
	Target string
}

// Graph is the linked call graph: functions and edges in flat arrays.
type Graph struct {
	Crates  []Crate
	Fns     []Function
	Files   []string
	Aliases []Alias
	Stats   Stats

	edges    []Edge  // sorted by caller, then callee
	outStart []int32 // edges of fn i: edges[outStart[i]:outStart[i+1]]
	inOrder  []int32 // edge indexes sorted by callee
	inStart  []int32

	once    sync.Once
	byPath  map[string][]int32
	byOwner map[string][]int32 // crate ident \x00 owner \x00 name
	byAlias map[string][]int32 // indexes in Aliases by From
	byCrate map[string][]int32 // crate ident -> crate ids
}

// NewGraph assembles a graph from its parts (as persisted); edges may be in any order. Parts that
// refer outside the others are an error: a store is input too.
func NewGraph(crates []Crate, fns []Function, files []string, aliases []Alias, edges []Edge) (*Graph, error) {
	nc, nf := int32(len(crates)), int32(len(fns))
	for i, c := range crates {
		if c.FirstFn < 0 || c.FirstFn > c.EndFn || c.EndFn > nf || c.FirstFile < 0 || int(c.FirstFile) > len(files) {
			return nil, fmt.Errorf("call graph: crate %d (%s %s): function or file range out of bounds", i, c.Name, c.Version)
		}
		for _, d := range c.Deps {
			if d.Crate < -1 || d.Crate >= nc {
				return nil, fmt.Errorf("call graph: crate %d (%s %s): dependency %s refers to crate %d of %d", i, c.Name, c.Version, d.Name, d.Crate, nc)
			}
		}
	}
	for i, f := range fns {
		if f.Crate < 0 || f.Crate >= nc || f.File < 0 || int(f.File) >= len(files) {
			return nil, fmt.Errorf("call graph: function %d (%s): crate or file out of bounds", i, f.Path)
		}
	}
	for i, e := range edges {
		if e.From < 0 || e.From >= nf || e.To < 0 || e.To >= nf || e.Kind > EdgeApprox {
			return nil, fmt.Errorf("call graph: edge %d (%d -> %d, kind %d) out of bounds", i, e.From, e.To, e.Kind)
		}
	}
	for _, a := range aliases {
		if a.Crate < 0 || a.Crate >= nc || a.Kind == AliasFn && (a.Fn < 0 || a.Fn >= nf) || a.Kind > AliasMod {
			return nil, fmt.Errorf("call graph: alias %s out of bounds", a.From)
		}
	}
	g := &Graph{Crates: crates, Fns: fns, Files: files, Aliases: aliases}
	g.setEdges(edges)
	return g, nil
}

// Store persists call graphs; internal/store's SQLite and PostgreSQL stores implement it.
type Store interface {
	SaveCallGraph(ctx context.Context, g *Graph) error
	LoadCallGraph(ctx context.Context) (*Graph, error)
}

func (g *Graph) setEdges(edges []Edge) {
	slices.SortFunc(edges, func(a, b Edge) int {
		if a.From != b.From {
			return int(a.From - b.From)
		}
		return int(a.To - b.To)
	})
	n := len(g.Fns)
	g.edges = edges
	g.outStart = make([]int32, n+1)
	g.inStart = make([]int32, n+1)
	for _, e := range edges {
		g.outStart[e.From+1]++
		g.inStart[e.To+1]++
	}
	for i := range n {
		g.outStart[i+1] += g.outStart[i]
		g.inStart[i+1] += g.inStart[i]
	}
	g.inOrder = make([]int32, len(edges))
	fill := slices.Clone(g.inStart[:n])
	for i, e := range edges {
		g.inOrder[fill[e.To]] = int32(i)
		fill[e.To]++
	}
}

// OnLinux returns the graph without the edges of other platforms' code (Edge.CfgOff): the calls
// an x86_64 Linux build makes, for a team that deploys only there. The parts other than edges
// are shared with g.
func (g *Graph) OnLinux() *Graph {
	v := &Graph{Crates: g.Crates, Fns: g.Fns, Files: g.Files, Aliases: g.Aliases, Stats: g.Stats}
	edges := make([]Edge, 0, len(g.edges))
	for _, e := range g.edges {
		if e.CfgOff {
			v.Stats.countEdge(e.Kind, -1)
			continue
		}
		edges = append(edges, e)
	}
	v.setEdges(edges)
	return v
}

// Edges returns every edge, sorted by caller.
func (g *Graph) Edges() []Edge { return g.edges }

// Callees returns the edges out of fn.
func (g *Graph) Callees(fn int32) []Edge { return g.edges[g.outStart[fn]:g.outStart[fn+1]] }

// Callers returns the edges into fn.
func (g *Graph) Callers(fn int32) []Edge {
	idx := g.inOrder[g.inStart[fn]:g.inStart[fn+1]]
	out := make([]Edge, len(idx))
	for i, j := range idx {
		out[i] = g.edges[j]
	}
	return out
}

// CrateOf returns the crate of a function.
func (g *Graph) CrateOf(fn int32) *Crate { return &g.Crates[g.Fns[fn].Crate] }

// Pos returns "file:line:col" of an edge's call site (in the caller's file).
func (g *Graph) Pos(e Edge) string {
	f := g.Fns[e.From]
	c := &g.Crates[f.Crate]
	return c.Name + "-" + c.Version + "/" + g.Files[f.File] + ":" + itoa(int(e.Line)) + ":" + itoa(int(e.Col))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func (g *Graph) index() {
	g.once.Do(func() {
		g.byPath = make(map[string][]int32, len(g.Fns))
		g.byOwner = map[string][]int32{}
		for i := range g.Fns {
			f := &g.Fns[i]
			g.byPath[f.Path] = append(g.byPath[f.Path], int32(i))
			if f.Owner != "" {
				k := identName(g.Crates[f.Crate].Name) + "\x00" + f.Owner + "\x00" + f.Name
				g.byOwner[k] = append(g.byOwner[k], int32(i))
			}
		}
		g.byAlias = map[string][]int32{}
		for i := range g.Aliases {
			g.byAlias[g.Aliases[i].From] = append(g.byAlias[g.Aliases[i].From], int32(i))
		}
		g.byCrate = map[string][]int32{}
		for i := range g.Crates {
			id := identName(g.Crates[i].Name)
			g.byCrate[id] = append(g.byCrate[id], int32(i))
		}
	})
}

// CratesNamed returns the ids of the crate versions called name (hyphens and underscores alike),
// oldest first.
func (g *Graph) CratesNamed(name string) []int32 {
	g.index()
	return g.byCrate[identName(name)]
}

// Lookup finds the functions a Rust path names in any crate version: the defining path
// ("smallvec::SmallVec::insert_many"), a public re-export path, or crate::Type::method with the
// impl in another module. The result is sorted and has no duplicates.
func (g *Graph) Lookup(path string) []int32 {
	g.index()
	path = strings.TrimPrefix(strings.TrimSpace(path), "::")
	segs := strings.Split(path, "::")
	if len(segs) > 0 {
		segs[0] = identName(segs[0])
	}
	out := g.lookup(segs)
	if len(out) == 0 && len(segs) >= 3 {
		out = append(out, g.byOwner[segs[0]+"\x00"+segs[len(segs)-2]+"\x00"+segs[len(segs)-1]]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// maxLookupPaths bounds the paths one Lookup tries: glob re-exports of nested modules can
// rewrite a path into ever longer ones (with a::* of a::b, a::x::f may be a::b::x::f, then
// a::b::b::x::f, ...), each also a route.
const maxLookupPaths = 4096

// lookup follows re-exports from segs breadth first, so that the shortest chains of
// re-exports are tried first and the first level that names functions is the answer; each
// path is tried once whatever the route to it.
func (g *Graph) lookup(segs []string) []int32 {
	seen := map[string]bool{}
	frontier := [][]string{segs}
	for depth := 0; depth <= maxResolveDepth && len(frontier) > 0; depth++ {
		var out []int32
		var next [][]string
		for _, p := range frontier {
			full := strings.Join(p, "::")
			if seen[full] || len(seen) >= maxLookupPaths {
				continue
			}
			seen[full] = true
			if fns := g.byPath[full]; len(fns) > 0 {
				out = append(out, fns...)
				continue
			}
			for k := len(p); k >= 1; k-- {
				prefix := strings.Join(p[:k], "::")
				rest := p[k:]
				for _, ai := range g.byAlias[prefix] {
					a := &g.Aliases[ai]
					switch a.Kind {
					case AliasFn:
						if len(rest) == 0 {
							out = append(out, a.Fn)
						}
					case AliasType, AliasTrait:
						if len(rest) == 1 {
							out = append(out, g.byOwner[identName(g.Crates[a.Crate].Name)+"\x00"+a.Target+"\x00"+rest[0]]...)
						}
					case AliasMod:
						next = append(next, append(strings.Split(a.Target, "::"), rest...))
					}
				}
				if k < len(p) {
					for _, ai := range g.byAlias[prefix+"::*"] {
						if a := &g.Aliases[ai]; a.Kind == AliasMod {
							next = append(next, append(strings.Split(a.Target, "::"), rest...))
						}
					}
				}
			}
		}
		if len(out) > 0 {
			return out
		}
		frontier = next
	}
	return nil
}

// computeAliases lists the public re-exports of every crate's library.
func computeAliases(crates []*crateIndex, base []int32) []Alias {
	r := &resolver{crates: crates}
	var out []Alias
	for c, ci := range crates {
		// In key order: the shared resolver's cached answers depend on the order of lookups.
		for _, key := range slices.Sorted(maps.Keys(ci.mods)) {
			m := ci.mods[key]
			if strings.HasPrefix(key, "bin:") {
				continue
			}
			from := modDisplay(ci.ident, key)
			for _, u := range m.uses {
				if !u.pub {
					continue
				}
				for _, d := range r.resolveUse(int32(c), key, u.path, 0) {
					a := Alias{From: from + "::" + u.name, Crate: d.crate}
					switch d.kind {
					case defFn:
						a.Kind, a.Fn = AliasFn, base[d.crate]+d.fn
					case defType:
						a.Kind, a.Target = AliasType, d.key
					case defTrait:
						a.Kind, a.Target = AliasTrait, d.key
					case defMod:
						a.Kind, a.Target = AliasMod, modDisplay(crates[d.crate].ident, d.key)
					default:
						continue
					}
					out = append(out, a)
				}
			}
			for _, gp := range m.pubGlobs {
				for _, d := range r.resolveUse(int32(c), key, gp, 0) {
					if d.kind == defMod {
						out = append(out, Alias{From: from + "::*", Kind: AliasMod, Crate: d.crate,
							Target: modDisplay(crates[d.crate].ident, d.key)})
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Alias) int { return strings.Compare(a.From, b.From) })
	return out
}

// modDisplay turns a module key into the path prefix its functions carry.
func modDisplay(ident, key string) string { return ident + strings.TrimPrefix(key, "crate") }
