package depgraph

import (
	"fmt"
	"slices"
	"strings"

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

// scratch is the per-traversal state, reused between traversals. Membership is kept in
// bitsets (32 KB for a quarter-million versions, so the hot checks stay in cache) that are
// cleared per traversal; per-version detail lives in ver, valid only where marked.
type scratch struct {
	marked bitset // reached through a propagating edge (or a seed)
	dev    bitset // reached through a dev edge
	done   bitset // group already expanded
	ver    []vstate
	level  uint32   // stamp of the current level in seen
	seen   []uint32 // == level: crate already expanded at this level
	steps  []Step   // grows to the largest traversal; results are copied out
}

// vstate is a marked version's depth and index in the steps.
type vstate struct {
	depth int32
	step  int32
}

type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) set(i int32)      { b[i>>6] |= 1 << (i & 63) }

// scratch takes a scratch from the graph's free list (a buffered channel: traversals never
// wait for one another, and a sync.Pool would drop these large buffers at every GC).
func (g *Graph) scratch() *scratch {
	var s *scratch
	select {
	case s = <-g.free:
		clear(s.marked)
		clear(s.dev)
		clear(s.done)
	default:
		s = &scratch{marked: newBitset(len(g.vers)), dev: newBitset(len(g.vers)), done: newBitset(len(g.groups)),
			ver: make([]vstate, len(g.vers)), seen: make([]uint32, len(g.names))}
	}
	s.steps = s.steps[:0]
	return s
}

func (g *Graph) release(s *scratch) {
	select {
	case g.free <- s:
	default:
	}
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
	defer g.release(s)
	r := &Reach{g: g}
	for _, v := range seeds {
		if v >= 0 && int(v) < len(g.vers) && !s.marked.has(int32(v)) {
			s.reach(Step{Version: v, Parent: -1, Dep: -1})
		}
	}
	var devSteps []Step
	for start, depth := 0, int32(0); start < len(s.steps); depth++ {
		end := len(s.steps)
		if opt.MaxDepth > 0 && int(depth) >= opt.MaxDepth {
			break
		}
		s.nextLevel()
		for i := start; i < end; i++ {
			c := g.verCrate[s.steps[i].Version]
			if s.seen[c] != s.level {
				s.seen[c] = s.level
				devSteps = g.expand(s, c, depth, opt, devSteps)
			}
		}
		start = end
	}
	n := len(s.steps)
	for _, st := range devSteps {
		if !s.marked.has(int32(st.Version)) {
			n++
		}
	}
	r.Steps = make([]Step, len(s.steps), n)
	copy(r.Steps, s.steps)
	for _, st := range devSteps {
		if !s.marked.has(int32(st.Version)) {
			r.Steps = append(r.Steps, st)
		}
	}
	return r
}

func (s *scratch) reach(st Step) {
	s.marked.set(int32(st.Version))
	s.ver[st.Version] = vstate{depth: st.Depth, step: int32(len(s.steps))}
	s.steps = append(s.steps, st)
}

// expand adds the owners of every group of crate c's reverse dependencies whose admitted set
// holds a version reached at depth.
func (g *Graph) expand(s *scratch, c CrateID, depth int32, opt Options, devSteps []Step) []Step {
	for gi := g.crateGroups[c]; gi < g.crateGroups[c+1]; gi++ {
		grp := &g.groups[gi]
		if s.done.has(gi) || !opt.allows(grp.flags) {
			continue
		}
		res := &g.res[grp.res]
		hit := VersionID(-1)
		if opt.Fresh {
			if v := res.best; v >= 0 && s.marked.has(v) && s.ver[v].depth <= depth {
				hit = VersionID(v)
			}
		} else {
			for v := res.lo; v < res.hi; v++ {
				if s.marked.has(v) && s.ver[v].depth <= depth && (opt.Yanked || !g.yanked[v]) && res.admits(g, VersionID(v)) {
					hit = VersionID(v)
					break
				}
			}
		}
		if hit < 0 {
			continue
		}
		s.done.set(gi)
		parent := s.ver[hit].step
		dev := grp.flags&flagDev != 0
		for k := grp.start; k < g.groups[gi+1].start; k++ {
			o := g.revOwner[k]
			if s.marked.has(int32(o)) {
				continue
			}
			st := Step{Version: o, Depth: depth + 1, Parent: parent, Dep: g.revDeps[k], DevOnly: dev}
			if !dev {
				s.reach(st)
			} else if !s.dev.has(int32(o)) {
				s.dev.set(int32(o))
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
