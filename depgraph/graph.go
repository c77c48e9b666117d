package depgraph

import (
	"unsafe"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/semver"
)

// CrateID, VersionID and DepID index a Graph's flat arrays. Crate ids follow name order; the
// versions of a crate have consecutive ids in precedence order.
type (
	CrateID   int32
	VersionID int32
	DepID     int32
)

// Graph is an immutable dependency graph; see the package documentation for its rules.
type Graph struct {
	names  []string // by CrateID, sorted; includes crates that are only depended on
	byName map[string]CrateID

	crateVers []int32 // versions of crate c: [crateVers[c], crateVers[c+1])
	vers      []semver.Version
	verCrate  []CrateID
	yanked    []bool
	verDeps   []int32 // dependencies of version v: [verDeps[v], verDeps[v+1])
	newest    []VersionID

	depRes   []int32 // index into res
	depOwner []VersionID
	depFlags []uint8

	res  []resolution
	reqs []string
	bits []uint64 // admitted-set bitmaps of irregular resolutions

	// Reverse adjacency: dependencies sorted by (target crate, resolution, filter flags,
	// owner), cut into groups that share a resolution and flags; crateGroups is the CSR
	// index from a crate to its groups, groups[len-1] a sentinel.
	revDeps     []DepID
	revOwner    []VersionID
	groups      []group
	crateGroups []int32

	irregular int
	stats     Stats
	free      chan *scratch // traversal buffers for reuse, at most GOMAXPROCS
}

// Dependency flags.
const (
	flagBuild uint8 = 1 << iota
	flagDev
	flagOptional
	flagTarget
	flagRenamed
)

// group is a run of revDeps/revOwner: [start, next group's start).
type group struct {
	res   int32
	flags uint8
	start int32
}

// filterFlags are the dependency flags a Filter looks at.
const (
	filterFlags      = flagBuild | flagDev | flagOptional | flagTarget
	filterFlagValues = 16
)

// resolution is what one requirement admits among the versions of one crate: the version
// ids in [lo, hi), all of them when bits < 0, else those whose bit is set in g.bits[bits:].
type resolution struct {
	crate  CrateID
	req    int32
	lo, hi int32
	best   int32 // highest admitted non-yanked version, or -1
	bits   int32
	flags  uint8
}

const resBadReq uint8 = 1

func (r *resolution) admits(g *Graph, v VersionID) bool {
	if int32(v) < r.lo || int32(v) >= r.hi {
		return false
	}
	if r.bits < 0 {
		return true
	}
	i := int32(v) - r.lo
	return g.bits[r.bits+i/64]&(1<<(i%64)) != 0
}

// Stats describes a built graph and what it could not resolve.
type Stats struct {
	Crates               int     `json:"crates"` // including crates only depended on
	Versions             int     `json:"versions"`
	Deps                 int     `json:"deps"`
	Resolutions          int     `json:"distinct_resolutions"`  // distinct (crate, requirement) pairs
	IrregularResolutions int     `json:"irregular_resolutions"` // admitted sets with holes
	DepsUnparsable       int     `json:"deps_unparsable"`
	DepsUnknownCrate     int     `json:"deps_unknown_crate"`
	DepsNoMatch          int     `json:"deps_matching_no_version"`
	DepsOnlyYanked       int     `json:"deps_matching_only_yanked"`
	Rejected             int     `json:"rejected_entries"`
	Errors               []error `json:"-"`
}

// Stats returns counts about the graph.
func (g *Graph) Stats() Stats { return g.stats }

// Crate returns the id of the named crate; ok is false when the graph has no version of it.
func (g *Graph) Crate(name string) (CrateID, bool) {
	c, ok := g.byName[name]
	return c, ok && g.crateVers[c] < g.crateVers[c+1]
}

// NumCrates is the number of crate ids (including crates that are only depended on).
func (g *Graph) NumCrates() int { return len(g.names) }

// NumVersions is the number of version ids.
func (g *Graph) NumVersions() int { return len(g.vers) }

// Name returns the name of crate c.
func (g *Graph) Name(c CrateID) string { return g.names[c] }

// Versions returns the ids of crate c's versions, lowest precedence first.
func (g *Graph) Versions(c CrateID) (first, end VersionID) {
	return VersionID(g.crateVers[c]), VersionID(g.crateVers[c+1])
}

// Newest returns crate c's newest version (see the package documentation), or -1.
func (g *Graph) Newest(c CrateID) VersionID { return g.newest[c] }

// Version returns the semver version of v.
func (g *Graph) Version(v VersionID) semver.Version { return g.vers[v] }

// CrateOf returns the crate of version v.
func (g *Graph) CrateOf(v VersionID) CrateID { return g.verCrate[v] }

// Yanked reports whether version v is yanked.
func (g *Graph) Yanked(v VersionID) bool { return g.yanked[v] }

// VersionString formats v as "name@version".
func (g *Graph) VersionString(v VersionID) string {
	return g.names[g.verCrate[v]] + "@" + g.vers[v].String()
}

// Match returns the versions of crate c that req matches (Cargo's pre-release rule applies),
// yanked ones included.
func (g *Graph) Match(c CrateID, req semver.Req) []VersionID {
	var out []VersionID
	for v := g.crateVers[c]; v < g.crateVers[c+1]; v++ {
		if req.Matches(g.vers[v]) {
			out = append(out, VersionID(v))
		}
	}
	return out
}

// Deps returns the ids of version v's dependencies.
func (g *Graph) Deps(v VersionID) (first, end DepID) {
	return DepID(g.verDeps[v]), DepID(g.verDeps[v+1])
}

// Dep describes one dependency edge.
type Dep struct {
	Owner    VersionID     // the depending version
	Crate    CrateID       // the real target crate (Package of a renamed dependency)
	Req      string        // as written in the index
	Kind     index.DepKind // normal, build or dev
	Optional bool
	Target   bool // platform-specific ([target.'cfg(..)'.dependencies])
	Renamed  bool
	// Unparsable is set when Req does not parse; such a dependency admits nothing.
	Unparsable bool
}

// Dep describes dependency d.
func (g *Graph) Dep(d DepID) Dep {
	r := &g.res[g.depRes[d]]
	fl := g.depFlags[d]
	return Dep{
		Owner:      g.depOwner[d],
		Crate:      r.crate,
		Req:        g.reqs[r.req],
		Kind:       flagKind(fl),
		Optional:   fl&flagOptional != 0,
		Target:     fl&flagTarget != 0,
		Renamed:    fl&flagRenamed != 0,
		Unparsable: r.flags&resBadReq != 0,
	}
}

func flagKind(fl uint8) index.DepKind {
	switch {
	case fl&flagDev != 0:
		return index.Dev
	case fl&flagBuild != 0:
		return index.Build
	}
	return index.Normal
}

// Resolution is the set of versions one dependency admits, split by yanked state.
type Resolution struct {
	Admitted []VersionID // non-yanked, lowest first: what a new resolution may choose
	Yanked   []VersionID // yanked versions the requirement also matches
	Best     VersionID   // highest of Admitted, what a fresh resolution picks; -1 if none
}

// Resolve lists what dependency d admits.
func (g *Graph) Resolve(d DepID) Resolution {
	r := &g.res[g.depRes[d]]
	out := Resolution{Best: VersionID(r.best)}
	for v := VersionID(r.lo); v < VersionID(r.hi); v++ {
		if !r.admits(g, v) {
			continue
		}
		if g.yanked[v] {
			out.Yanked = append(out.Yanked, v)
		} else {
			out.Admitted = append(out.Admitted, v)
		}
	}
	return out
}

// Admits reports whether dependency d's requirement matches version v (yanked or not).
func (g *Graph) Admits(d DepID, v VersionID) bool {
	return g.res[g.depRes[d]].admits(g, v)
}

// MemoryBytes estimates the heap held by the graph's arrays and strings (map overhead
// approximated), for capacity planning; runtime.MemStats gives the measured figure.
func (g *Graph) MemoryBytes() int {
	n := 0
	for _, s := range g.names {
		n += len(s) + int(unsafe.Sizeof(s))
	}
	n += len(g.byName) * 48
	n += len(g.crateVers)*4 + len(g.verDeps)*4 + len(g.newest)*4 + len(g.verCrate)*4 + len(g.yanked)
	for i := range g.vers {
		n += int(unsafe.Sizeof(g.vers[i])) + len(g.vers[i].Pre) + len(g.vers[i].Build)
	}
	n += len(g.depRes)*4 + len(g.depOwner)*4 + len(g.depFlags)
	n += len(g.res) * int(unsafe.Sizeof(resolution{}))
	for _, s := range g.reqs {
		n += len(s) + int(unsafe.Sizeof(s))
	}
	n += len(g.bits)*8 + len(g.revDeps)*4 + len(g.revOwner)*4 + len(g.crateGroups)*4
	n += len(g.groups) * int(unsafe.Sizeof(group{}))
	return n
}
