package callgraph

import (
	"math"
	"slices"
	"strings"
)

// Bounds on name resolution: use chains, glob fan-out and ambiguous names are followed this far.
const (
	maxResolveDepth = 24
	maxDefs         = 16
)

// externalRoots are crates every crate can name without a manifest entry.
var externalRoots = map[string]bool{"std": true, "core": true, "alloc": true, "proc_macro": true, "test": true}

// resolver resolves names across the crate indexes of a Builder. It only reads them, so one
// resolver per goroutine can run over shared indexes.
type resolver struct {
	crates []*crateIndex
	// memo caches complete lookups.
	memo map[lookupKey][]def
	// onStack holds the lookups in progress with their stack depth: meeting one cuts a cycle of
	// globs and uses (use super::*; in a child of a module that globs the child).
	onStack map[lookupKey]int
	// low is the smallest stack depth of an in-progress lookup that the current one met. A
	// lookup that met none below its own depth is the root of every cycle it walked: its result
	// is complete and cached. The others' results may miss what the cut part of a cycle gives;
	// they are kept in partial for the rest of the outermost lookup only: reusing them there
	// keeps a query polynomial in cyclic glob graphs, and dropping them afterwards keeps later
	// answers independent of the order of queries.
	low     int
	partial map[lookupKey]partialDefs
	active  int // lookups in progress
}

type partialDefs struct {
	ds  []def
	low int
}

type lookupKey struct {
	crate     int32
	extern    bool
	mod, name string
}

// maxMemo bounds the lookup cache; it is dropped when full.
const maxMemo = 1 << 20

var external = []def{{kind: defExternal}}

// rootOf returns the root module key of the namespace mod is in.
func rootOf(mod string) string {
	if strings.HasPrefix(mod, "bin:") {
		return "bin:crate"
	}
	return "crate"
}

// lookup finds name in module mod of crate c: its own items, its named imports, its glob imports
// and, when extern is set (the first segment of a path), the extern prelude.
func (r *resolver) lookup(c int32, mod, name string, depth int, extern bool) []def {
	if c < 0 {
		return nil
	}
	if depth > maxResolveDepth {
		return nil
	}
	if r.memo == nil || len(r.memo) > maxMemo {
		r.memo = map[lookupKey][]def{}
	}
	k := lookupKey{c, extern, mod, name}
	if ds, ok := r.memo[k]; ok {
		return ds
	}
	if d, ok := r.onStack[k]; ok {
		r.low = min(r.low, d)
		return nil
	}
	if p, ok := r.partial[k]; ok {
		r.low = min(r.low, p.low) // a partial answer makes the caller's partial too
		return p.ds
	}
	if r.onStack == nil {
		r.onStack, r.partial = map[lookupKey]int{}, map[lookupKey]partialDefs{}
	}
	if r.active == 0 {
		r.low = math.MaxInt
	}
	r.active++
	my, outer := r.active, r.low
	r.onStack[k] = my
	r.low = math.MaxInt
	ds := r.lookupUncached(c, mod, name, depth, extern)
	delete(r.onStack, k)
	r.active--
	if ds == nil {
		ds = noDefs
	}
	if r.low >= my {
		r.memo[k] = ds
		r.low = outer
	} else {
		r.partial[k] = partialDefs{ds, r.low}
		r.low = min(outer, r.low)
	}
	if r.active == 0 {
		clear(r.partial)
	}
	return ds
}

// noDefs is a memoised empty answer.
var noDefs = []def{}

func (r *resolver) lookupUncached(c int32, mod, name string, depth int, extern bool) []def {
	ci := r.crates[c]
	m := ci.mods[mod]
	if m != nil {
		var out []def
		valuesOnly := true
		for _, d := range m.items[name] {
			d.crate = c
			out = append(out, d)
			valuesOnly = valuesOnly && (d.kind == defFn || d.kind == defValue)
		}
		if len(out) > 0 && !valuesOnly {
			return out
		}
		// Only fns (the value namespace) are defined here: a type or module of that name can
		// still be imported (syn's fn Ident beside pub use proc_macro2::Ident).
		// Imports under a #[cfg] false on Linux (#[cfg(windows)] use win as sys; beside the
		// unix one) give their definitions marked off: the edges to them are another
		// platform's, kept and marked. Where only such imports name it, that is all there is.
		for i := range m.uses {
			if u := &m.uses[i]; u.name == name {
				out = appendOff(out, r.resolveUse(c, mod, u.path, depth+1), u.off)
			}
		}
		if len(out) > 0 {
			return capDefs(out)
		}
		// Every glob that names it counts (in Rust two would be an ambiguity error unless they
		// name one item, so the union is the answer; it is also what makes a cached answer
		// independent of the order lookups ran in). Globs under a #[cfg] false on Linux are
		// read only when this platform's name nothing, marked off: libc's pub use fuchsia::*
		// beside pub use unix::* would otherwise give every platform's CMSG_DATA.
		for k, globs := range [2][][]string{m.globs[:m.offGlobs], m.globs[m.offGlobs:]} {
			for _, g := range globs {
				for _, d := range r.resolveUse(c, mod, g, depth+1) {
					if d.kind == defMod && (d.crate != c || d.key != mod) {
						out = appendOff(out, r.lookup(d.crate, d.key, name, depth+1, false), k == 1 || d.off)
					}
				}
			}
			if len(out) > 0 {
				return capDefs(dedupDefs(out))
			}
		}
	}
	if !extern {
		return nil
	}
	return r.externPrelude(c, mod, name)
}

// dedupDefs drops repeated definitions (one item reached through two globs), keeping the one
// not marked off if there is one.
func dedupDefs(ds []def) []def {
	out := ds[:0:0]
	for _, d := range ds {
		k := slices.IndexFunc(out, func(o def) bool {
			return o.kind == d.kind && o.crate == d.crate && o.fn == d.fn && o.key == d.key
		})
		switch {
		case k < 0:
			out = append(out, d)
		case !d.off:
			out[k].off = false
		}
	}
	return out
}

// appendOff appends ds to out, marked off (reached through another platform's import) if off.
func appendOff(out, ds []def, off bool) []def {
	for _, d := range ds {
		d.off = d.off || off
		out = append(out, d)
	}
	return out
}

func (r *resolver) externPrelude(c int32, mod, name string) []def {
	ci := r.crates[c]
	for _, d := range ci.deps {
		if d.name == name {
			if d.crate < 0 {
				return external
			}
			return []def{{kind: defMod, crate: d.crate, key: "crate"}}
		}
	}
	if externalRoots[name] {
		return external
	}
	if name == ci.ident && ci.hasLib {
		return []def{{kind: defMod, crate: c, key: "crate"}}
	}
	return nil
}

func capDefs(ds []def) []def {
	if len(ds) > maxDefs {
		return ds[:maxDefs]
	}
	return ds
}

// resolveUse resolves a use path: relative to the module (2018), else from the crate root (2015).
func (r *resolver) resolveUse(c int32, mod string, path []string, depth int) []def {
	if len(path) > 0 && path[0] == "::" {
		if len(path) < 2 {
			return nil
		}
		return r.walk(c, r.externPrelude(c, mod, path[1]), path[2:], depth)
	}
	ds := r.resolvePath(c, mod, path, depth)
	if len(ds) == 0 && len(path) > 0 && !isSpecialSeg(path[0]) {
		if root := rootOf(mod); root != mod {
			ds = r.resolvePath(c, root, path, depth)
		}
	}
	return ds
}

func isSpecialSeg(s string) bool {
	return s == "crate" || s == "self" || s == "super" || s == "Self" || s == "$crate"
}

// resolvePath resolves a path as written in module mod of crate c. Self is handled by callers.
func (r *resolver) resolvePath(c int32, mod string, path []string, depth int) []def {
	if len(path) == 0 || depth > maxResolveDepth {
		return nil
	}
	var cur []def
	i := 1
	switch path[0] {
	case "crate", "$crate":
		cur = []def{{kind: defMod, crate: c, key: rootOf(mod)}}
	case "self":
		cur = []def{{kind: defMod, crate: c, key: mod}}
	case "super":
		m := mod
		i = 0
		for i < len(path) && path[i] == "super" {
			if p := parentMod(m); p != "" {
				m = p
			}
			i++
		}
		cur = []def{{kind: defMod, crate: c, key: m}}
	default:
		cur = r.lookup(c, mod, path[0], depth, true)
	}
	return r.walk(c, cur, path[i:], depth)
}

// walk follows the remaining segments from the defs found so far.
func (r *resolver) walk(from int32, cur []def, rest []string, depth int) []def {
	for _, seg := range rest {
		if len(cur) == 0 {
			return nil
		}
		var next []def
		for _, d := range cur {
			switch d.kind {
			case defMod:
				next = appendOff(next, r.lookup(d.crate, d.key, seg, depth+1, false), d.off)
			case defType:
				next = append(next, r.assocFns(d.crate, d.key, seg, from)...)
			case defTrait:
				for _, f := range r.crates[d.crate].traitFns[key2(d.key, seg)] {
					next = append(next, def{kind: defFn, crate: d.crate, fn: f})
				}
			case defExternal:
				return external
			}
		}
		cur = capDefs(next)
	}
	return cur
}

// assocFns finds the functions named name associated with type typ of crate tc: in impls of tc
// and of the calling crate, else the default methods of the traits implemented for it. The
// calling crate's impls count only if it declares no type of that name: quinn-udp's impl
// Iterator for its own cmsg::Iter is not tracing_core's Iter's.
func (r *resolver) assocFns(tc int32, typ, name string, from int32) []def {
	all, n := [2]int32{tc, from}, 1
	if _, own := r.crates[from].pubTypes[typ]; from != tc && !own {
		n = 2
	}
	crates := all[:n]
	var out []def
	k := key2(typ, name)
	for _, c := range crates {
		for _, f := range r.crates[c].methods[k] {
			out = append(out, def{kind: defFn, crate: c, fn: f})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, c := range crates {
		for _, t := range r.crates[c].implTraits[typ] {
			out = append(out, r.traitMethod(c, t, name)...)
		}
	}
	return out
}

// traitMethod finds the fns named name declared in a trait called trait, in crate c or its
// dependencies (a trait implemented in c is defined there or in a dependency).
func (r *resolver) traitMethod(c int32, trait, name string) []def {
	k := key2(trait, name)
	var out []def
	for _, f := range r.crates[c].traitFns[k] {
		out = append(out, def{kind: defFn, crate: c, fn: f})
	}
	if len(out) > 0 {
		return out
	}
	for _, d := range r.crates[c].deps {
		if d.crate < 0 {
			continue
		}
		for _, f := range r.crates[d.crate].traitFns[k] {
			out = append(out, def{kind: defFn, crate: d.crate, fn: f})
		}
	}
	return capDefs(out)
}

// resolveType resolves a type path written in module mod of crate c to type or trait defs.
func (r *resolver) resolveType(c int32, mod, typ string) []def {
	ds := r.resolveUse(c, mod, strings.Split(typ, "::"), 0)
	out := ds[:0:0]
	for _, d := range ds {
		if d.kind == defType || d.kind == defTrait || d.kind == defExternal {
			out = append(out, d)
		}
	}
	return out
}
