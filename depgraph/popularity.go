package depgraph

import (
	"cmp"
	"slices"
)

// Popularity is how many crates depend on one crate.
type Popularity struct {
	Crate      CrateID
	Name       string
	Direct     int // crates whose newest version depends on it
	Transitive int // crates whose newest version's fresh resolution includes it
}

// Popularity counts, for every crate with versions, its direct and transitive dependents
// (see the package documentation: newest versions, fresh resolution; a dev edge is followed
// only from the dependent itself). Sorted by Transitive, then Direct, descending, then name.
func (g *Graph) Popularity(f Filter) []Popularity {
	direct := make([]int, len(g.names))
	trans := make([]int, len(g.names))
	vmark := make([]int32, len(g.vers))
	cmark := make([]int32, len(g.names))
	dmark := make([]int32, len(g.names))
	fwd := f
	fwd.Kinds = f.kinds() &^ KindDev
	var stack []VersionID
	for x := range g.names {
		root := g.newest[x]
		if root < 0 {
			continue
		}
		stamp := int32(x + 1)
		vmark[root], cmark[x], dmark[x] = stamp, stamp, stamp
		stack = append(stack[:0], root)
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			ff := fwd
			if v == root {
				ff = f
			}
			for d := g.verDeps[v]; d < g.verDeps[v+1]; d++ {
				if !ff.allows(g.depFlags[d]) {
					continue
				}
				t := g.res[g.depRes[d]].best
				if t < 0 {
					continue
				}
				tc := g.verCrate[t]
				if v == root && dmark[tc] != stamp {
					dmark[tc] = stamp
					direct[tc]++
				}
				if cmark[tc] != stamp {
					cmark[tc] = stamp
					trans[tc]++
				}
				if vmark[t] != stamp {
					vmark[t] = stamp
					stack = append(stack, VersionID(t))
				}
			}
		}
	}
	var out []Popularity
	for c, name := range g.names {
		if g.crateVers[c] < g.crateVers[c+1] {
			out = append(out, Popularity{Crate: CrateID(c), Name: name, Direct: direct[c], Transitive: trans[c]})
		}
	}
	slices.SortFunc(out, func(a, b Popularity) int {
		if c := cmp.Compare(b.Transitive, a.Transitive); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Direct, a.Direct); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
