package depgraph

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cratewatch/cratewatch/index"
)

// Kinds is a set of dependency kinds.
type Kinds uint8

// The dependency kinds.
const (
	KindNormal Kinds = 1 << iota
	KindBuild
	KindDev
)

// ParseKinds reads a comma-separated list of "normal", "build", "dev".
func ParseKinds(s string) (Kinds, error) {
	var k Kinds
	for f := range strings.SplitSeq(s, ",") {
		switch strings.TrimSpace(f) {
		case "normal":
			k |= KindNormal
		case "build":
			k |= KindBuild
		case "dev":
			k |= KindDev
		default:
			return 0, fmt.Errorf("dependency kinds %.64q: unknown kind %.32q (want normal, build, dev)", s, f)
		}
	}
	return k, nil
}

// Filter selects the dependency edges a traversal follows. The zero Filter follows normal and
// build dependencies, optional or not, for every target.
type Filter struct {
	Kinds      Kinds // zero means KindNormal|KindBuild
	NoOptional bool  // skip optional dependencies (those behind a feature)
	NoTarget   bool  // skip platform-specific dependencies
}

func (f Filter) kinds() Kinds {
	if f.Kinds == 0 {
		return KindNormal | KindBuild
	}
	return f.Kinds
}

func (f Filter) allows(fl uint8) bool {
	k := KindNormal
	switch {
	case fl&flagDev != 0:
		k = KindDev
	case fl&flagBuild != 0:
		k = KindBuild
	}
	return f.kinds()&k != 0 &&
		!(f.NoOptional && fl&flagOptional != 0) &&
		!(f.NoTarget && fl&flagTarget != 0)
}

// Options tune a reverse traversal.
type Options struct {
	Filter
	// MaxDepth bounds the chain length: 1 lists direct reverse dependencies only; 0 is
	// unlimited (the graph is finite and every version is visited at most once).
	MaxDepth int
	// Yanked lets dependencies resolve to yanked versions, as an existing lockfile may.
	Yanked bool
	// Fresh resolves each dependency only to the highest non-yanked version it admits, as a
	// new lockfile does when nothing else constrains it, instead of to any admitted version.
	Fresh bool
}

// Step is one version reached by a reverse traversal.
type Step struct {
	Version VersionID
	Depth   int32 // 0 for a seed
	// Parent indexes Reach.Steps: the step this one's dependency Dep resolves to (-1 for a
	// seed). Following parents gives a shortest chain to a seed.
	Parent int32
	Dep    DepID
	// DevOnly marks a version reached only through a dev-dependency edge: its tests use the
	// set, its dependents do not, so the traversal did not go further from it.
	DevOnly bool
}

// Reach is the result of a reverse traversal: every version that can resolve to a seed
// version directly or transitively, in order of depth, seeds first; dev-only steps last.
type Reach struct {
	g     *Graph
	Steps []Step
}

var scratchPool sync.Pool

// scratch is the per-traversal state, reused through scratchPool. An entry is valid only when
// its stamp equals the current epoch, so nothing needs clearing between traversals.
type scratch struct {
	epoch uint32
	mark  []uint32 // == epoch: reached through a propagating edge (or a seed)
	depth []int32  // of a marked version
	step  []int32  // index in Reach.Steps of a marked version
	dev   []uint32 // == epoch: reached through a dev edge
	done  []uint32 // == epoch: group already expanded
	level uint32   // stamp of the current level in seen
	seen  []uint32 // == level: crate already expanded at this level
}

func (g *Graph) scratch() *scratch {
	s, _ := scratchPool.Get().(*scratch)
	if s == nil || len(s.mark) != len(g.vers) || len(s.done) != len(g.groups) || len(s.seen) != len(g.names) {
		s = &scratch{
			mark: make([]uint32, len(g.vers)), depth: make([]int32, len(g.vers)), step: make([]int32, len(g.vers)),
			dev: make([]uint32, len(g.vers)), done: make([]uint32, len(g.groups)), seen: make([]uint32, len(g.names)),
		}
	}
	s.epoch++
	if s.epoch == 0 { // wrapped: old stamps could collide
		clear(s.mark)
		clear(s.dev)
		clear(s.done)
		s.epoch = 1
	}
	return s
}

func (s *scratch) nextLevel() {
	s.level++
	if s.level == 0 {
		clear(s.seen)
		s.level = 1
	}
}

// Reverse returns every version that can resolve to one of seeds, directly or transitively,
// following the edges opt allows (see the package documentation for the rules). Seeds out of
// range are ignored; duplicates are reached once.
//
// The traversal is breadth-first by levels, so chains are shortest. At each level it visits
// the crates that gained versions, and for each group of their reverse dependencies not yet
// expanded tests whether the group's admitted set holds a version reached at this level.
func (g *Graph) Reverse(seeds []VersionID, opt Options) *Reach {
	s := g.scratch()
	defer scratchPool.Put(s)
	r := &Reach{g: g}
	for _, v := range seeds {
		if v >= 0 && int(v) < len(g.vers) && s.mark[v] != s.epoch {
			s.reach(r, Step{Version: v, Parent: -1, Dep: -1})
		}
	}
	var devSteps []Step
	for start, depth := 0, int32(0); start < len(r.Steps); depth++ {
		end := len(r.Steps)
		if opt.MaxDepth > 0 && int(depth) >= opt.MaxDepth {
			break
		}
		s.nextLevel()
		for i := start; i < end; i++ {
			c := g.verCrate[r.Steps[i].Version]
			if s.seen[c] != s.level {
				s.seen[c] = s.level
				devSteps = g.expand(r, s, c, depth, opt, devSteps)
			}
		}
		start = end
	}
	for _, st := range devSteps {
		if s.mark[st.Version] != s.epoch {
			r.Steps = append(r.Steps, st)
		}
	}
	return r
}

func (s *scratch) reach(r *Reach, st Step) {
	s.mark[st.Version] = s.epoch
	s.depth[st.Version] = st.Depth
	s.step[st.Version] = int32(len(r.Steps))
	r.Steps = append(r.Steps, st)
}

// expand adds the owners of every group of crate c's reverse dependencies whose admitted set
// holds a version reached at depth.
func (g *Graph) expand(r *Reach, s *scratch, c CrateID, depth int32, opt Options, devSteps []Step) []Step {
	for gi := g.crateGroups[c]; gi < g.crateGroups[c+1]; gi++ {
		grp := &g.groups[gi]
		if s.done[gi] == s.epoch || !opt.allows(grp.flags) {
			continue
		}
		res := &g.res[grp.res]
		hit := VersionID(-1)
		if opt.Fresh {
			if v := VersionID(res.best); v >= 0 && s.mark[v] == s.epoch && s.depth[v] <= depth {
				hit = v
			}
		} else {
			for v := VersionID(res.lo); v < VersionID(res.hi); v++ {
				if s.mark[v] == s.epoch && s.depth[v] <= depth && (opt.Yanked || !g.yanked[v]) && res.admits(g, v) {
					hit = v
					break
				}
			}
		}
		if hit < 0 {
			continue
		}
		s.done[gi] = s.epoch
		parent := s.step[hit]
		dev := grp.flags&flagDev != 0
		for k := grp.start; k < g.groups[gi+1].start; k++ {
			o := g.revOwner[k]
			if s.mark[o] == s.epoch {
				continue
			}
			st := Step{Version: o, Depth: depth + 1, Parent: parent, Dep: g.revDeps[k], DevOnly: dev}
			if !dev {
				s.reach(r, st)
			} else if s.dev[o] != s.epoch {
				s.dev[o] = s.epoch
				devSteps = append(devSteps, st)
			}
		}
	}
	return devSteps
}

// Link is one hop of a dependency chain: Version depends, through Dep, on the next link's
// version. The last link is a seed and has Dep -1.
type Link struct {
	Version VersionID
	Dep     DepID
}

// Chain returns the shortest dependency chain found from step i to a seed.
func (r *Reach) Chain(i int) []Link {
	var out []Link
	for n := 0; i >= 0 && n <= len(r.Steps); n++ { // n bounds a corrupt parent cycle
		st := &r.Steps[i]
		out = append(out, Link{Version: st.Version, Dep: st.Dep})
		i = int(st.Parent)
	}
	return out
}

// FormatChain writes a chain as "a@1.0.0 -(^0.3)-> b@0.3.2 -(build ~1)-> c@1.0.1".
func (g *Graph) FormatChain(chain []Link) string {
	var b strings.Builder
	for i, l := range chain {
		if i > 0 {
			d := g.Dep(chain[i-1].Dep)
			b.WriteString(" -(")
			if d.Kind != index.Normal {
				b.WriteString(d.Kind.String())
				b.WriteByte(' ')
			}
			if d.Optional {
				b.WriteString("optional ")
			}
			b.WriteString(d.Req)
			b.WriteString(")-> ")
		}
		b.WriteString(g.VersionString(l.Version))
	}
	return b.String()
}

// CrateReach summarises the steps of a Reach for one crate.
type CrateReach struct {
	Crate    CrateID
	Versions int   // versions reached
	Total    int   // versions of the crate
	MinDepth int32 // shortest chain length among them
	First    int   // index in Reach.Steps of a step with MinDepth
	// NewestReached is set when the crate's newest version (see the package documentation)
	// was reached; NewestDevOnly when only through a dev-dependency (its tests, not its users).
	NewestReached bool
	NewestDevOnly bool
	DevOnly       bool    // every reached version was reached through dev edges only
	Steps         []int32 // indexes in Reach.Steps of the crate's steps, lowest version first
	NewestStep    int     // index in Reach.Steps of the newest version's step, or -1
}

// Crates groups the steps by crate, in crate-name order.
func (r *Reach) Crates() []CrateReach {
	idx := make([]int32, len(r.Steps))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return int(r.Steps[a].Version - r.Steps[b].Version) })
	var out []CrateReach
	for i := 0; i < len(idx); {
		c := r.g.verCrate[r.Steps[idx[i]].Version]
		first, end := r.g.Versions(c)
		cr := CrateReach{Crate: c, Total: int(end - first), MinDepth: -1, DevOnly: true, NewestStep: -1}
		from := i
		for ; i < len(idx) && r.g.verCrate[r.Steps[idx[i]].Version] == c; i++ {
			st := &r.Steps[idx[i]]
			cr.Versions++
			if cr.MinDepth < 0 || st.Depth < cr.MinDepth {
				cr.MinDepth, cr.First = st.Depth, int(idx[i])
			}
			if st.Version == r.g.newest[c] {
				cr.NewestReached, cr.NewestDevOnly, cr.NewestStep = true, st.DevOnly, int(idx[i])
			}
			cr.DevOnly = cr.DevOnly && st.DevOnly
		}
		cr.Steps = idx[from:i:i]
		out = append(out, cr)
	}
	return out
}
