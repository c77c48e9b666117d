package depgraph

import (
	"fmt"
	"slices"

	"github.com/cratewatch/cratewatch/semver"
)

// Exposure is what a vulnerable version set of one crate reaches.
type Exposure struct {
	Package    CrateID
	Vulnerable []VersionID // every vulnerable version, yanked ones included
	// Exposed holds every version that a new resolution can lead to a vulnerable version
	// (yanked versions are not chosen); its seeds are the non-yanked vulnerable versions.
	Exposed *Reach
	// WithYanked is the same traversal when yanked versions may be chosen, as in lockfiles
	// written before a yank; YankedOnly lists what it adds.
	WithYanked *Reach
	// Fresh holds the versions whose fresh resolution (Options.Fresh) includes a vulnerable
	// version: what `cargo generate-lockfile` would pull today, not just what it could.
	Fresh *Reach
}

// Exposure computes the versions exposed to the versions of crate pkg for which vulnerable
// returns true. opt.Yanked and opt.Fresh are ignored: every answer is computed.
func (g *Graph) Exposure(pkg string, vulnerable func(semver.Version) bool, opt Options) (*Exposure, error) {
	c, ok := g.Crate(pkg)
	if !ok {
		return nil, fmt.Errorf("depgraph: crate %.64q: not in the graph", pkg)
	}
	e := &Exposure{Package: c}
	first, end := g.Versions(c)
	for v := first; v < end; v++ {
		if vulnerable(g.vers[v]) {
			e.Vulnerable = append(e.Vulnerable, v)
		}
	}
	opt.Yanked = false
	live := make([]VersionID, 0, len(e.Vulnerable))
	for _, v := range e.Vulnerable {
		if !g.yanked[v] {
			live = append(live, v)
		}
	}
	e.Exposed = g.Reverse(live, opt)
	e.Fresh = g.Reverse(live, Options{Filter: opt.Filter, MaxDepth: opt.MaxDepth, Fresh: true})
	opt.Yanked = true
	e.WithYanked = g.Reverse(e.Vulnerable, opt)
	return e, nil
}

// YankedOnly returns the indexes in WithYanked.Steps of the versions that only a resolution
// choosing a yanked version exposes: yanked vulnerable versions, and versions whose every
// chain passes through a yanked version.
func (e *Exposure) YankedOnly() []int {
	in := make([]VersionID, len(e.Exposed.Steps))
	for i, st := range e.Exposed.Steps {
		in[i] = st.Version
	}
	slices.Sort(in)
	var out []int
	for i, st := range e.WithYanked.Steps {
		if _, found := slices.BinarySearch(in, st.Version); !found {
			out = append(out, i)
		}
	}
	return out
}

// BlastRadius counts the crates other than the vulnerable one whose newest version is in r
// (Exposed or Fresh) through a chain that reaches their users (not a dev-dependency only).
func (e *Exposure) BlastRadius(r *Reach) int {
	n := 0
	for _, cr := range r.Crates() {
		if cr.Crate != e.Package && cr.NewestReached && !cr.NewestDevOnly {
			n++
		}
	}
	return n
}
