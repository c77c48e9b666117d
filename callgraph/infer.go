package callgraph

import "strings"

// Receiver typing at link time: an expression's base (self, a parameter, a let binding, a path
// call, a struct literal) is given a type, and each postfix step maps it on (a field's declared
// type, a method's return type, the success type of ?). Types are resolved through the same name
// resolution as calls, in the module they were written in; generic arguments stay text and are
// only read for Option/Result and look-through wrappers (Box, Rc, Arc, RefCell, ...).

// Bounds on inference.
const (
	maxInferDepth = 8 // nested resolutions: bindings of bindings, aliases, Deref targets
	maxTys        = 4 // alternative types kept for one expression
)

// tctx is where a type text is resolved: crate, module, and what Self names there.
type tctx struct {
	c         int32
	mod, self string
	selfTrait bool // Self is a trait (inside a trait's default method)
}

// ty is a resolved type: a type, trait or external def, with its generic arguments as written.
type ty struct {
	d    def
	name string // last path segment: Option, Vec, Foo
	args []string
	ctx  tctx
	// bound marks some implementor of trait name that the corpus does not declare (std's
	// Iterator, AsRef, ...): a generic parameter's bound, impl Trait or dyn Trait.
	bound bool
}

// lookThrough are std types whose methods a receiver of them reaches through Deref (or that only
// hold a value): the inner type is what method calls are looked up on.
var lookThrough = map[string]bool{"Box": true, "Rc": true, "Arc": true, "RefCell": true, "Cell": true,
	"Mutex": true, "RwLock": true, "MutexGuard": true, "RwLockReadGuard": true, "RwLockWriteGuard": true,
	"Ref": true, "RefMut": true, "Pin": true, "ManuallyDrop": true, "Cow": true, "Weak": true}

// passThrough are std methods that, on a wrapper, give back (a guard or reference to) the same
// value: lock, borrow, as_ref, clone, ...; also Option/Result's unwrapping methods.
var passThrough = map[string]bool{"lock": true, "read": true, "write": true, "borrow": true, "borrow_mut": true,
	"try_lock": true, "get_mut": true, "as_ref": true, "as_mut": true, "clone": true, "as_deref": true,
	"as_deref_mut": true, "to_owned": true, "by_ref": true, "deref": true, "deref_mut": true, "upgrade": true,
	"into_inner": true}

var unwrapping = map[string]bool{"unwrap": true, "expect": true, "unwrap_or": true, "unwrap_or_default": true,
	"unwrap_or_else": true, "unwrap_unchecked": true}

// preludeTypes are std types code names without a use; their methods are std's.
var preludeTypes = map[string]bool{"Vec": true, "String": true, "Option": true, "Result": true, "Box": true,
	"str": true, "u8": true, "u16": true, "u32": true, "u64": true, "u128": true, "usize": true, "i8": true,
	"i16": true, "i32": true, "i64": true, "i128": true, "isize": true, "f32": true, "f64": true, "bool": true,
	"char": true}

func fnCtx(c int32, fn *fnDecl) tctx {
	if fn.self != "" {
		return tctx{c: c, mod: fn.module, self: fn.self}
	}
	if fn.flags&FlagInTrait != 0 {
		return tctx{c: c, mod: fn.module, self: fn.trait, selfTrait: true}
	}
	return tctx{c: c, mod: fn.module}
}

// splitType splits a bare type text into its path and top-level generic arguments.
func splitType(t string) (path string, args []string) {
	i := strings.IndexByte(t, '<')
	if i < 0 {
		return strings.TrimSpace(t), nil
	}
	path = strings.TrimSpace(t[:i])
	depth, start := 0, i+1
	for j := i; j < len(t); j++ {
		switch t[j] {
		case '<', '(', '[':
			depth++
		case '>', ')', ']':
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(t[start:j]); a != "" {
					args = append(args, a)
				}
				return path, args
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(t[start:j]))
				start = j + 1
			}
		}
	}
	return path, args
}

// resolveTy resolves a type text in ctx.
func (l *linker) resolveTy(ctx tctx, text string, depth int) []ty {
	if depth > maxInferDepth {
		return nil
	}
	t, bound := boundType(text)
	if bound {
		var out []ty
		for _, b := range splitBounds(t) {
			out = append(out, l.resolveBound(ctx, b, depth)...)
		}
		return capTys(out)
	}
	if i := strings.IndexByte(t, '+'); i > 0 && !strings.ContainsAny(t[:i], "<(") {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" || t[0] == '_' {
		return nil
	}
	if t[0] == '(' || t[0] == '[' || strings.HasPrefix(t, "fn(") {
		// A tuple, array, slice or fn pointer: std's, with methods only from traits.
		return []ty{{d: def{kind: defExternal}, name: t[:1], ctx: ctx}}
	}
	path, args := splitType(t)
	path = strings.TrimPrefix(strings.ReplaceAll(path, " ", ""), "::")
	segs := strings.Split(path, "::")
	last := segs[len(segs)-1]
	switch {
	case lookThrough[last] && len(args) > 0:
		return l.resolveTy(ctx, args[0], depth+1)
	case path == "Self" && ctx.self != "":
		if ctx.selfTrait {
			return []ty{{d: def{kind: defTrait, crate: ctx.c, key: ctx.self}, name: ctx.self, ctx: ctx}}
		}
		return []ty{{d: def{kind: defType, crate: ctx.c, key: ctx.self}, name: ctx.self, args: args, ctx: ctx}}
	case len(segs) == 2 && segs[0] == "Self" && ctx.self != "":
		if r, ok := l.crates[ctx.c].assocTypes[key2(ctx.self, segs[1])]; ok {
			return l.resolveTy(tctx{c: ctx.c, mod: r.mod, self: ctx.self}, r.typ, depth+1)
		}
		return nil
	case last == "Option" || last == "Result":
		// A crate's own `type Result<T> = ...` keeps T first as well.
		return []ty{{d: def{kind: defExternal}, name: last, args: args, ctx: ctx}}
	}
	var out []ty
	for _, d := range l.resolveType(ctx.c, ctx.mod, path) {
		if d.kind == defType && d.fn > 0 && int(d.fn) <= len(l.crates[d.crate].typeAliases) {
			a := l.crates[d.crate].typeAliases[d.fn-1]
			out = append(out, l.resolveTy(tctx{c: d.crate, mod: a.mod}, a.typ, depth+1)...)
			continue
		}
		out = append(out, ty{d: d, name: last, args: args, ctx: ctx})
		if len(out) >= maxTys {
			break
		}
	}
	if len(out) == 0 && len(segs) == 1 && preludeTypes[last] {
		out = append(out, ty{d: def{kind: defExternal}, name: last, args: args, ctx: ctx})
	}
	return out
}

// splitBounds splits A + B<C + D> + 'a into its trait bounds, leaving out lifetimes and ?Sized.
func splitBounds(t string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(t); i++ {
		if i < len(t) {
			switch t[i] {
			case '<', '(', '[':
				depth++
			case '>', ')', ']':
				depth--
			}
			if t[i] != '+' || depth > 0 || i > 0 && t[i-1] == '-' {
				continue
			}
		}
		if b := strings.TrimSpace(t[start:i]); b != "" && b[0] != '\'' && b[0] != '?' {
			out = append(out, b)
		}
		start = i + 1
	}
	return out
}

// resolveBound types one trait bound: a trait of the corpus, else a bound ty of that name.
func (l *linker) resolveBound(ctx tctx, b string, depth int) []ty {
	path, args := splitType(b)
	path = strings.TrimPrefix(strings.ReplaceAll(path, " ", ""), "::")
	if i := strings.IndexByte(path, '('); i >= 0 { // Fn(A) -> B
		path = path[:i]
	}
	if path == "" {
		return nil
	}
	last := path
	if i := strings.LastIndex(path, "::"); i >= 0 {
		last = path[i+2:]
	}
	if path == "Self" && ctx.selfTrait {
		return l.resolveTy(ctx, "Self", depth+1)
	}
	var out []ty
	for _, d := range l.resolveType(ctx.c, ctx.mod, path) {
		if d.kind == defTrait {
			out = append(out, ty{d: d, name: last, args: args, ctx: ctx})
		}
	}
	if len(out) == 0 {
		out = append(out, ty{d: def{kind: defExternal}, name: last, args: args, ctx: ctx, bound: true})
	}
	return out
}

func capTys(ts []ty) []ty {
	if len(ts) > maxTys {
		return ts[:maxTys]
	}
	return ts
}

// evalExpr types an expression in fn of crate c.
func (l *linker) evalExpr(c int32, fn *fnDecl, e *expr, depth int) []ty {
	if e == nil || depth > maxInferDepth {
		return nil
	}
	ctx := fnCtx(c, fn)
	var cur []ty
	switch {
	case e.local == "self":
		cur = l.resolveTy(ctx, "Self", depth+1)
	case e.local != "":
		cur = l.localType(c, fn, e.local, e.pos, depth)
	case e.lit != "":
		cur = l.resolveTy(ctx, e.lit, depth+1)
	case len(e.call) > 0:
		cur = l.callType(c, fn, e.call, depth)
	}
	for _, s := range e.steps {
		if len(cur) == 0 {
			return nil
		}
		var next []ty
		for _, t := range cur {
			next = append(next, l.stepType(c, t, s, depth)...)
			if len(next) >= maxTys {
				break
			}
		}
		cur = next
	}
	return cur
}

// localType types a local name: the last let binding of it before pos, else a parameter.
func (l *linker) localType(c int32, fn *fnDecl, name string, pos int32, depth int) []ty {
	for i := len(fn.locals) - 1; i >= 0; i-- {
		b := &fn.locals[i]
		if b.name != name || b.pos >= pos {
			continue
		}
		if b.typ != "" {
			return l.resolveTy(fnCtx(c, fn), b.typ, depth+1)
		}
		if b.init != nil && b.init.pos < pos {
			return l.evalExpr(c, fn, b.init, depth+1)
		}
		return nil
	}
	for _, p := range fn.params {
		if p.name == name && p.name != "self" {
			return l.resolveTy(fnCtx(c, fn), p.typ, depth+1)
		}
	}
	return nil
}

// callType types a path call: the return type of the fns it resolves to, or the type itself for
// a tuple struct or enum variant constructor.
func (l *linker) callType(c int32, fn *fnDecl, path []string, depth int) []ty {
	var ds []def
	if path[0] == "Self" && len(path) == 2 && fn.self != "" {
		ds = l.assocFns(c, fn.self, path[1], c)
	} else {
		ds = l.resolveUse(c, fn.module, path, 0)
	}
	var out []ty
	for _, d := range ds {
		switch d.kind {
		case defFn:
			out = append(out, l.retType(d, nil, depth)...)
		case defType:
			out = append(out, l.resolveTy(fnCtx(c, fn), strings.Join(path, "::"), depth+1)...)
		case defExternal:
			// Type::new() of a std type is that type; anything else from std is unknown.
			if len(path) >= 2 && isUpper(path[len(path)-2]) {
				out = append(out, ty{d: d, name: path[len(path)-2]})
			}
		}
		if len(out) >= maxTys {
			break
		}
	}
	if len(ds) == 0 && len(path) >= 2 && isUpper(path[len(path)-2]) {
		// An enum variant constructor: Enum::Variant(..).
		out = l.resolveTy(fnCtx(c, fn), strings.Join(path[:len(path)-1], "::"), depth+1)
	}
	return out
}

// retType types what fn d returns; recv is the receiver's type for a method (what Self means in
// a trait's default method).
func (l *linker) retType(d def, recv *ty, depth int) []ty {
	f := &l.crates[d.crate].fns[d.fn]
	if f.ret == "" {
		return nil
	}
	if recv != nil && f.flags&FlagInTrait != 0 && bareType(f.ret) == "Self" {
		return []ty{*recv}
	}
	return l.resolveTy(fnCtx(d.crate, f), f.ret, depth+1)
}

// stepType maps a receiver type through one postfix step.
func (l *linker) stepType(c int32, t ty, s step, depth int) []ty {
	switch s.kind {
	case stepAwait:
		return []ty{t}
	case stepTry:
		if t.d.kind == defExternal && (t.name == "Option" || t.name == "Result") && len(t.args) > 0 {
			return l.resolveTy(t.ctx, t.args[0], depth+1)
		}
		return nil
	case stepOp:
		if t.d.kind != defType {
			return nil
		}
		for _, tc := range [2]int32{t.d.crate, c} {
			if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "Output")]; ok {
				return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
			}
		}
		return []ty{t}
	case stepField:
		if t.d.kind != defType {
			return nil
		}
		for _, tc := range [2]int32{t.d.crate, c} {
			if r, ok := l.crates[tc].fields[key2(t.d.key, s.name)]; ok {
				return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
			}
		}
		for _, inner := range l.derefTarget(c, t, depth) {
			if out := l.stepType(c, inner, s, depth+1); len(out) > 0 {
				return out
			}
		}
		return nil
	}
	if t.d.kind == defExternal && (t.name == "Option" || t.name == "Result") && unwrapping[s.name] && len(t.args) > 0 {
		return l.resolveTy(t.ctx, t.args[0], depth+1)
	}
	ds := l.methodsOn(c, t, s.name, depth)
	for _, d := range ds {
		if d.kind == defFn {
			if out := l.retType(d, &t, depth); len(out) > 0 {
				return out
			}
		}
	}
	if len(ds) == 0 && passThrough[s.name] {
		return []ty{t}
	}
	return nil
}

// derefTarget is the Target of an impl Deref for t (in t's crate or the calling crate).
func (l *linker) derefTarget(c int32, t ty, depth int) []ty {
	if t.d.kind != defType || depth > maxInferDepth {
		return nil
	}
	for _, tc := range [2]int32{t.d.crate, c} {
		if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "Target")]; ok {
			return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
		}
	}
	return nil
}

// methodsOn finds the methods called name of type t, without adding edges: inherent and trait
// impl methods, default methods of traits implemented for it, those of its Deref target; on a
// trait, its declaration or a supertrait's; on a foreign type, impls of the crate's (or a
// visible crate's) traits for it.
func (l *linker) methodsOn(c int32, t ty, name string, depth int) []def {
	if depth > maxInferDepth {
		return nil
	}
	switch t.d.kind {
	case defType:
		if ds := l.assocFns(t.d.crate, t.d.key, name, c); len(ds) > 0 {
			return ds
		}
		for _, inner := range l.derefTarget(c, t, depth) {
			if ds := l.methodsOn(c, inner, name, depth+1); len(ds) > 0 {
				// The call goes through Deref::deref first.
				return append(ds, l.traitImplFns(c, t, "Deref", "deref")...)
			}
		}
	case defTrait:
		if ds := l.traitDecls(t.d.crate, t.d.key, name); len(ds) > 0 {
			return ds
		}
		for _, s := range l.crates[t.d.crate].supers[t.d.key] {
			for _, st := range l.resolveTy(tctx{c: t.d.crate, mod: s.mod}, s.typ, depth+1) {
				if ds := l.methodsOn(c, st, name, depth+1); len(ds) > 0 {
					return ds
				}
			}
		}
	case defExternal:
		if t.name == "" || t.bound {
			return nil
		}
		// A crate can add methods to a std type only through a trait impl (the orphan rule
		// forbids inherent impls on foreign types), so a crate's own inherent methods on a type
		// that merely shares the name (bumpalo's collections::Vec) are not candidates.
		var out []def
		for _, v := range l.vis {
			for _, f := range l.crates[v].methods[key2(t.name, name)] {
				if l.crates[v].fns[f].trait != "" {
					out = append(out, def{kind: defFn, crate: v, fn: f})
				}
			}
		}
		if len(out) == 0 {
			for _, v := range l.vis {
				for _, tr := range l.crates[v].implTraits[t.name] {
					out = append(out, l.traitMethod(v, tr, name)...)
				}
			}
		}
		return capDefs(out)
	}
	return nil
}

// traitDecls returns the declarations of method name in trait trait of crate tc.
func (l *linker) traitDecls(tc int32, trait, name string) []def {
	var out []def
	for _, f := range l.crates[tc].traitFns[key2(trait, name)] {
		out = append(out, def{kind: defFn, crate: tc, fn: f})
	}
	return out
}

// linkImplicit links an operator or for-loop call to the impl of its trait for the type of the
// operand. Nothing is guessed when that type is unknown: an operator on primitives is the
// common case and calls no crate's code.
func (l *linker) linkImplicit(c int32, fn *fnDecl, from int32, cs *callSite, st *Stats) {
	var ds []def
	for _, t := range l.evalExpr(c, fn, cs.recvExpr, 0) {
		found := l.traitImplFns(c, t, cs.op, cs.path[0])
		if len(found) == 0 && cs.op == "Iterator" {
			// for x in coll: next is called on coll's IntoIterator::IntoIter.
			for _, tc := range [2]int32{t.d.crate, c} {
				if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "IntoIter")]; ok && t.d.kind == defType {
					for _, it := range l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, 1) {
						found = append(found, l.traitImplFns(c, it, "Iterator", "next")...)
					}
					break
				}
			}
		}
		ds = append(ds, found...)
	}
	if len(ds) > 0 {
		l.record(from, ds, cs, EdgeExact, st)
	}
}

// traitImplFns returns the methods called name that type t's impls of trait define.
func (l *linker) traitImplFns(c int32, t ty, trait, name string) []def {
	if t.d.kind != defType {
		return nil
	}
	var out []def
	for _, d := range l.assocFns(t.d.crate, t.d.key, name, c) {
		if f := &l.crates[d.crate].fns[d.fn]; f.trait == trait && f.flags&FlagInTrait == 0 {
			out = append(out, d)
		}
	}
	return out
}
