package callgraph

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cratewatch/cratewatch/cratefile"
	"github.com/cratewatch/cratewatch/rustsrc"
	"github.com/cratewatch/cratewatch/semver"
)

// Dep is a manifest dependency of a crate version: the name its code uses and the crate version
// it was linked to (-1 when the corpus holds no version its requirement admits).
type Dep struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Req     string `json:"req"`
	Crate   int32  `json:"crate"`
}

// Source is one crate version to add to a Builder: a loaded crate, its manifest dependencies and
// its manifest's [features] table (nil when unknown: #[cfg(feature = "..")] is then never taken
// as false).
type Source struct {
	Crate    *rustsrc.Crate
	Deps     []cratefile.Dependency
	Features map[string][]string
}

// Builder collects crate indexes and links them into a Graph.
type Builder struct {
	mu      sync.Mutex
	crates  []*crateIndex
	Workers int // goroutines for linking; <= 0 means GOMAXPROCS
	// NoMacros turns macro expansion off (the graph then holds only the code as written).
	NoMacros bool
	macros   macroRegistry
}

// Add indexes one crate version; the parsed files are not retained. It is safe for concurrent use.
// Invocations of macros exported by dependencies are expanded when the dependency was added (or
// scanned by LoadPaths) before: add crates in dependency order.
func (b *Builder) Add(src Source) {
	c := src.Crate
	declared, defaults := featureEnvs(src.Features, src.Deps)
	var x *expander
	if !b.NoMacros {
		if !b.macros.has(c.Name, c.Version) {
			s := newMacroSet(c.Name, c.Version)
			for _, f := range c.Files {
				if f.Target == rustsrc.TargetLib {
					fileMacros(f.Parsed, true, nil, s, defaults)
				}
			}
			b.macros.add(s)
		}
		x = &expander{defaults: defaults}
		for _, d := range src.Deps {
			if d.Kind == cratefile.DepDev {
				continue
			}
			if s := b.macros.lookup(d.Package, d.Req); s != nil {
				x.deps = append(x.deps, depMacros{extern: identName(d.Name), set: s})
			}
		}
	}
	ci := indexCrate(c, x, declared)
	for _, d := range src.Deps {
		if d.Kind == cratefile.DepDev {
			continue
		}
		ci.deps = append(ci.deps, depRef{name: identName(d.Name), pkg: d.Package, req: d.Req, crate: -1,
			build: d.Kind == cratefile.DepBuild})
	}
	b.mu.Lock()
	b.crates = append(b.crates, ci)
	b.mu.Unlock()
}

// LoadDir adds every crate directory under dir (each subdirectory with a Cargo.toml), reading
// them on workers goroutines. Crates that cannot be read are reported in the returned list and
// skipped.
func (b *Builder) LoadDir(ctx context.Context, dir string, workers int, progress func(done, total int)) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	var paths []string
	for _, e := range ents {
		if e.IsDir() {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return b.LoadPaths(ctx, paths, workers, progress)
}

// LoadPaths adds the crates at paths (crate directories or .crate files). The exported macros of
// every crate are read first, so that each crate's invocations of its dependencies' macros expand.
func (b *Builder) LoadPaths(ctx context.Context, paths []string, workers int, progress func(done, total int)) ([]string, error) {
	if !b.NoMacros {
		forEachPath(ctx, paths, workers, b.scanMacros, nil)
	}
	return forEachPath(ctx, paths, workers, b.loadOne, progress)
}

// forEachPath runs fn over paths on workers goroutines and returns its errors, sorted.
func forEachPath(ctx context.Context, paths []string, workers int, fn func(string) error, progress func(done, total int)) ([]string, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu   sync.Mutex
		errs []string
		done int
		wg   sync.WaitGroup
	)
	jobs := make(chan string)
	for range workers {
		wg.Go(func() {
			for p := range jobs {
				err := fn(p)
				mu.Lock()
				if err != nil {
					errs = append(errs, err.Error())
				}
				done++
				if progress != nil {
					progress(done, len(paths))
				}
				mu.Unlock()
			}
		})
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	sort.Strings(errs)
	return errs, ctx.Err()
}

func openCrate(p string) (*cratefile.Crate, error) {
	var cf *cratefile.Crate
	var err error
	if strings.HasSuffix(p, ".crate") {
		cf, err = cratefile.Open(p, cratefile.DefaultLimits())
	} else {
		cf, err = cratefile.OpenDir(p)
	}
	if err != nil {
		return nil, fmt.Errorf("crate %s: %w", p, err)
	}
	return cf, nil
}

// scanMacros registers the exported macros of the crate at p; a crate that cannot be read is
// reported when it is loaded.
func (b *Builder) scanMacros(p string) error {
	cf, err := openCrate(p)
	if err != nil || cf.Manifest == nil {
		return nil
	}
	if !b.macros.has(cf.Name, cf.Version) {
		_, defaults := featureEnvs(cf.Manifest.Features, cf.Manifest.Deps())
		b.macros.add(exportedMacros(cf.Name, cf.Version, cf.FS, defaults))
	}
	return nil
}

func (b *Builder) loadOne(p string) error {
	cf, err := openCrate(p)
	if err != nil {
		return err
	}
	c, err := rustsrc.LoadCrate(rustsrc.InputFromCrate(cf), rustsrc.DefaultCrateLimits())
	if err != nil {
		return fmt.Errorf("crate %s: %w", p, err)
	}
	src := Source{Crate: c}
	if m := cf.Manifest; m != nil {
		src.Deps, src.Features = m.Deps(), m.Features
		if src.Features == nil {
			src.Features = map[string][]string{} // a manifest without features declares none
		}
	}
	b.Add(src)
	return nil
}

// Stats counts what linking found.
type Stats struct {
	Crates      int `json:"crates"`
	Functions   int `json:"functions"`
	CallSites   int `json:"call_sites"`
	Exact       int `json:"edges_exact"`
	Trait       int `json:"edges_trait"`
	Approximate int `json:"edges_approximate"`
	// External counts call sites into std/core/alloc or crates the corpus lacks; Unresolved those
	// that resolved to nothing (locals, closures, macro-made items, tuple constructors).
	External   int `json:"calls_external"`
	Unresolved int `json:"calls_unresolved"`
	DepsLinked int `json:"deps_linked"`
	DepsMissed int `json:"deps_missing"`
	// MacrosExpanded counts macro invocations expanded (nested ones included); MacrosFailed
	// those of a known macro that no rule matched or that a bound stopped.
	MacrosExpanded int `json:"macros_expanded"`
	MacrosFailed   int `json:"macros_failed"`
}

// countEdge adds n to the count of edges of kind k.
func (s *Stats) countEdge(k EdgeKind, n int) {
	switch k {
	case EdgeExact:
		s.Exact += n
	case EdgeTrait:
		s.Trait += n
	default:
		s.Approximate += n
	}
}

// Link resolves dependencies and call sites and returns the graph. The Builder must not be used
// afterwards.
func (b *Builder) Link(ctx context.Context) (*Graph, error) {
	crates := b.crates
	sort.Slice(crates, func(i, j int) bool {
		if crates[i].name != crates[j].name {
			return crates[i].name < crates[j].name
		}
		return compareVersions(crates[i].version, crates[j].version) < 0
	})
	g := &Graph{}
	st := &g.Stats
	st.Crates = len(crates)
	linkDeps(crates, st)
	renameImplTraits(crates)
	base := make([]int32, len(crates)+1)
	for i, ci := range crates {
		base[i+1] = base[i] + int32(len(ci.fns))
	}
	g.Crates = make([]Crate, len(crates))
	g.Fns = make([]Function, 0, base[len(crates)])
	fileBase := 0
	for i, ci := range crates {
		cr := Crate{Name: ci.name, Version: ci.version, FirstFn: base[i], EndFn: base[i+1], FirstFile: int32(fileBase)}
		for _, d := range ci.deps {
			cr.Deps = append(cr.Deps, Dep{Name: d.name, Package: d.pkg, Req: d.req, Crate: d.crate})
		}
		cr.Problems = len(ci.problems)
		g.Crates[i] = cr
		g.Files = append(g.Files, ci.files...)
		fileBase += len(ci.files)
		for _, f := range ci.fns {
			owner := f.self
			if owner == "" {
				owner = f.trait
			}
			g.Fns = append(g.Fns, Function{Crate: int32(i), Path: f.path, Name: f.name, Owner: owner,
				File: int32(cr.FirstFile) + f.file, Line: f.line, Flags: f.flags})
		}
		st.Functions += len(ci.fns)
		st.MacrosExpanded += ci.expanded
		st.MacrosFailed += ci.expandFailed
		st.CallSites += len(ci.calls)
	}
	workers := b.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([][]Edge, len(crates))
	selfOnly := make([][]bool, len(crates))
	counts := make([]Stats, len(crates))
	insts := make([]map[int32]*instSet, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			l := &linker{resolver: resolver{crates: crates}, base: base}
			for i := range next {
				parts[i], selfOnly[i] = l.linkCrate(int32(i), &counts[i])
			}
			insts[w] = l.inst
		})
	}
	for i := range crates {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dropUninstantiated(crates, base, parts, selfOnly, insts)
	n := 0
	for i, p := range parts {
		n += len(p)
		st.External += counts[i].External
		st.Unresolved += counts[i].Unresolved
		for _, e := range p {
			st.countEdge(e.Kind, 1)
		}
	}
	edges := make([]Edge, 0, n)
	for i := range parts {
		edges = append(edges, parts[i]...)
		parts[i] = nil
	}
	g.Aliases = computeAliases(crates, base)
	b.crates = nil
	g.setEdges(edges)
	return g, nil
}

// linkDeps links each dependency to the newest corpus version of its package that its
// requirement admits.
func linkDeps(crates []*crateIndex, st *Stats) {
	byName := map[string][]int32{}
	for i, ci := range crates {
		byName[ci.name] = append(byName[ci.name], int32(i)) // ascending versions
	}
	for _, ci := range crates {
		for j := range ci.deps {
			d := &ci.deps[j]
			cands := byName[d.pkg]
			if len(cands) == 0 {
				cands = byName[strings.ReplaceAll(d.pkg, "_", "-")]
			}
			req, err := semver.ParseReq(d.req)
			if d.req == "" {
				err = nil
			}
			for k := len(cands) - 1; k >= 0 && err == nil; k-- {
				v, verr := semver.Parse(crates[cands[k]].version)
				if verr == nil && req.Matches(v) {
					d.crate = cands[k]
					break
				}
			}
			if d.crate >= 0 {
				st.DepsLinked++
			} else {
				st.DepsMissed++
			}
		}
	}
}

// renameImplTraits files the impls that name their trait by an alias under the trait's own
// name, so that operators, derefs and dispatch find them: lazy_static's expansion writes impl
// $crate::__Deref, an alias lazy_static's root gives core::ops::Deref. Only paths ending in a
// name some crate imports under another name are resolved.
func renameImplTraits(crates []*crateIndex) {
	aliases := map[string]bool{}
	for _, ci := range crates {
		for a := range ci.aliases {
			aliases[a] = true
		}
	}
	r := &resolver{crates: crates}
	for c, ci := range crates {
		for _, k := range slices.Sorted(maps.Keys(ci.implPaths)) { // the resolver's cache depends on order
			ids := ci.implPaths[k]
			mod, path, _ := strings.Cut(k, "\x00")
			segs := strings.Split(path, "::")
			if segs[0] == "" {
				segs[0] = "::" // ::lazy_static::__Deref, as a use path spells it
			}
			alias := segs[len(segs)-1]
			if !aliases[alias] {
				continue
			}
			orig := r.renamedTrait(int32(c), mod, segs)
			if orig == "" {
				continue
			}
			for _, id := range ids {
				f := &ci.fns[id]
				old, nk := key2(f.trait, f.name), key2(orig, f.name)
				ci.implFns[old] = slices.DeleteFunc(ci.implFns[old], func(x int32) bool { return x == id })
				if len(ci.implFns[old]) == 0 {
					delete(ci.implFns, old)
				}
				ci.implFns[nk] = append(ci.implFns[nk], id)
				slices.Sort(ci.implFns[nk])
				if traits := ci.implTraits[f.self]; !slices.Contains(traits, orig) {
					ci.implTraits[f.self] = append(traits, orig)
				}
				f.trait = orig
			}
		}
		ci.aliases, ci.implPaths = nil, nil
	}
}

// renamedTrait is the original name of the item path segs (written in module mod of crate c)
// names when its last segment is an alias given by a use in the module it points into, "" when
// it is not one.
func (r *resolver) renamedTrait(c int32, mod string, segs []string) string {
	targets := []def{{kind: defMod, crate: c, key: mod}}
	if len(segs) > 1 {
		targets = r.resolveUse(c, mod, segs[:len(segs)-1], 0)
	}
	alias := segs[len(segs)-1]
	for _, d := range targets {
		if d.kind != defMod {
			continue
		}
		for _, u := range r.crates[d.crate].mods[d.key].uses {
			if orig := u.path[len(u.path)-1]; u.name == alias && orig != alias {
				return orig
			}
		}
	}
	return ""
}

func compareVersions(a, b string) int {
	va, ea := semver.Parse(a)
	vb, eb := semver.Parse(b)
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	return va.Compare(vb)
}

// linker resolves the call sites of one crate at a time.
type linker struct {
	resolver
	base []int32
	seen map[uint64]int // (from, to) -> index in out
	out  []Edge
	vis  []int32 // crates whose impls a trait call can reach: the crate and its dependencies
	// inScope memoises traitInScope for the crate being linked: (module, trait) -> in scope.
	inScope map[[2]string]bool
	mod     string // the module of the call site being linked, for traitInScope
	rhs     *expr  // the right operand of the operator call being linked, if known
	// inst holds, by global fn id of a trait's default method, the Self types it is called
	// with (see dropUninstantiated); noted says the caller of add has noted the edges it adds to
	// default methods, viaSelf that they are a default method's calls on self, sent to every
	// implementation, which selfOnly (parallel to out) keeps for edges added only so.
	inst     map[int32]*instSet
	noted    bool
	viaSelf  bool
	selfOnly []bool
}

func (l *linker) linkCrate(c int32, st *Stats) ([]Edge, []bool) {
	ci := l.crates[c]
	l.out, l.selfOnly = nil, nil
	l.seen = map[uint64]int{}
	l.vis = l.closure(c)
	l.inScope = map[[2]string]bool{}
	for i := range ci.calls {
		l.rhs = ci.opRHS[int32(i)]
		l.linkCall(c, &ci.calls[i], st)
	}
	out, selfOnly := l.out, l.selfOnly
	l.out, l.selfOnly = nil, nil
	// A crate's call sites and let bindings are read only while linking the crate itself (the
	// types of other crates come from their signatures): dropping them now lowers the heap the
	// rest of the link runs on.
	ci.calls, ci.opRHS = nil, nil
	for i := range ci.fns {
		ci.fns[i].locals = nil
	}
	return out, selfOnly
}

// maxClosure bounds the dependency closure a trait call's implementations are looked up in.
const maxClosure = 512

func (l *linker) closure(c int32) []int32 {
	seen := map[int32]bool{c: true}
	q := []int32{c}
	for i := 0; i < len(q) && len(q) < maxClosure; i++ {
		for _, d := range l.crates[q[i]].deps {
			if d.crate >= 0 && !seen[d.crate] && !d.build {
				seen[d.crate] = true
				q = append(q, d.crate)
			}
		}
	}
	return q
}

func (l *linker) add(from int32, d def, cs *callSite, kind EdgeKind) {
	if d.kind != defFn {
		return
	}
	if !l.noted {
		l.note(d, ty{}, -1) // a call of a default method on a receiver of unknown type
	}
	to := l.base[d.crate] + d.fn
	k := uint64(uint32(from))<<32 | uint64(uint32(to))
	cfgOff := cs.flags&siteCfgOff != 0 || d.off || l.crates[d.crate].fns[d.fn].flags&FlagOtherPlatform != 0
	if i, ok := l.seen[k]; ok {
		off := l.out[i].CfgOff && cfgOff
		if kind < l.out[i].Kind {
			l.out[i] = Edge{From: from, To: to, Line: cs.line, Col: cs.col, Kind: kind}
		}
		l.out[i].CfgOff = off
		l.selfOnly[i] = l.selfOnly[i] && l.viaSelf
		return
	}
	l.seen[k] = len(l.out)
	l.out = append(l.out, Edge{From: from, To: to, Line: cs.line, Col: cs.col, Kind: kind, CfgOff: cfgOff})
	l.selfOnly = append(l.selfOnly, l.viaSelf)
}

func (l *linker) linkCall(c int32, cs *callSite, st *Stats) {
	ci := l.crates[c]
	fn := &ci.fns[cs.fn]
	from := l.base[c] + cs.fn
	l.mod = fn.module
	var ds []def
	switch {
	case cs.op != "":
		l.linkImplicit(c, fn, from, cs, st)
		return
	case cs.kind == rustsrc.CallMethod:
		l.linkMethod(c, fn, from, cs, st)
		return
	case cs.qtrait != "":
		name := cs.path[len(cs.path)-1]
		for _, t := range l.resolveType(c, fn.module, cs.qtrait) {
			if t.kind == defTrait {
				if impls := l.implsOf(c, fn, l.resolveTy(fnCtx(c, fn), cs.qself, 0), t.key, name); len(impls) > 0 {
					ds = append(ds, impls...)
					continue
				}
				ds = append(ds, l.noteAll(l.traitDispatch(t.crate, t.key, name, from, cs, def{}), ty{}, -1)...)
			} else if t.kind == defExternal {
				ds = append(ds, t)
			}
		}
	case cs.qself != "":
		ds = l.typeCall(c, fn.module, cs.qself, cs.path[len(cs.path)-1], from, cs)
	case cs.path[0] == "Self":
		if fn.self != "" && len(cs.path) == 2 {
			ds = l.noteAll(l.assocFns(c, fn.self, cs.path[1], c), ty{d: def{kind: defType, crate: c, key: fn.self}}, -1)
		} else if fn.trait != "" && fn.flags&FlagInTrait != 0 && len(cs.path) == 2 {
			// Self::m() in a default method: m runs with the caller's Self.
			ds = l.noteAll(l.traitDispatch(c, fn.trait, cs.path[1], from, cs, def{kind: defFn, crate: c, fn: cs.fn}), ty{}, from)
		}
	default:
		ds = l.resolveUse(c, fn.module, cs.path, 0)
		if len(ds) == 0 && len(cs.path) == 1 {
			// A bare fn name in a bin may be a lib fn reached through a glob of the crate itself,
			// or a prelude constructor; nothing more to try.
			break
		}
		var out []def
		for _, d := range ds {
			if d.kind != defFn || l.crates[d.crate].fns[d.fn].flags&FlagInTrait == 0 {
				out = append(out, d)
				continue
			}
			// A path to a trait method (Trait::m(x)) dispatches to the implementations: those
			// of x's type when it is known.
			tf := &l.crates[d.crate].fns[d.fn]
			if cs.recvExpr != nil {
				if impls := l.implsOf(c, fn, l.evalExpr(c, fn, cs.recvExpr, 0), tf.trait, tf.name); len(impls) > 0 {
					out = append(out, impls...)
					continue
				}
			}
			l.note(d, ty{}, -1)
			out = append(out, d)
			out = append(out, l.noteAll(l.traitDispatch(d.crate, tf.trait, tf.name, from, cs, def{}), ty{}, -1)...)
		}
		ds = out
	}
	// Every branch above noted the default methods it found.
	l.noted = true
	l.record(from, ds, cs, EdgeExact, st)
	l.noted = false
}

// implsOf returns the functions a call of trait method name on a value of one of tys (a
// qualified path's self type, or Trait::m's first argument) runs: the impl's method, or the
// trait's default one where the impl does not override it. Nil unless every type is a concrete
// type whose method is found, so that the caller can fall back to dispatching to every impl.
func (l *linker) implsOf(c int32, fn *fnDecl, tys []ty, trait, name string) []def {
	var out []def
	for _, t := range tys {
		if t.bound || t.d.kind != defType {
			return nil
		}
		found := false
		for _, d := range l.methodsOn(c, t, name, 0) {
			if f := &l.crates[d.crate].fns[d.fn]; f.trait == trait {
				out = append(out, d)
				l.note(d, t, -1)
				found = true
			}
		}
		if !found {
			return nil
		}
	}
	return out
}

// record adds exact edges to the fns among ds and counts calls that resolved elsewhere.
func (l *linker) record(from int32, ds []def, cs *callSite, kind EdgeKind, st *Stats) {
	fns := 0
	ext := false
	for _, d := range ds {
		switch d.kind {
		case defFn:
			l.add(from, d, cs, kind)
			fns++
		case defExternal:
			ext = true
		}
	}
	switch {
	case fns > 0:
	case ext:
		st.External++
	default:
		st.Unresolved++
	}
}

// typeCall resolves Type::name written in module mod.
func (l *linker) typeCall(c int32, mod, typ, name string, from int32, cs *callSite) []def {
	var out []def
	for _, t := range l.resolveType(c, mod, typ) {
		switch t.kind {
		case defType:
			out = append(out, l.noteAll(l.assocFns(t.crate, t.key, name, c), ty{d: t}, -1)...)
		case defTrait:
			out = append(out, l.noteAll(l.traitDispatch(t.crate, t.key, name, from, cs, def{}), ty{}, -1)...)
		case defExternal:
			out = append(out, t)
		}
	}
	return out
}

// traitDispatch returns the declaration of trait method name and adds trait edges to every
// implementation of it in the crates visible from the caller. When the call is on self (or
// Self::) in a trait's default method dflt, the implementations for types that override dflt
// are left out: for them dflt's body never runs, their own method does.
func (l *linker) traitDispatch(tc int32, trait, name string, from int32, cs *callSite, dflt def) []def {
	var decl []def
	k := key2(trait, name)
	for _, f := range l.crates[tc].traitFns[k] {
		decl = append(decl, def{kind: defFn, crate: tc, fn: f})
	}
	if cs.flags&siteForeign != 0 {
		return decl
	}
	l.viaSelf = dflt.kind == defFn
	for _, v := range l.vis {
		for _, f := range l.crates[v].implFns[k] {
			if dflt.kind == defFn && l.overrides(l.crates[v].fns[f].self, v, dflt) {
				continue
			}
			l.add(from, def{kind: defFn, crate: v, fn: f}, cs, EdgeTrait)
		}
	}
	l.viaSelf = false
	return decl
}

// instSet is what the calls of a trait's default method say about the Self types it runs with.
type instSet struct {
	any   bool            // a call on a receiver of unknown type (a generic, dyn Trait, an untyped value)
	types map[string]bool // the self types of calls on values of known type
	from  []int32         // default methods that call it on their own self
}

// note records a call of d, when d is a trait's default method: on a value of concrete type t,
// on self in the default method inherit (>= 0), or else on a value of unknown type.
func (l *linker) note(d def, t ty, inherit int32) {
	if d.kind != defFn {
		return
	}
	f := &l.crates[d.crate].fns[d.fn]
	if f.flags&FlagInTrait == 0 || f.flags&FlagBody == 0 {
		return
	}
	id := l.base[d.crate] + d.fn
	if l.inst == nil {
		l.inst = map[int32]*instSet{}
	}
	s := l.inst[id]
	if s == nil {
		s = &instSet{}
		l.inst[id] = s
	}
	switch {
	case s.any:
	case inherit >= 0:
		if !slices.Contains(s.from, inherit) {
			s.from = append(s.from, inherit)
		}
	case t.d.kind == defType && t.wrap == "" && !t.bound && !isTypeVar(t.d.key) && l.implements(t, d.crate, f.trait):
		if s.types == nil {
			s.types = map[string]bool{}
		}
		s.types[t.d.key] = true
	default:
		s.any = true
	}
}

// noteAll notes each of ds as note does and returns them.
func (l *linker) noteAll(ds []def, t ty, inherit int32) []def {
	for _, d := range ds {
		l.note(d, t, inherit)
	}
	return ds
}

// implements reports whether t has an impl of trait (declared in crate tc) in its own crate or
// in tc, the two crates the orphan rule lets hold it.
func (l *linker) implements(t ty, tc int32, trait string) bool {
	for _, c := range [2]int32{t.d.crate, tc} {
		if slices.Contains(l.crates[c].implTraits[t.d.key], trait) {
			return true
		}
	}
	return false
}

// dropUninstantiated removes the edges a trait's default method has only as calls on self sent
// to every implementation (selfOnly), to implementations for types the method is never called
// with: in bounding_box's self.extrema(), the extrema of a type whose bounding_box always runs
// its own override, or is never called, is not reached from it. What a default method runs with
// is what its calls say (insts, merged from every worker): the receiver types of typed calls,
// inherited from the default methods that call it on self; any call on a value of unknown type
// (a generic, dyn Trait) keeps every edge, as does a default method no call reaches.
func dropUninstantiated(crates []*crateIndex, base []int32, parts [][]Edge, selfOnly [][]bool, insts []map[int32]*instSet) {
	merged := map[int32]*instSet{}
	for _, m := range insts {
		for id, s := range m {
			t := merged[id]
			if t == nil {
				t = &instSet{types: map[string]bool{}}
				merged[id] = t
			}
			t.any = t.any || s.any
			for x := range s.types {
				t.types[x] = true
			}
			for _, f := range s.from {
				if !slices.Contains(t.from, f) {
					t.from = append(t.from, f)
				}
			}
		}
	}
	// Inherit along self calls until nothing changes (each round can only add).
	for changed, round := true, 0; changed && round < 64; round++ {
		changed = false
		for _, s := range merged {
			for _, f := range s.from {
				src := merged[f]
				if src == nil || src.any {
					// The caller is never called, or on unknown types: keep every edge.
					changed = changed || !s.any
					s.any = true
					continue
				}
				for x := range src.types {
					if !s.types[x] {
						s.types[x] = true
						changed = true
					}
				}
			}
		}
	}
	fnOf := func(id int32) *fnDecl {
		c, _ := slices.BinarySearch(base, id+1)
		c--
		return &crates[c].fns[id-base[c]]
	}
	for i, p := range parts {
		out := p[:0]
		for j, e := range p {
			if selfOnly[i][j] {
				if s := merged[e.From]; s != nil && !s.any {
					if x := fnOf(e.To).self; x != "" && !isTypeVar(x) && !s.types[x] {
						continue
					}
				}
			}
			out = append(out, e)
		}
		parts[i] = out
	}
}

// overrides reports whether type x, whose impl in crate v is being dispatched to, defines the
// default method dflt in its impl of dflt's trait (in v, or in dflt's crate: the two crates the
// orphan rule lets hold that impl). A generic self type (a blanket impl) may stand for types
// that do not: it never overrides.
func (l *linker) overrides(x string, v int32, dflt def) bool {
	if x == "" || isTypeVar(x) {
		return false
	}
	df := &l.crates[dflt.crate].fns[dflt.fn]
	for _, cr := range [2]int32{v, dflt.crate} {
		for _, f := range l.crates[cr].methods[key2(x, df.name)] {
			if g := &l.crates[cr].fns[f]; g.trait == df.trait && g.flags&FlagInTrait == 0 {
				return true
			}
		}
	}
	return false
}

func (l *linker) linkMethod(c int32, fn *fnDecl, from int32, cs *callSite, st *Stats) {
	name := cs.path[len(cs.path)-1]
	tys := l.evalExpr(c, fn, cs.recvExpr, 0)
	if len(tys) == 0 {
		l.approximate(c, fn, from, name, cs, st, false)
		return
	}
	var ds []def
	for _, t := range tys {
		if t.bound {
			// Some implementor of a trait the corpus does not declare (T: AsRef<[u8]>, impl
			// Iterator): the call reaches that trait's visible impls of the method, else a
			// std method or one of an extension trait's blanket impls (T: Read, x.read_u32()).
			if l.boundDispatch(c, t, name, from, cs) {
				ds = append(ds, def{kind: defExternal})
			}
			continue
		}
		var dflt def
		if e := cs.recvExpr; e != nil && e.local == "self" && len(e.steps) == 0 && fn.flags&FlagInTrait != 0 &&
			t.d.kind == defTrait && t.d.crate == c && t.d.key == fn.trait {
			dflt = def{kind: defFn, crate: c, fn: cs.fn}
		}
		ms := l.methodsOn(c, t, name, 0)
		// Found on the Deref target: the method's Self is that type, not t.
		viaDeref := slices.ContainsFunc(ms, func(d def) bool {
			f := &l.crates[d.crate].fns[d.fn]
			return f.name == "deref" && f.trait == "Deref"
		})
		for _, d := range ms {
			ds = append(ds, d)
			if f := &l.crates[d.crate].fns[d.fn]; t.d.kind == defTrait && f.flags&FlagInTrait != 0 {
				// A call on a trait-typed receiver (dyn Trait, impl Trait, T: Trait, self in a
				// default method) reaches every implementation.
				l.traitDispatch(d.crate, f.trait, name, from, cs, dflt)
			}
			switch {
			case dflt.kind == defFn:
				l.note(d, ty{}, from) // self.m() in a default method: m runs with its Self
			case viaDeref:
				l.note(d, ty{}, -1)
			default:
				l.note(d, t, -1)
			}
		}
	}
	if len(ds) > 0 {
		l.noted = true
		l.record(from, ds, cs, EdgeExact, st)
		l.noted = false
		return
	}
	// A known type without such a method in the source: a std type's own method, a derived one,
	// or one of an impl a macro wrote. Only the methods any type can get without a visible impl
	// for it stay candidates: trait default methods and blanket impls.
	l.approximate(c, fn, from, name, cs, st, true)
}

// boundDispatch adds trait edges to the impls of method name of trait t.name, in crate c and its
// direct dependencies, whose trait arguments can be t's, and reports whether there were any.
func (l *linker) boundDispatch(c int32, t ty, name string, from int32, cs *callSite) bool {
	if cs.flags&siteForeign != 0 {
		return false
	}
	found := false
	try := func(v int32) {
		ci := l.crates[v]
		for _, f := range ci.implFns[key2(t.name, name)] {
			// Derived impls (every #[derive(Clone)]) are left out: the bound says nothing
			// about which of those types the generic is instantiated with.
			if ci.fns[f].flags&FlagDerived == 0 && argsMayMatch(t.args, ci.fns[f].traitArgs) && l.assocMayMatch(t, v, ci.fns[f].self) {
				l.add(from, def{kind: defFn, crate: v, fn: f}, cs, EdgeTrait)
				found = true
			}
		}
	}
	// The types the caller can instantiate its generics with are its own and those of its
	// direct dependencies (as for approximate candidates).
	try(c)
	for _, d := range l.crates[c].deps {
		if d.crate >= 0 && !d.build {
			try(d.crate)
		}
	}
	return found
}

// argsMayMatch reports whether a trait bound's generic arguments (AsRef<[u8]>) can be those of an
// impl (impl AsRef<BStr> for ..): compared token by token without paths and lifetimes, a
// one-letter name (a generic parameter), Self or _ on either side standing for any type, and an
// associated type binding (Item = X) matching anything.
func argsMayMatch(want, have []string) bool {
	for i := 0; i < len(want) && i < len(have); i++ {
		if strings.Contains(want[i], "=") || strings.Contains(have[i], "=") {
			continue
		}
		budget := 256
		if !unify(argTokens(want[i]), argTokens(have[i]), &budget) {
			return false
		}
	}
	return true
}

// argTokens splits a type argument into identifiers and punctuation, dropping path prefixes
// (crate::Vec2 is Vec2) and lifetimes; nil when it is too long to compare.
func argTokens(a string) []string {
	var out []string
	for i := 0; i < len(a) && len(out) < 64; {
		c := a[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '\'' || isIdentByte(c):
			j := i + 1
			for j < len(a) && isIdentByte(a[j]) {
				j++
			}
			switch {
			case c == '\'': // a lifetime
			case strings.HasPrefix(a[j:], "::"):
				j += 2
			default:
				out = append(out, a[i:j])
			}
			i = j
		case strings.HasPrefix(a[i:], "::"):
			i += 2
		default:
			out = append(out, a[i:i+1])
			i++
		}
	}
	return out
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isTypeVar reports a token that may stand for any type: a one-letter name with optional
// digits (T, U2: generic parameters by convention), Self or _.
func isTypeVar(t string) bool {
	if t == "Self" || t == "_" {
		return true
	}
	if t == "" || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for i := 1; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// unify matches token lists where a type variable on either side stands for a balanced,
// non-empty run of tokens on the other; budget bounds the backtracking.
func unify(w, h []string, budget *int) bool {
	if *budget--; *budget < 0 {
		return true // undecided: keep the candidate
	}
	switch {
	case len(h) == 0 || len(w) == 0:
		return len(h) == len(w)
	case isTypeVar(h[0]):
		return unifyVar(w, h[1:], budget, false)
	case isTypeVar(w[0]):
		return unifyVar(h, w[1:], budget, true)
	case w[0] != h[0]:
		return false
	}
	return unify(w[1:], h[1:], budget)
}

// unifyVar lets a variable take each balanced prefix of toks and matches the rest against rest.
func unifyVar(toks, rest []string, budget *int, swapped bool) bool {
	depth := 0
	for i, t := range toks {
		switch t {
		case "<", "(", "[":
			depth++
		case ">", ")", "]":
			depth--
		}
		if depth < 0 {
			return false
		}
		if depth == 0 {
			ok := false
			if swapped {
				ok = unify(rest, toks[i+1:], budget)
			} else {
				ok = unify(toks[i+1:], rest, budget)
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// approximate adds candidate edges to the methods called name that take as many arguments as the
// call passes, in the crate and its direct dependencies (libraries only: a dependency's binaries
// cannot be called). When the receiver's type is known, only blanket impls can still match.
func (l *linker) approximate(c int32, fn *fnDecl, from int32, name string, cs *callSite, st *Stats, known bool) {
	if cs.flags&siteForeign != 0 {
		st.Unresolved++
		return
	}
	n := 0
	try := func(cr int32, fns []int32) {
		ci := l.crates[cr]
		for _, f := range fns {
			g := &ci.fns[f]
			if g.flags&FlagBin != 0 && (cr != c || fn.flags&FlagBin == 0) {
				continue
			}
			if g.flags&FlagBody == 0 || cs.nargs >= 0 && g.nparams >= 0 && cs.nargs != g.nparams {
				continue
			}
			if cr != c && !known && !l.nameable(ci, g) {
				continue
			}
			if g.trait != "" && (valueTraits[g.trait] || !l.traitInScope(c, fn.module, g.trait)) {
				continue
			}
			l.add(from, def{kind: defFn, crate: cr, fn: f}, cs, EdgeApprox)
			n++
		}
	}
	pick := func(cr int32) {
		ci := l.crates[cr]
		if !known {
			try(cr, ci.byName[name])
			return
		}
		try(cr, ci.blanket[name])
		for _, f := range ci.byName[name] {
			if ci.fns[f].flags&FlagInTrait != 0 {
				try(cr, []int32{f})
			}
		}
	}
	pick(c)
	for _, d := range l.crates[c].deps {
		if d.crate >= 0 && !d.build {
			pick(d.crate)
		}
	}
	if n == 0 {
		st.External++
	}
}

// nameable reports whether another crate can call method g of crate ci on a value it does not
// know the type of: g is a trait method, or a plain pub one, of a plain pub type, or implements
// a trait for a type ci does not declare (impl ToTokens for Box<T>).
func (l *linker) nameable(ci *crateIndex, g *fnDecl) bool {
	if g.self == "" {
		return g.flags&FlagInTrait != 0 // a trait's default method
	}
	pub, declared := ci.pubTypes[g.self]
	if !declared {
		return g.trait != ""
	}
	return pub && (g.trait != "" || g.public)
}

// valueTraits are the prelude traits that nearly every type implements, by derive or by a
// macro written the same way (Clone, PartialEq, Debug, From, Into, ...). Their impls are not
// approximate candidates: on a receiver of unknown type, x.clone() or x.into() says nothing
// about which of the hundreds of implementing types it is (like derived methods, they are
// reached from receivers of known type).
var valueTraits = map[string]bool{"Clone": true, "PartialEq": true, "Eq": true, "PartialOrd": true, "Ord": true,
	"Hash": true, "Debug": true, "Display": true, "Default": true, "From": true, "Into": true, "TryFrom": true,
	"TryInto": true, "AsRef": true, "AsMut": true, "ToString": true, "ToOwned": true, "Drop": true}

// preludeTraits are the traits in scope everywhere (the std prelude of every edition).
var preludeTraits = map[string]bool{"Clone": true, "Copy": true, "Default": true, "Drop": true, "Eq": true,
	"PartialEq": true, "Ord": true, "PartialOrd": true, "Iterator": true, "IntoIterator": true,
	"DoubleEndedIterator": true, "ExactSizeIterator": true, "Extend": true, "FromIterator": true,
	"ToString": true, "ToOwned": true, "AsRef": true, "AsMut": true, "Into": true, "From": true,
	"TryFrom": true, "TryInto": true, "Fn": true, "FnMut": true, "FnOnce": true}

// traitInScope reports whether a method of trait can be called in module mod of crate c: the
// trait is in the prelude, or its name (or a `use Trait as _`) resolves there.
func (l *linker) traitInScope(c int32, mod, trait string) bool {
	if preludeTraits[trait] {
		return true
	}
	k := [2]string{mod, trait}
	if in, ok := l.inScope[k]; ok {
		return in
	}
	in := false
	for _, name := range [2]string{trait, anonPrefix + trait} {
		for _, d := range l.lookup(c, mod, name, 0, false) {
			in = in || d.kind == defTrait || d.kind == defExternal
		}
	}
	l.inScope[k] = in
	return in
}
