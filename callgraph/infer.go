package callgraph

import (
	"slices"
	"strings"
)

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
	// elem holds types already resolved: the element of an iterator (name iterName) or the
	// value of an Option, else one type per part of a tuple (name "("); nil when args say it.
	elem []ty
	// wrap is the std wrapper the type was looked through (Box for Box<T>): a crate's trait
	// impl for the wrapper itself (impl ToTokens for Box<T>) comes first in method lookup.
	wrap string
}

// iterName names a std iterator over elem: no crate can declare a type so named.
const iterName = "<iter>"

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

// convTraits are std conversion traits whose method returns (a reference to) the trait's type
// argument: on a receiver bounded by AsRef<X>, as_ref() gives X.
var convTraits = map[string]string{"AsRef": "as_ref", "AsMut": "as_mut", "Borrow": "borrow",
	"BorrowMut": "borrow_mut", "Into": "into"}

// wrapperOwn are methods of std's look-through wrappers themselves (and clone, of all of them): on
// a wrapped receiver they are the wrapper's, found before the inner type's through Deref. The
// value says what they give: "=" the same value, "Result" a Result (a lock guard) of it.
var wrapperOwn = map[string]map[string]string{
	"Mutex":   {"lock": "Result", "try_lock": "Result", "into_inner": "Result", "get_mut": "Result", "is_poisoned": "-"},
	"RwLock":  {"read": "Result", "write": "Result", "try_read": "Result", "try_write": "Result", "into_inner": "Result", "get_mut": "Result"},
	"RefCell": {"borrow": "=", "borrow_mut": "=", "try_borrow": "Result", "try_borrow_mut": "Result", "into_inner": "=", "get_mut": "=", "take": "=", "replace": "="},
	"Cell":    {"get": "=", "set": "-", "replace": "=", "take": "=", "into_inner": "=", "get_mut": "="},
	"Rc":      {"downgrade": "-", "get_mut": "-", "make_mut": "=", "borrow": "=", "borrow_mut": "="},
	"Arc":     {"downgrade": "-", "get_mut": "-", "make_mut": "=", "borrow": "=", "borrow_mut": "="},
	"Weak":    {"upgrade": "="},
	"Cow":     {"into_owned": "=", "to_mut": "="},
}

// wrapperMethod finds method name among the own methods of the wrappers in chain wrap (Arc/Mutex
// for Arc<Mutex<T>>, outermost first, as autoderef goes): what it gives (see wrapperOwn), and the
// wrappers inside the one that has it; "" when none has it.
func wrapperMethod(wrap, name string) (kind, rest string) {
	for wrap != "" {
		w, r, _ := strings.Cut(wrap, "/")
		if k := wrapperOwn[w][name]; k != "" {
			return k, r
		}
		wrap = r
	}
	return "", ""
}

// optionSame are Option's methods that give an Option of the same value type (opt.take());
// optionValue those that give (a reference to) the value (get_or_insert_with).
var (
	optionSame = map[string]bool{"take": true, "replace": true, "or": true, "or_else": true, "xor": true,
		"filter": true, "cloned": true, "copied": true, "take_if": true}
	optionValue = map[string]bool{"get_or_insert": true, "get_or_insert_with": true, "insert": true}
)

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
	if i := strings.IndexByte(t, '!'); i > 0 && i+1 < len(t) && strings.IndexByte("([{", t[i+1]) >= 0 && !strings.ContainsAny(t[:i], "<(") {
		return l.macroType(ctx, t[:i], t[i+1:], depth)
	}
	if i := strings.IndexByte(t, '+'); i > 0 && !strings.ContainsAny(t[:i], "<(") {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" || t[0] == '_' {
		return nil
	}
	if t[0] == '(' || t[0] == '[' || strings.HasPrefix(t, "fn(") {
		// A tuple, array, slice or fn pointer: std's, with methods only from traits. The parts
		// of a tuple and the element of an array or slice are kept for patterns and loops.
		var args []string
		if last := t[len(t)-1]; t[0] != 'f' && len(t) >= 2 && (last == ')' || last == ']') {
			_, args = splitType("x<" + t[1:len(t)-1] + ">")
			if t[0] == '[' && len(args) > 0 {
				args = args[:1]
				if i := strings.IndexByte(args[0], ';'); i > 0 {
					args[0] = strings.TrimSpace(args[0][:i])
				}
			}
		}
		return []ty{{d: def{kind: defExternal}, name: t[:1], args: args, ctx: ctx}}
	}
	path, args := splitType(t)
	path = strings.TrimPrefix(strings.ReplaceAll(path, " ", ""), "::")
	segs := strings.Split(path, "::")
	last := segs[len(segs)-1]
	switch {
	case lookThrough[last] && len(args) > 0:
		inner := l.resolveTy(ctx, args[0], depth+1)
		for i := range inner {
			if inner[i].wrap != "" && strings.Count(inner[i].wrap, "/") < maxInferDepth {
				inner[i].wrap = last + "/" + inner[i].wrap // Arc<Mutex<T>>
			} else {
				inner[i].wrap = last
			}
		}
		return inner
	case path == "Self" && ctx.self != "":
		if ctx.self[0] == '[' { // impl X for [u8]: a std slice
			return l.resolveTy(tctx{c: ctx.c, mod: ctx.mod}, ctx.self, depth+1)
		}
		if ctx.selfTrait {
			return []ty{{d: def{kind: defTrait, crate: ctx.c, key: ctx.self}, name: ctx.self, ctx: ctx}}
		}
		// The impl's self type as named where the fn is: the struct itself among namesakes (all
		// of them when one module path has several files, #[path] mod imp; per platform).
		var out []ty
		for _, d := range l.resolveType(ctx.c, ctx.mod, ctx.self) {
			if d.kind == defType && d.crate == ctx.c && d.key == ctx.self && d.fn < 0 {
				out = append(out, ty{d: d, name: ctx.self, args: args, ctx: ctx})
			}
		}
		if len(out) > 0 {
			return capTys(out)
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
	if len(out) == 0 && (len(segs) == 1 && preludeTypes[last] || !isTypeVar(segs[0]) && isUpper(last)) {
		// A std type, or a named type whose definition the source does not show (a macro
		// writes it: winapi's STRUCT!, bitflags!): its methods are those of the visible trait
		// impls for that name, else it has none a candidate could be. A generic parameter
		// without a bound (T, T::Item) stays unknown.
		out = append(out, ty{d: def{kind: defExternal}, name: last, args: args, ctx: ctx})
	}
	return out
}

// macroType types a macro in type position (Token![&]) by a lookup-table rule of a macro of that
// name in the crate or a direct dependency: the path it expands to, resolved in the macro's crate;
// a type the source does not show (a macro defines it too) is kept as an external one, whose
// methods are looked up like a std type's.
func (l *linker) macroType(ctx tctx, path, arg string, depth int) []ty {
	name := strings.TrimSpace(path)
	if i := strings.LastIndex(name, "::"); i >= 0 {
		name = strings.TrimSpace(name[i+2:])
	}
	arg = strings.Join(strings.Fields(arg), "")
	if len(arg) < 2 {
		return nil
	}
	arg = arg[1 : len(arg)-1]
	cands := []int32{ctx.c}
	for _, d := range l.crates[ctx.c].deps {
		if d.crate >= 0 && !d.build {
			cands = append(cands, d.crate)
		}
	}
	for _, mc := range cands {
		for _, r := range l.crates[mc].typeMacros[name] {
			if r.match != arg {
				continue
			}
			mctx := ctx
			if r.path[0] == "crate" {
				mctx = tctx{c: mc, mod: "crate"}
			}
			if out := l.resolveTy(mctx, strings.Join(r.path, "::"), depth+1); len(out) > 0 {
				return out
			}
			return []ty{{d: def{kind: defExternal}, name: r.path[len(r.path)-1], ctx: ctx}}
		}
	}
	return nil
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
	case e.qself != "":
		for _, t := range l.resolveTy(ctx, e.qself, depth+1) {
			cur = append(cur, l.assocCallType(c, t, e.call[0], depth)...)
		}
	case len(e.call) > 0:
		cur = l.callType(c, fn, e.call, depth)
	}
	for _, s := range e.steps {
		if s.kind == stepWrap {
			cur = wrapTys(cur, s.name)
			continue
		}
		if len(cur) == 0 {
			return nil
		}
		var next []ty
		for _, t := range cur {
			if s.kind == stepOp {
				next = append(next, l.opType(c, fn, t, s, depth)...)
				continue
			}
			next = append(next, l.stepType(c, t, s, depth)...)
			if len(next) >= maxTys {
				break
			}
		}
		cur = next
	}
	return cur
}

// localType types a local name: the last binding of it visible at pos (bound before pos, its
// initialiser included), else a parameter.
func (l *linker) localType(c int32, fn *fnDecl, name string, pos int32, depth int) []ty {
	for i := len(fn.locals) - 1; i >= 0; i-- {
		b := &fn.locals[i]
		if b.name != name || b.pos >= pos || b.end > 0 && pos >= b.end {
			continue
		}
		if b.typ != "" {
			return l.resolveTy(fnCtx(c, fn), b.typ, depth+1)
		}
		return l.evalExpr(c, fn, b.init, depth+1)
	}
	for _, p := range fn.params {
		if p.name == name && p.name != "self" {
			return l.resolveTy(fnCtx(c, fn), p.typ, depth+1)
		}
	}
	// Not a local: a static or const in scope.
	var out []ty
	for _, d := range l.lookup(c, fn.module, name, 0, false) {
		if d.kind == defValue {
			v := l.crates[d.crate].values[d.fn]
			out = append(out, l.resolveTy(tctx{c: d.crate, mod: v.mod}, v.typ, depth+1)...)
		}
	}
	return capTys(out)
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

// assocCallType types <T>::name(..): the return type of T's associated fn, else (a derived or
// std fn, which the source does not show) T itself, as for Type::new() and enum variants.
func (l *linker) assocCallType(c int32, t ty, name string, depth int) []ty {
	for _, d := range l.methodsOn(c, t, name, depth+1) {
		if d.kind == defFn {
			return l.retType(d, &t, depth)
		}
	}
	if t.bound || t.d.kind == defTrait {
		return nil
	}
	return []ty{t}
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
		return l.innerType(t, 0, depth)
	case stepErr:
		if t.name == "Result" {
			return l.innerType(t, 1, depth)
		}
		return nil
	case stepElem:
		return l.elemTypes(c, t, depth)
	case stepIndex:
		return l.indexType(c, t, s.name == "..", depth)
	case stepClosure:
		return l.closureParam(c, t, s.name, int(s.nargs), depth)
	case stepVariant:
		// A struct pattern S { a } names the struct itself; a variant pattern E::V { a } a field
		// of the enum's variant.
		if t.d.kind != defType {
			return nil
		}
		v, f, _ := strings.Cut(s.name, "::")
		name := s.name
		if v == t.d.key {
			name = f
		}
		if r, ok := l.fieldType(t, name); ok {
			return l.resolveTy(tctx{c: t.d.crate, mod: r.mod, self: t.d.key}, l.boundOf(t, r.typ), depth+1)
		}
		return nil
	case stepField:
		if t.d.kind == defExternal && t.name == "(" {
			return l.tuplePart(t, s.name, depth)
		}
		if t.d.kind != defType {
			return nil
		}
		if r, ok := l.fieldType(t, s.name); ok {
			return l.resolveTy(tctx{c: t.d.crate, mod: r.mod, self: t.d.key}, l.boundOf(t, r.typ), depth+1)
		}
		for _, inner := range l.derefTarget(c, t, depth) {
			if out := l.stepType(c, inner, s, depth+1); len(out) > 0 {
				return out
			}
		}
		return nil
	}
	if t.d.kind == defExternal && (t.name == "Option" || t.name == "Result") {
		switch {
		case unwrapping[s.name]:
			return l.innerType(t, 0, depth)
		case t.name == "Result" && (s.name == "unwrap_err" || s.name == "expect_err"):
			return l.innerType(t, 1, depth)
		case t.name == "Result" && s.name == "ok":
			return optionOf(l.innerType(t, 0, depth))
		case t.name == "Result" && s.name == "err":
			return optionOf(l.innerType(t, 1, depth))
		case t.name == "Option" && optionSame[s.name]:
			return []ty{t}
		case t.name == "Option" && optionValue[s.name]:
			return l.innerType(t, 0, depth)
		}
	}
	if s.typ != "" && (s.name == "collect" || s.name == "parse" || s.name == "sum" || s.name == "product") {
		// The turbofish names the result: collect::<Vec<u8>>(), parse::<T>() (a Result).
		out := l.resolveTy(tctx{c: c, mod: l.mod}, s.typ, depth+1)
		if s.name == "parse" {
			return []ty{{d: def{kind: defExternal}, name: "Result", elem: out}}
		}
		return out
	}
	if t.bound && len(t.args) == 1 && convTraits[t.name] == s.name {
		// T: AsRef<[u8]>: t.as_ref() is a [u8], whichever implementor T is.
		return l.resolveTy(t.ctx, t.args[0], depth+1)
	}
	if kind, rest := wrapperMethod(t.wrap, s.name); kind != "" {
		// A guard or reference of the value inside the wrapper that has the method.
		t.wrap = rest
		switch kind {
		case "=":
			return []ty{t}
		case "Result":
			return []ty{{d: def{kind: defExternal}, name: "Result", elem: []ty{t}}}
		}
		return nil
	}
	ds := l.methodsOn(c, t, s.name, depth)
	for _, d := range ds {
		if d.kind == defFn {
			if out := l.retType(d, &t, depth); len(out) > 0 {
				return out
			}
		}
	}
	if slices.ContainsFunc(ds, func(d def) bool { return d.kind == defFn }) {
		return nil
	}
	if out := l.stdMethodType(c, t, s.name, depth); out != nil {
		return out
	}
	if passThrough[s.name] {
		return []ty{t}
	}
	return nil
}

// boundOf replaces a field type that is one of t's generic parameters by that parameter's bounds.
func (l *linker) boundOf(t ty, typ string) string {
	if b, ok := l.crates[t.d.crate].typeBounds[t.d.key][bareType(typ)]; ok {
		return b
	}
	return typ
}

// fieldType is the declared type of field f of struct type t: of that very struct when t was
// resolved to it, else of the first struct of its crate with that name and such a field.
func (l *linker) fieldType(t ty, f string) (typeRef, bool) {
	ci := l.crates[t.d.crate]
	if sid := -t.d.fn - 1; sid >= 0 && int(sid) < len(ci.structs) && ci.structs[sid] == t.d.key {
		r, ok := ci.fields[fieldKey(sid, f)]
		return r, ok
	}
	for _, sid := range ci.structIDs[t.d.key] {
		if r, ok := ci.fields[fieldKey(sid, f)]; ok {
			return r, ok
		}
	}
	return typeRef{}, false
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
	if t.wrap != "" {
		outer, _, _ := strings.Cut(t.wrap, "/")
		if ds := l.foreignTraitMethods(c, outer, name); len(ds) > 0 {
			return ds
		}
		if kind, _ := wrapperMethod(t.wrap, name); name == "clone" || kind != "" {
			// The wrapper's own method (Rc::clone, RefCell::borrow, Mutex::lock) is found
			// before the inner type's: it is std's.
			return []def{{kind: defExternal}}
		}
	}
	switch t.d.kind {
	case defType:
		if ds := l.assocFns(t.d.crate, t.d.key, name, c); len(ds) > 0 {
			return ds
		}
		// A trait's crate can implement it for the type too (quote's impl ToTokens for
		// proc_macro2::Ident).
		if ds := l.foreignTraitMethods(c, t.d.key, name); len(ds) > 0 {
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
		keys := []string{t.name}
		if t.name == "[" && len(t.args) == 1 {
			// impl X for [u8], else impl<T> X for [T]
			keys = []string{sliceKey("[" + t.args[0] + "]"), "[T]"}
		}
		var out []def
		for _, key := range keys {
			if out = l.foreignTraitMethods(c, key, name); len(out) > 0 {
				return capDefs(out)
			}
		}
		for _, key := range keys {
			for _, v := range l.vis {
				for _, tr := range l.crates[v].implTraits[key] {
					if ds := l.traitMethod(v, tr, name); len(ds) > 0 && l.traitInScope(c, l.mod, tr) {
						out = append(out, ds...)
					}
				}
			}
		}
		return capDefs(out)
	}
	return nil
}

// foreignTraitMethods finds the methods called name of the visible trait impls for a std type
// (or another crate's type) named typ, in crates that declare no type of that name. A crate can add methods to a std type only through a trait impl (the orphan rule
// forbids inherent impls on foreign types), so a crate's own inherent methods on a type that
// merely shares the name (bumpalo's collections::Vec) are not candidates; and such a method is
// callable only where its trait is in scope (petgraph's impl Nullable for Option does not make
// every opt.as_ref() petgraph's).
func (l *linker) foreignTraitMethods(c int32, typ, name string) []def {
	var out []def
	for _, v := range l.vis {
		if _, own := l.crates[v].pubTypes[typ]; own {
			continue // its impls for a type of that name are for its own (bumpalo's Vec)
		}
		for _, f := range l.crates[v].methods[key2(typ, name)] {
			if tr := l.crates[v].fns[f].trait; tr != "" && l.traitInScope(c, l.mod, tr) {
				out = append(out, def{kind: defFn, crate: v, fn: f})
			}
		}
	}
	return out
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
	if cs.op == "From" {
		l.linkTry(c, fn, from, cs, st)
		return
	}
	deref := cs.op == "Deref" || cs.op == "DerefMut"
	if deref && !l.ownedOperand(c, fn, cs.recvExpr, int(cs.refs)) {
		return
	}
	var ds []def
	for _, t := range l.evalExpr(c, fn, cs.recvExpr, 0) {
		if (deref || cs.flags&siteDerived != 0) && (t.wrap != "" || t.bound) {
			continue // Box's own deref, or a generic's; a derived clone of a Vec<T> field calls Vec's
		}
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
		if l.rhs != nil {
			found = l.operatorImpls(c, t, cs.op, cs.path[0], l.evalExpr(c, fn, l.rhs, 0), found)
		}
		ds = append(ds, found...)
	}
	if len(ds) > 0 {
		l.record(from, ds, cs, EdgeExact, st)
	}
}

// operatorImpls narrows the operator impls found for left operand type t (impl Mul<f64> for
// Vec2, impl Mul<Vec2> for Vec2) to those whose Rhs is the right operand's type, when there are
// several and that type is known; for a primitive t (2.0 * v), whose impls are std's unless a crate writes
// impl Mul<Vec2> for f64, it looks those up in the crate and its direct dependencies.
func (l *linker) operatorImpls(c int32, t ty, trait, method string, rts []ty, found []def) []def {
	if len(rts) == 0 {
		return found
	}
	if t.d.kind == defExternal && numericTypes[t.name] {
		found = append(found, l.primOpImpls(c, t.name, method)...)
	} else if len(found) < 2 {
		return found // nothing to choose between
	}
	var out []def
	for _, d := range found {
		f := &l.crates[d.crate].fns[d.fn]
		if f.trait != trait || f.flags&FlagInTrait != 0 {
			continue
		}
		var args []ty
		if len(f.traitArgs) == 0 {
			args = []ty{t} // Rhs defaults to Self
		} else if isTypeVar(bareType(f.traitArgs[0])) {
			out = append(out, d) // a generic Rhs
			continue
		} else {
			args = l.resolveTy(fnCtx(d.crate, f), bareType(f.traitArgs[0]), 1)
		}
		if anySame(args, rts) {
			out = append(out, d)
		}
	}
	return out
}

// primOpImpls are the operator methods called method that crate c and its direct dependencies
// implement for primitive type prim (impl Mul<Vec2> for f64).
func (l *linker) primOpImpls(c int32, prim, method string) []def {
	var out []def
	for _, v := range append([]int32{c}, l.depCrates(c)...) {
		for _, f := range l.crates[v].methods[key2(prim, method)] {
			out = append(out, def{kind: defFn, crate: v, fn: f})
		}
	}
	return out
}

// opType types the result of an arithmetic operator step on t: the return type of t's impl of
// the operator whose Rhs is the right operand's type (Affine * Point with impl Mul<Point> for
// Affine, 2.0 * v with impl Mul<Vec2> for f64), else the Output of t's impl. For a primitive t
// without such an impl it is t itself, which std's impls give for a primitive right operand
// (f64 * f64, f64 * &f64), or for any when no crate implements that operator for t; unknown
// when a crate does and the right operand's type is unknown.
func (l *linker) opType(c int32, fn *fnDecl, t ty, s step, depth int) []ty {
	if t.d.kind != defType && !isPrimitive(t) {
		return nil
	}
	method := opMethods[s.name]
	rts := l.evalExpr(c, fn, s.rhs, depth+1)
	var out []ty
	for _, d := range l.operatorImpls(c, t, s.name, method, rts, l.traitImplFns(c, t, s.name, method)) {
		out = append(out, l.retType(d, &t, depth)...)
	}
	switch {
	case len(out) > 0:
		return capTys(out)
	case t.d.kind == defType:
		for _, tc := range [2]int32{t.d.crate, c} {
			if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "Output")]; ok {
				return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
			}
		}
		return []ty{t}
	case len(rts) > 0 && !slices.ContainsFunc(rts, func(r ty) bool { return !isPrimitive(r) }),
		len(l.primOpImpls(c, t.name, method)) == 0:
		return []ty{t}
	}
	return nil
}

func isPrimitive(t ty) bool { return t.d.kind == defExternal && numericTypes[t.name] }

// opMethods maps an operator trait to its method (Mul to mul).
var opMethods = func() map[string]string {
	m := map[string]string{}
	for _, o := range opTraits {
		m[o[0]] = o[1]
	}
	return m
}()

// stdRet are methods of std's str, String, char and numbers whose result has a fixed std type.
var stdRet = func() map[string]map[string]string {
	str := map[string]string{"as_bytes": "[u8]", "as_str": "str", "trim": "str", "trim_start": "str",
		"trim_end": "str", "trim_matches": "str", "trim_start_matches": "str", "trim_end_matches": "str",
		"strip_prefix": "Option<str>", "strip_suffix": "Option<str>", "to_string": "String", "to_owned": "String",
		"to_lowercase": "String", "to_uppercase": "String", "to_ascii_lowercase": "String",
		"to_ascii_uppercase": "String", "replace": "String", "replacen": "String", "repeat": "String",
		"into_bytes": "Vec<u8>", "len": "usize", "find": "Option<usize>", "rfind": "Option<usize>"}
	num := map[string]string{"to_string": "String", "count_ones": "u32", "count_zeros": "u32",
		"leading_zeros": "u32", "trailing_zeros": "u32"}
	m := map[string]map[string]string{"str": str, "String": str, "char": {"encode_utf8": "str",
		"to_string": "String", "len_utf8": "usize", "to_digit": "Option<u32>", "to_ascii_lowercase": "char",
		"to_ascii_uppercase": "char"}}
	for n := range numericTypes {
		m[n] = num
	}
	return m
}()

// strIters are the methods of str (and String, through Deref) that return an iterator, and what
// it yields ("(": the (usize, char) of char_indices).
var strIters = map[string]string{"chars": "char", "bytes": "u8", "char_indices": "(", "lines": "str",
	"split": "str", "rsplit": "str", "splitn": "str", "rsplitn": "str", "split_terminator": "str",
	"split_whitespace": "str", "split_ascii_whitespace": "str", "matches": "str", "split_inclusive": "str"}

// numSelf are the methods of std's primitive numbers that return the receiver's own type.
var numSelf = map[string]bool{"abs": true, "max": true, "min": true, "clamp": true, "pow": true, "powi": true,
	"powf": true, "sqrt": true, "cbrt": true, "exp": true, "exp2": true, "ln": true, "log": true, "log2": true,
	"log10": true, "sin": true, "cos": true, "tan": true, "asin": true, "acos": true, "atan": true, "atan2": true,
	"sinh": true, "cosh": true, "tanh": true, "floor": true, "ceil": true, "round": true, "trunc": true,
	"fract": true, "signum": true, "recip": true, "mul_add": true, "hypot": true, "to_degrees": true,
	"to_radians": true, "copysign": true, "rem_euclid": true, "div_euclid": true, "saturating_add": true,
	"saturating_sub": true, "saturating_mul": true, "wrapping_add": true, "wrapping_sub": true,
	"wrapping_mul": true, "wrapping_neg": true, "rotate_left": true, "rotate_right": true, "swap_bytes": true,
	"reverse_bits": true, "to_be": true, "to_le": true, "next_power_of_two": true}

// depCrates are the crates of c's direct normal dependencies.
func (l *linker) depCrates(c int32) []int32 {
	var out []int32
	for _, d := range l.crates[c].deps {
		if d.crate >= 0 && !d.build {
			out = append(out, d.crate)
		}
	}
	return out
}

// numericTypes are the primitive types a crate may implement operators for.
var numericTypes = map[string]bool{"f32": true, "f64": true, "u8": true, "u16": true, "u32": true, "u64": true,
	"u128": true, "usize": true, "i8": true, "i16": true, "i32": true, "i64": true, "i128": true, "isize": true}

// linkTry links a ? on a Result to the From impl converting its error type F into the error type
// E of the fn's Result. Both must be known: E's From impls alone are no evidence of which one
// runs, and when F is E no crate code runs.
func (l *linker) linkTry(c int32, fn *fnDecl, from int32, cs *callSite, st *Stats) {
	var errs []ty
	for _, r := range l.resolveTy(fnCtx(c, fn), fn.ret, 0) {
		if r.name == "Result" {
			errs = append(errs, l.innerType(r, 1, 0)...)
		}
	}
	if len(errs) == 0 {
		return
	}
	var srcs []ty
	for _, t := range l.evalExpr(c, fn, cs.recvExpr, 0) {
		if t.name == "Result" {
			srcs = append(srcs, l.innerType(t, 1, 0)...)
		}
	}
	var ds []def
	for _, e := range errs {
		for _, f := range srcs {
			if sameType(e, f) {
				continue
			}
			var generic []def
			exact := false
			for _, d := range l.traitImplFns(c, e, "From", "from") {
				impl := &l.crates[d.crate].fns[d.fn]
				if len(impl.traitArgs) != 1 {
					continue
				}
				if isTypeVar(bareType(impl.traitArgs[0])) {
					generic = append(generic, d)
					continue
				}
				for _, a := range l.resolveTy(fnCtx(d.crate, impl), impl.traitArgs[0], 1) {
					if sameType(a, f) {
						ds = append(ds, d)
						exact = true
						break
					}
				}
			}
			if !exact {
				// impl<T: Error> From<T> for E: the conversion of any F without its own impl.
				ds = append(ds, generic...)
			}
		}
	}
	if len(ds) > 0 {
		l.record(from, ds, cs, EdgeExact, st)
	}
}

// ownedOperand reports whether e is a local or a field whose declared type is not a reference or
// pointer: *e then calls the Deref impl of its type, where on a reference it is built in. self is
// left out, its declaration does not say.
func (l *linker) ownedOperand(c int32, fn *fnDecl, e *expr, refs int) bool {
	if e == nil || e.local == "" {
		return false
	}
	var typ string
	switch n := len(e.steps); {
	case n == 0 && e.local != "self":
		typ = l.localDecl(fn, e.local, e.pos)
	case n > 0 && e.steps[n-1].kind == stepField:
		base := *e
		base.steps = e.steps[:n-1]
		for _, t := range l.evalExpr(c, fn, &base, 0) {
			if r, ok := l.fieldType(t, e.steps[n-1].name); ok {
				typ = r.typ
				break
			}
		}
	}
	// **x with x: &T derefs T: the inner * only removes the reference.
	for ; refs > 0; refs-- {
		if typ = strings.TrimSpace(typ); !strings.HasPrefix(typ, "&") {
			return false
		}
		typ = strings.TrimSpace(strings.TrimPrefix(typ, "&"))
		if strings.HasPrefix(typ, "'") {
			_, typ, _ = strings.Cut(typ, " ")
		}
		typ = strings.TrimPrefix(typ, "mut ")
	}
	if typ == "" || bareType(typ) != strings.TrimSpace(typ) {
		return false
	}
	path, _ := splitType(typ)
	return !lookThrough[path[strings.LastIndex(path, ":")+1:]]
}

// localDecl is the type a local name is declared with (a let annotation or a parameter) at pos,
// "" if it has none or is bound by an initialiser.
func (l *linker) localDecl(fn *fnDecl, name string, pos int32) string {
	for i := len(fn.locals) - 1; i >= 0; i-- {
		b := &fn.locals[i]
		if b.name == name && b.pos < pos && (b.end == 0 || pos < b.end) {
			return b.typ
		}
	}
	for _, p := range fn.params {
		if p.name == name {
			return p.typ
		}
	}
	return ""
}

// assocMayMatch reports whether the associated type bindings of bound t (Iterator<Item = PathEl>)
// can hold for the impl for self type x in crate v: an impl whose associated type of that name
// (type Item = PathSeg;) resolves to other types only cannot be the bound's implementor. A side
// that does not resolve (a generic parameter) matches anything.
func (l *linker) assocMayMatch(t ty, v int32, x string) bool {
	for _, a := range t.args {
		k, want, ok := strings.Cut(a, "=")
		if !ok {
			continue
		}
		r, ok := l.crates[v].assocTypes[key2(x, strings.TrimSpace(k))]
		if !ok {
			continue
		}
		ws := l.resolveTy(t.ctx, strings.TrimSpace(want), 1)
		hs := l.resolveTy(tctx{c: v, mod: r.mod, self: x}, r.typ, 1)
		if len(ws) > 0 && len(hs) > 0 && !anySame(ws, hs) {
			return false
		}
	}
	return true
}

// anySame reports whether some type of a is some type of b.
func anySame(a, b []ty) bool {
	return slices.ContainsFunc(a, func(x ty) bool {
		return slices.ContainsFunc(b, func(y ty) bool { return sameType(x, y) })
	})
}

// sameType reports whether a and b are the same type; std types are known by name only.
func sameType(a, b ty) bool {
	if numericTypes[a.name] {
		// Self in an impl for f64 resolves to no external def.
		return a.name == b.name
	}
	if a.d.kind == defExternal || b.d.kind == defExternal {
		return a.d.kind == b.d.kind && a.name == b.name
	}
	return a.d == b.d
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

// Std collections and iterators, modelled by their element types: enough to type the bindings of
// for loops, closures and Some/Ok patterns, and the elements' method calls.
var (
	// seqTypes iterate over their first generic argument.
	seqTypes = map[string]bool{"Vec": true, "VecDeque": true, "HashSet": true, "BTreeSet": true, "BinaryHeap": true,
		"LinkedList": true, "[": true, "Option": true}
	// mapTypes iterate over (key, value) tuples.
	mapTypes = map[string]bool{"HashMap": true, "BTreeMap": true}
	// iterKeep are iterator methods (and a collection's iter()) whose result yields the same
	// elements.
	iterKeep = map[string]bool{"iter": true, "iter_mut": true, "into_iter": true, "drain": true, "cloned": true,
		"copied": true, "rev": true, "skip": true, "take": true, "filter": true, "peekable": true, "chain": true,
		"by_ref": true, "step_by": true, "skip_while": true, "take_while": true, "fuse": true, "inspect": true,
		"cycle": true}
	// elemOpt are methods giving an Option of one element.
	elemOpt = map[string]bool{"next": true, "last": true, "nth": true, "min": true, "max": true, "find": true,
		"peek": true, "next_back": true, "min_by_key": true, "max_by_key": true, "min_by": true, "max_by": true,
		"first": true, "get": true, "get_mut": true, "first_mut": true, "last_mut": true, "pop": true,
		"pop_front": true, "pop_back": true, "front": true, "back": true}
	// elemClosure are methods of iterators and collections whose closure takes an element first;
	// elemClosure2 those whose closure takes two elements, elemFold an accumulator then one.
	elemClosure = map[string]bool{"map": true, "for_each": true, "filter": true, "filter_map": true, "flat_map": true,
		"any": true, "all": true, "find": true, "position": true, "rposition": true, "inspect": true,
		"take_while": true, "skip_while": true, "map_while": true, "partition": true, "max_by_key": true,
		"min_by_key": true, "find_map": true, "try_for_each": true, "sort_by_key": true,
		"sort_unstable_by_key": true, "sort_by_cached_key": true, "retain": true, "retain_mut": true,
		"dedup_by_key": true}
	elemClosure2 = map[string]bool{"max_by": true, "min_by": true, "sort_by": true, "sort_unstable_by": true,
		"dedup_by": true, "reduce": true}
	elemFold = map[string]bool{"fold": true, "try_fold": true}
	// valueClosure are Option and Result methods whose closure takes the value, errClosure
	// Result methods whose closure takes the error.
	valueClosure = map[string]bool{"map": true, "and_then": true, "filter": true, "is_some_and": true, "is_ok_and": true,
		"inspect": true, "take_if": true, "map_or": true}
	errClosure = map[string]bool{"map_err": true, "or_else": true, "unwrap_or_else": true, "is_err_and": true,
		"inspect_err": true}
)

// innerType is the i-th generic argument of an Option or Result (its value, its error).
func (l *linker) innerType(t ty, i int, depth int) []ty {
	if t.d.kind != defExternal || t.name != "Option" && t.name != "Result" {
		return nil
	}
	if i == 0 && t.elem != nil {
		return t.elem
	}
	if i < len(t.args) {
		return l.resolveTy(t.ctx, t.args[i], depth+1)
	}
	return nil
}

// tuplePart types field .n of a tuple.
func (l *linker) tuplePart(t ty, field string, depth int) []ty {
	n := 0
	for _, ch := range field {
		if ch < '0' || ch > '9' || n > 64 {
			return nil
		}
		n = n*10 + int(ch-'0')
	}
	if t.elem != nil {
		if n < len(t.elem) && t.elem[n].d.kind != defNone {
			return t.elem[n : n+1]
		}
		return nil
	}
	if n < len(t.args) {
		return l.resolveTy(t.ctx, t.args[n], depth+1)
	}
	return nil
}

// elemTypes types what iterating over t yields: a std collection's or iterator's element, the
// Item of an impl Iterator bound, or of a crate type's Iterator (or IntoIterator) impl.
func (l *linker) elemTypes(c int32, t ty, depth int) []ty {
	if depth > maxInferDepth {
		return nil
	}
	switch {
	case t.d.kind == defExternal && t.name == iterName:
		return t.elem
	case t.d.kind == defExternal && seqTypes[t.name]:
		return l.innerSeq(t, depth)
	case t.d.kind == defExternal && mapTypes[t.name] && len(t.args) > 1:
		return []ty{{d: def{kind: defExternal}, name: "(", args: t.args[:2], ctx: t.ctx}}
	case t.bound:
		for _, a := range t.args {
			if k, v, ok := strings.Cut(a, "="); ok && strings.TrimSpace(k) == "Item" {
				return l.resolveTy(t.ctx, v, depth+1)
			}
		}
	case t.d.kind == defType:
		for _, tc := range [2]int32{t.d.crate, c} {
			if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "Item")]; ok {
				return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
			}
		}
		for _, tc := range [2]int32{t.d.crate, c} {
			if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "IntoIter")]; ok {
				var out []ty
				for _, it := range l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1) {
					out = append(out, l.elemTypes(c, it, depth+1)...)
				}
				return capTys(out)
			}
		}
	}
	return nil
}

// indexType types t[i] (rng: t[a..b]): an element of a Vec, slice or array, a value of a map,
// a sub-slice or str for a range; for a crate type, the Output of its Index impl, else indexing
// of its Deref target.
func (l *linker) indexType(c int32, t ty, rng bool, depth int) []ty {
	if depth > maxInferDepth {
		return nil
	}
	switch t.d.kind {
	case defExternal:
		switch {
		case rng && (t.name == "str" || t.name == "String"):
			return []ty{{d: t.d, name: "str", ctx: t.ctx}}
		case t.name == "Vec" || t.name == "[" || t.name == "VecDeque" && !rng:
			if rng {
				return []ty{{d: t.d, name: "[", args: t.args, elem: t.elem, ctx: t.ctx}}
			}
			return l.innerSeq(t, depth)
		case mapTypes[t.name] && len(t.args) > 1 && !rng:
			return l.resolveTy(t.ctx, t.args[1], depth+1)
		}
	case defType:
		for _, tc := range [2]int32{t.d.crate, c} {
			if slices.Contains(l.crates[tc].implTraits[t.d.key], "Index") {
				if r, ok := l.crates[tc].assocTypes[key2(t.d.key, "Output")]; ok {
					return l.resolveTy(tctx{c: tc, mod: r.mod, self: t.d.key}, r.typ, depth+1)
				}
			}
		}
		for _, inner := range l.derefTarget(c, t, depth) {
			if out := l.indexType(c, inner, rng, depth+1); len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// innerSeq is the element type of a std sequence, slice or Option.
func (l *linker) innerSeq(t ty, depth int) []ty {
	if t.elem != nil {
		return t.elem
	}
	if len(t.args) > 0 {
		return l.resolveTy(t.ctx, t.args[0], depth+1)
	}
	return nil
}

// wrapTys types a value of type ts held by std type wrap (vec![x], Some(x), Box::new(x)): a
// Vec, Option or Result of it, or it seen through the wrapper; the bare wrapper when ts is
// unknown.
func wrapTys(ts []ty, wrap string) []ty {
	switch {
	case len(ts) == 0:
		return []ty{{d: def{kind: defExternal}, name: wrap}}
	case wrap == "Vec" || wrap == "Option" || wrap == "Result":
		return []ty{{d: def{kind: defExternal}, name: wrap, elem: ts}}
	}
	out := make([]ty, len(ts))
	for i, t := range ts {
		t.wrap = wrap
		out[i] = t
	}
	return out
}

// iterOf is a std iterator over elems, optionOf an Option of one of them: known types even when
// the elements' type is not (a generic parameter), so that their own methods are std's.
func iterOf(elems []ty) []ty {
	return []ty{{d: def{kind: defExternal}, name: iterName, elem: elems}}
}

func optionOf(elems []ty) []ty {
	return []ty{{d: def{kind: defExternal}, name: "Option", elem: elems}}
}

// stdMethodType types the result of a std collection's or iterator's method that keeps track of
// the elements (iter, filter, enumerate, next, get, keys, ...); nil when it does not apply.
func (l *linker) stdMethodType(c int32, t ty, name string, depth int) []ty {
	if t.d.kind != defExternal || t.name == "Option" && name != "iter" && name != "iter_mut" && name != "into_iter" {
		return nil
	}
	switch {
	case numericTypes[t.name] && numSelf[name]:
		return []ty{t}
	case numericTypes[t.name] && strings.HasPrefix(name, "checked_"):
		return optionOf([]ty{t})
	case stdRet[t.name][name] != "":
		r := stdRet[t.name][name]
		if r[0] == '[' {
			return []ty{{d: def{kind: defExternal}, name: "[", args: []string{r[1 : len(r)-1]}, ctx: t.ctx}}
		}
		path, args := splitType(r)
		return []ty{{d: def{kind: defExternal}, name: path, args: args, ctx: t.ctx}}
	case (t.name == "Vec" || t.name == "[") && (name == "as_slice" || name == "as_mut_slice" || name == "to_vec"):
		n := "["
		if name == "to_vec" {
			n = "Vec"
		}
		return []ty{{d: t.d, name: n, args: t.args, elem: t.elem, ctx: t.ctx}}
	case (t.name == "str" || t.name == "String") && strIters[name] != "":
		elem := strIters[name]
		if elem == "(" { // char_indices
			return iterOf([]ty{{d: def{kind: defExternal}, name: "(", elem: []ty{{d: def{kind: defExternal}, name: "usize"}, {d: def{kind: defExternal}, name: "char"}}}})
		}
		return iterOf([]ty{{d: def{kind: defExternal}, name: elem}})
	case mapTypes[t.name] && len(t.args) > 1:
		switch name {
		case "keys", "into_keys":
			return iterOf(l.resolveTy(t.ctx, t.args[0], depth+1))
		case "values", "values_mut", "into_values":
			return iterOf(l.resolveTy(t.ctx, t.args[1], depth+1))
		case "get", "get_mut", "remove":
			return optionOf(l.resolveTy(t.ctx, t.args[1], depth+1))
		}
		if iterKeep[name] {
			return iterOf(l.elemTypes(c, t, depth))
		}
	case seqTypes[t.name] || t.name == iterName:
		elems := l.elemTypes(c, t, depth)
		switch {
		case iterKeep[name]:
			return iterOf(elems)
		case elemOpt[name]:
			return optionOf(elems)
		case name == "remove" || name == "swap_remove":
			return elems
		case name == "enumerate" && len(elems) > 0:
			return iterOf([]ty{{d: def{kind: defExternal}, name: "(", elem: []ty{{d: def{kind: defExternal}, name: "usize"}, elems[0]}}})
		}
	}
	return nil
}

// closureParam types parameter n of a closure passed to method name of a receiver of type t.
func (l *linker) closureParam(c int32, t ty, name string, n int, depth int) []ty {
	if t.d.kind == defExternal && (t.name == "Option" || t.name == "Result") {
		switch {
		case valueClosure[name] && n == 0:
			return l.innerType(t, 0, depth)
		case errClosure[name] && n == 0 && t.name == "Result":
			return l.innerType(t, 1, depth)
		}
		return nil
	}
	if !(elemClosure[name] && n == 0 || elemClosure2[name] && n < 2 || elemFold[name] && n == 1) {
		return nil
	}
	return l.elemTypes(c, t, depth)
}
