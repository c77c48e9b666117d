package depgraph

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/cratewatch/cratewatch/semver"
)

// Limits on what a Builder accepts. Ids are int32, and a registry index is hostile input.
const (
	MaxVersions       = 1 << 28 // version entries in one graph
	MaxDeps           = 1 << 30 // dependency entries in one graph
	MaxDepsPerVersion = 10000   // dependencies of one version
	MaxNameLen        = 256     // bytes in a crate name (crates.io allows 64)
	MaxReqLen         = 1024    // bytes in a requirement string; longer ones count as unparsable
)

// Builder collects version entries and builds a Graph. It is not safe for concurrent use.
type Builder struct {
	names    map[string]int32
	nameList []string
	reqs     map[string]int32
	reqList  []string
	vers     []bver
	deps     []bdep
}

type bver struct {
	crate  int32
	v      semver.Version
	yanked bool
	deps   int32 // first index in Builder.deps
}

type bdep struct {
	crate int32
	req   int32
	flags uint8
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{names: map[string]int32{}, reqs: map[string]int32{}}
}

func (b *Builder) intern(name string) int32 {
	if id, ok := b.names[name]; ok {
		return id
	}
	id := int32(len(b.nameList))
	name = strings.Clone(name) // the caller may reuse its buffers (store.ScanVersions does)
	b.names[name] = id
	b.nameList = append(b.nameList, name)
	return id
}

func (b *Builder) internReq(req string) int32 {
	if id, ok := b.reqs[req]; ok {
		return id
	}
	id := int32(len(b.reqList))
	req = strings.Clone(req)
	b.reqs[req] = id
	b.reqList = append(b.reqList, req)
	return id
}

// Add records one version of a crate with its dependencies. A bad entry is rejected with an
// error naming it and leaves the Builder unchanged. Dependencies' features and registry are
// ignored.
func (b *Builder) Add(crate, num string, yanked bool, deps []index.Dep) error {
	where := func(format string, a ...any) error {
		return fmt.Errorf("depgraph: version %.*q of crate %.*q: %s", MaxNameLen, num, MaxNameLen, crate, fmt.Sprintf(format, a...))
	}
	if crate == "" || len(crate) > MaxNameLen {
		return where("crate name empty or longer than %d bytes", MaxNameLen)
	}
	if len(b.vers) >= MaxVersions {
		return where("more than %d versions", MaxVersions)
	}
	if len(deps) > MaxDepsPerVersion {
		return where("%d dependencies, more than %d", len(deps), MaxDepsPerVersion)
	}
	if len(b.deps)+len(deps) > MaxDeps {
		return where("more than %d dependencies in the graph", MaxDeps)
	}
	for i := range deps {
		if n := deps[i].Crate(); n == "" || len(n) > MaxNameLen {
			return where("dependency %d: crate name empty or longer than %d bytes", i, MaxNameLen)
		}
	}
	v, err := semver.Parse(num)
	if err != nil {
		return fmt.Errorf("depgraph: crate %.*q: %w", MaxNameLen, crate, err)
	}
	// Build metadata is kept by semver.Parse as a substring of num; own it.
	v.Pre = semver.Prerelease(strings.Clone(string(v.Pre)))
	v.Build = strings.Clone(v.Build)
	b.vers = append(b.vers, bver{crate: b.intern(crate), v: v, yanked: yanked, deps: int32(len(b.deps))})
	for i := range deps {
		d := &deps[i]
		var fl uint8
		switch d.Kind {
		case index.Dev:
			fl = flagDev
		case index.Build:
			fl = flagBuild
		}
		if d.Optional {
			fl |= flagOptional
		}
		if d.Target != "" {
			fl |= flagTarget
		}
		if d.Package != "" && d.Package != d.Name {
			fl |= flagRenamed
		}
		b.deps = append(b.deps, bdep{crate: b.intern(d.Crate()), req: b.internReq(d.Req), flags: fl})
	}
	return nil
}

// FromStore builds the graph of every live version in st. Repeated index lines of one version
// (Dup > 0) are skipped; entries the Builder rejects are counted in Stats.Rejected, and the
// first few are kept in Stats.Errors.
func FromStore(ctx context.Context, st store.Store) (*Graph, error) {
	b := NewBuilder()
	var rejected int
	var errs []error
	err := st.ScanVersions(ctx, func(sv *store.ScannedVersion) error {
		if sv.Dup > 0 {
			return nil
		}
		if err := b.Add(sv.Crate, sv.Num, sv.Yanked, sv.Deps); err != nil {
			rejected++
			if len(errs) < maxKeptErrors {
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("depgraph: reading store: %w", err)
	}
	g := b.Build()
	g.stats.Rejected += rejected
	g.stats.Errors = append(errs, g.stats.Errors...)
	return g, nil
}

const maxKeptErrors = 20

// Build returns the graph of everything added. The Builder must not be used afterwards.
func (b *Builder) Build() *Graph {
	g := &Graph{}
	// Crate ids in name order, so listings are stable and names sort with ids.
	order := make([]int32, len(b.nameList))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(b.nameList[x], b.nameList[y]) })
	newID := make([]int32, len(order))
	g.names = make([]string, len(order))
	g.byName = make(map[string]CrateID, len(order))
	for n, old := range order {
		newID[old] = int32(n)
		g.names[n] = b.nameList[old]
		g.byName[b.nameList[old]] = CrateID(n)
	}

	// Versions grouped by crate and sorted by precedence.
	vorder := make([]int32, len(b.vers))
	for i := range vorder {
		vorder[i] = int32(i)
		b.vers[i].crate = newID[b.vers[i].crate]
	}
	slices.SortFunc(vorder, func(x, y int32) int {
		a, c := &b.vers[x], &b.vers[y]
		if a.crate != c.crate {
			return cmp.Compare(a.crate, c.crate)
		}
		if r := a.v.Compare(c.v); r != 0 {
			return r
		}
		// Old crates.io releases differ by build metadata only (1.0.7+20171129, 1.0.7+20180904):
		// distinct versions to Cargo, of equal precedence, so always admitted together.
		if r := strings.Compare(a.v.Build, c.v.Build); r != 0 {
			return r
		}
		return cmp.Compare(x, y) // the same version twice: the first added wins below
	})
	g.crateVers = make([]int32, len(g.names)+1)
	g.verDeps = make([]int32, 0, len(vorder)+1)
	nd := 0
	for i, vi := range vorder {
		bv := &b.vers[vi]
		if i > 0 {
			prev := &b.vers[vorder[i-1]]
			if sameVersion(prev, bv) {
				g.stats.Rejected++
				if len(g.stats.Errors) < maxKeptErrors {
					g.stats.Errors = append(g.stats.Errors, fmt.Errorf("depgraph: crate %q: version %s added twice; kept the first", g.names[bv.crate], bv.v))
				}
				continue
			}
		}
		g.crateVers[bv.crate+1]++
		g.vers = append(g.vers, bv.v)
		g.verCrate = append(g.verCrate, CrateID(bv.crate))
		g.yanked = append(g.yanked, bv.yanked)
		g.verDeps = append(g.verDeps, int32(nd))
		nd += int(b.depEnd(vi) - bv.deps)
	}
	g.verDeps = append(g.verDeps, int32(nd))
	for c := range g.names {
		g.crateVers[c+1] += g.crateVers[c]
	}

	// Dependencies in version order; each resolved once per distinct (crate, requirement).
	reqs := make([]parsedReq, len(b.reqList))
	for i, s := range b.reqList {
		reqs[i] = parseReq(s)
	}
	g.reqs = b.reqList
	g.depRes = make([]int32, 0, nd)
	g.depOwner = make([]VersionID, 0, nd)
	g.depFlags = make([]uint8, 0, nd)
	memo := make(map[uint64]int32)
	owner := VersionID(-1)
	for i, vi := range vorder {
		if i > 0 {
			prev := &b.vers[vorder[i-1]]
			if sameVersion(prev, &b.vers[vi]) {
				continue
			}
		}
		owner++
		for di := b.vers[vi].deps; di < b.depEnd(vi); di++ {
			d := b.deps[di]
			c := newID[d.crate]
			key := uint64(uint32(c))<<32 | uint64(uint32(d.req))
			r, ok := memo[key]
			if !ok {
				r = int32(len(g.res))
				memo[key] = r
				g.res = append(g.res, g.resolve(CrateID(c), d.req, &reqs[d.req]))
			}
			g.depRes = append(g.depRes, r)
			g.depOwner = append(g.depOwner, owner)
			g.depFlags = append(g.depFlags, d.flags)
		}
	}
	for _, r := range g.depRes {
		rs := &g.res[r]
		switch {
		case rs.flags&resBadReq != 0:
			g.stats.DepsUnparsable++
		case g.crateVers[rs.crate] == g.crateVers[rs.crate+1]:
			g.stats.DepsUnknownCrate++
		case rs.lo == rs.hi:
			g.stats.DepsNoMatch++
		case rs.best < 0:
			g.stats.DepsOnlyYanked++
		}
	}

	g.sortResolutions()
	g.buildReverse()

	g.newest = make([]VersionID, len(g.names))
	for c := range g.names {
		g.newest[c] = g.computeNewest(CrateID(c))
	}
	g.stats.Crates = len(g.names)
	g.stats.Versions = len(g.vers)
	g.stats.Deps = len(g.depRes)
	g.stats.Resolutions = len(g.res)
	g.stats.IrregularResolutions = g.irregular
	g.free = make(chan *scratch, runtime.GOMAXPROCS(0))
	*b = Builder{}
	return g
}

func sameVersion(a, b *bver) bool {
	return a.crate == b.crate && a.v.Compare(b.v) == 0 && a.v.Build == b.v.Build
}

func (b *Builder) depEnd(vi int32) int32 {
	if int(vi)+1 < len(b.vers) {
		return b.vers[vi+1].deps
	}
	return int32(len(b.deps))
}

type parsedReq struct {
	req semver.Req
	ok  bool
}

func parseReq(s string) parsedReq {
	if len(s) > MaxReqLen {
		return parsedReq{}
	}
	r, err := semver.ParseReq(s)
	return parsedReq{r, err == nil}
}

// resolve computes which versions of crate c requirement req admits.
func (g *Graph) resolve(c CrateID, reqID int32, pr *parsedReq) resolution {
	r := resolution{crate: c, req: reqID, lo: -1, hi: -1, best: -1, bits: -1}
	if !pr.ok {
		r.flags = resBadReq
		r.lo, r.hi = 0, 0
		return r
	}
	start, end := int(g.crateVers[c]), int(g.crateVers[c+1])
	vs := g.vers[start:end]
	// Interval narrows by binary search; Matches decides (pre-releases inside may not match).
	iv := pr.req.Interval()
	a, b := 0, len(vs)
	if iv.Lo.Bounded {
		a = sortSearch(len(vs), func(i int) bool {
			c := vs[i].Compare(iv.Lo.Version)
			return c > 0 || (c == 0 && iv.Lo.Inclusive)
		})
	}
	if iv.Hi.Bounded {
		b = a + sortSearch(len(vs)-a, func(i int) bool {
			c := vs[a+i].Compare(iv.Hi.Version)
			return c > 0 || (c == 0 && !iv.Hi.Inclusive)
		})
	}
	first, last, n := -1, -1, 0
	for i := a; i < b; i++ {
		if pr.req.Matches(vs[i]) {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	if first < 0 {
		r.lo, r.hi = int32(start), int32(start)
		return r
	}
	r.lo, r.hi = int32(start+first), int32(start+last+1)
	if n != last-first+1 {
		r.bits = int32(len(g.bits))
		words := make([]uint64, (last-first+64)/64)
		for i := first; i <= last; i++ {
			if pr.req.Matches(vs[i]) {
				words[(i-first)/64] |= 1 << ((i - first) % 64)
			}
		}
		g.bits = append(g.bits, words...)
		g.irregular++
	}
	for v := r.hi - 1; v >= r.lo; v-- {
		if !g.yanked[v] && r.admits(g, VersionID(v)) {
			r.best = v
			break
		}
	}
	return r
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (g *Graph) computeNewest(c CrateID) VersionID {
	pre := VersionID(-1)
	for v := g.crateVers[c+1] - 1; v >= g.crateVers[c]; v-- {
		if g.yanked[v] {
			continue
		}
		if !g.vers[v].IsPrerelease() {
			return VersionID(v)
		}
		if pre < 0 {
			pre = VersionID(v)
		}
	}
	return pre
}

// sortResolutions renumbers resolutions in crate order, so that dependencies sorted by
// resolution are also grouped by target crate.
func (g *Graph) sortResolutions() {
	order := make([]int32, len(g.res))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(g.res[a].crate, g.res[b].crate); c != 0 {
			return c
		}
		return cmp.Compare(g.res[a].req, g.res[b].req)
	})
	newID := make([]int32, len(order))
	res := make([]resolution, len(order))
	for n, old := range order {
		newID[old] = int32(n)
		res[n] = g.res[old]
	}
	g.res = res
	for d, r := range g.depRes {
		g.depRes[d] = newID[r]
	}
}

// buildReverse groups the dependencies by (resolution, filter flags), each group's owners in
// version order, groups in target-crate order: a reverse traversal tests one admitted set per
// group instead of one per dependency. Two stable counting sorts: by flags, then resolution.
func (g *Graph) buildReverse() {
	n := len(g.depRes)
	byFlags := countingSort(n, filterFlagValues, func(d int32) int { return int(g.depFlags[d] & filterFlags) }, nil)
	sorted := countingSort(n, len(g.res), func(d int32) int { return int(g.depRes[d]) }, byFlags)
	g.revDeps = make([]DepID, n)
	g.revOwner = make([]VersionID, n)
	g.crateGroups = make([]int32, len(g.names)+1)
	for i, d := range sorted {
		g.revDeps[i] = DepID(d)
		g.revOwner[i] = g.depOwner[d]
		if i == 0 || g.depRes[d] != g.depRes[sorted[i-1]] || g.depFlags[d]&filterFlags != g.depFlags[sorted[i-1]]&filterFlags {
			g.groups = append(g.groups, group{res: g.depRes[d], flags: g.depFlags[d] & filterFlags, start: int32(i)})
			g.crateGroups[g.res[g.depRes[d]].crate+1]++
		}
	}
	g.groups = append(g.groups, group{res: -1, start: int32(n)}) // sentinel: end of the last group
	for c := range g.names {
		g.crateGroups[c+1] += g.crateGroups[c]
	}
}

// countingSort returns the ids 0..n-1 (in the order of in, when given) stably sorted by key,
// which lies in [0, keys).
func countingSort(n, keys int, key func(int32) int, in []int32) []int32 {
	count := make([]int32, keys+1)
	at := func(i int) int32 {
		if in != nil {
			return in[i]
		}
		return int32(i)
	}
	for i := range n {
		count[key(at(i))+1]++
	}
	for k := range keys {
		count[k+1] += count[k]
	}
	out := make([]int32, n)
	for i := range n {
		d := at(i)
		k := key(d)
		out[count[k]] = d
		count[k]++
	}
	return out
}
