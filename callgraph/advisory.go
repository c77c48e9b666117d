package callgraph

import (
	"slices"
	"strings"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/semver"
)

// Step is one hop of a call path.
type Step struct {
	Caller string `json:"caller"`
	Callee string `json:"callee"`
	At     string `json:"at"` // crate-version/file:line:col of the call
	Kind   string `json:"kind"`
	// OtherPlatform: the call is compiled only on platforms other than x86_64 Linux (it sits
	// under a #[cfg] false there).
	OtherPlatform bool `json:"other_platform,omitempty"`
	file          string
	line          int32
	col           int32
}

// Finding is a crate version that reaches an affected function, with one shortest call path from
// its nearest function.
type Finding struct {
	Crate       string `json:"crate"`
	Version     string `json:"version"`
	Function    string `json:"function"`
	Target      string `json:"target"`
	Approximate bool   `json:"approximate"` // no path over exact and trait edges: it needs an approximate one
	// OtherPlatform: the path takes a call that is compiled only on platforms other than x86_64
	// Linux.
	OtherPlatform bool   `json:"other_platform,omitempty"`
	Path          []Step `json:"path"`
}

// CrateVersion names a crate version.
type CrateVersion struct {
	Crate   string `json:"crate"`
	Version string `json:"version"`
}

// AdvisoryReach answers an advisory: which crate versions reach an affected function, and which
// only depend (directly or not) on a vulnerable version.
type AdvisoryReach struct {
	ID        string   `json:"id"`
	Package   string   `json:"package"`
	Title     string   `json:"title"`
	Functions []string `json:"functions"`
	// Vulnerable lists the corpus versions of the package the advisory affects; Resolved the
	// affected functions found in them, Unresolved the paths found in none.
	Vulnerable  []CrateVersion `json:"vulnerable_versions"`
	Resolved    []string       `json:"resolved_functions"`
	Unresolved  []string       `json:"unresolved_functions,omitempty"`
	Reaching    []Finding      `json:"reaching"`
	NotReaching []CrateVersion `json:"not_reaching"`
}

// ReachAdvisory computes an advisory's reachability over the graph.
func (g *Graph) ReachAdvisory(a *advisory.Advisory) *AdvisoryReach {
	// Empty lists stay lists in JSON ("reaching": [], not null).
	ar := &AdvisoryReach{ID: a.ID, Package: a.Package, Title: a.Title, Functions: []string{},
		Vulnerable: []CrateVersion{}, Resolved: []string{}, Reaching: []Finding{}, NotReaching: []CrateVersion{}}
	for f := range a.Affected.Functions {
		ar.Functions = append(ar.Functions, f)
	}
	slices.Sort(ar.Functions)
	vulnerable := map[int32]bool{}
	var targets []int32
	found := map[string]bool{}
	for _, c := range g.CratesNamed(a.Package) {
		cr := &g.Crates[c]
		v, err := semver.Parse(cr.Version)
		if err != nil || !a.Vulnerable(v) {
			continue
		}
		vulnerable[c] = true
		ar.Vulnerable = append(ar.Vulnerable, CrateVersion{cr.Name, cr.Version})
		for _, fp := range ar.Functions {
			if reqs := a.Affected.Functions[fp]; len(reqs) > 0 && !slices.ContainsFunc(reqs, func(r semver.Req) bool { return r.Matches(v) }) {
				continue
			}
			for _, fn := range g.Lookup(fp) {
				if g.Fns[fn].Crate == c {
					targets = append(targets, fn)
					found[fp] = true
				}
			}
		}
	}
	for _, fp := range ar.Functions {
		if found[fp] {
			ar.Resolved = append(ar.Resolved, fp)
		} else if len(vulnerable) > 0 {
			ar.Unresolved = append(ar.Unresolved, fp)
		}
	}
	exact := g.TransitiveCallers(targets, EdgeTrait)
	all := g.TransitiveCallers(targets, EdgeApprox)
	// Each reaching crate is shown from its nearest function whose path is surest: over exact
	// and trait edges before one that needs an approximate edge, this platform's calls before a
	// path through another platform's.
	pathOf := func(fn int32) []Edge {
		if exact.Reaches(fn) {
			return exact.Path(fn)
		}
		return all.Path(fn)
	}
	rank := func(fn int32) int {
		r := 0
		if !exact.Reaches(fn) {
			r = 2
		}
		if otherPlatform(pathOf(fn)) {
			r++
		}
		return r
	}
	best := map[int32]int32{} // reaching crate -> its nearest function
	bestRank := map[int32]int{}
	for _, fn := range all.Order {
		c := g.Fns[fn].Crate
		if vulnerable[c] || g.Crates[c].Name == a.Package {
			continue
		}
		prev, ok := bestRank[c]
		if ok && prev == 0 {
			continue
		}
		if r := rank(fn); !ok || r < prev {
			best[c], bestRank[c] = fn, r
		}
	}
	for c, fn := range best {
		path := pathOf(fn)
		ar.Reaching = append(ar.Reaching, Finding{Crate: g.Crates[c].Name, Version: g.Crates[c].Version,
			Function: g.Fns[fn].Path, Target: g.Fns[path[len(path)-1].To].Path,
			Approximate: !exact.Reaches(fn), OtherPlatform: otherPlatform(path),
			Path: g.Steps(path)})
	}
	slices.SortFunc(ar.Reaching, func(x, y Finding) int {
		return cmpCV(CrateVersion{x.Crate, x.Version}, CrateVersion{y.Crate, y.Version})
	})
	for _, c := range g.Dependents(vulnerable) {
		if _, ok := best[c]; !ok {
			ar.NotReaching = append(ar.NotReaching, CrateVersion{g.Crates[c].Name, g.Crates[c].Version})
		}
	}
	return ar
}

// otherPlatform reports whether a path takes a call of another platform's code.
func otherPlatform(path []Edge) bool {
	return slices.ContainsFunc(path, func(e Edge) bool { return e.CfgOff })
}

func cmpCV(a, b CrateVersion) int {
	if c := strings.Compare(a.Crate, b.Crate); c != 0 {
		return c
	}
	return compareVersions(a.Version, b.Version)
}

// Label is the step's kind, and whether it is another platform's call, for text output.
func (s Step) Label() string {
	if s.OtherPlatform {
		return s.Kind + ", not on x86_64 Linux"
	}
	return s.Kind
}

// Steps renders a path of edges.
func (g *Graph) Steps(path []Edge) []Step {
	out := make([]Step, len(path))
	for i, e := range path {
		f := &g.Fns[e.From]
		c := &g.Crates[f.Crate]
		out[i] = Step{Caller: f.Path, Callee: g.Fns[e.To].Path, At: g.Pos(e), Kind: e.Kind.String(), OtherPlatform: e.CfgOff,
			file: c.Name + "-" + c.Version + "/" + g.Files[f.File], line: e.Line, col: e.Col}
	}
	return out
}

// Dependents returns the crate versions that depend, directly or transitively, on one of the
// given crate versions (those excluded), in crate id order.
func (g *Graph) Dependents(of map[int32]bool) []int32 {
	rev := make([][]int32, len(g.Crates))
	for i := range g.Crates {
		for _, d := range g.Crates[i].Deps {
			if d.Crate >= 0 {
				rev[d.Crate] = append(rev[d.Crate], int32(i))
			}
		}
	}
	seen := make([]bool, len(g.Crates))
	var q []int32
	for c := range of {
		seen[c] = true
		q = append(q, c)
	}
	var out []int32
	for i := 0; i < len(q); i++ {
		for _, d := range rev[q[i]] {
			if !seen[d] {
				seen[d] = true
				q = append(q, d)
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}
