package callgraph

import (
	"path"
	"slices"
	"strings"
	"unique"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// defKind says what a name resolves to.
type defKind uint8

const (
	defNone     defKind = iota
	defMod              // key: module key ("crate::a", "bin:crate::a")
	defType             // key: the type's name (impls are matched by self type name)
	defTrait            // key: the trait's name
	defFn               // fn: the crate-local function index
	defExternal         // std, core, alloc, or a dependency the corpus does not hold
	defValue            // fn: index of a static's or const's type in the crate's values
)

// def is one resolution result. crate is a crate id of the Builder.
type def struct {
	kind  defKind
	off   bool // reached through an import under a #[cfg] false on x86_64 Linux
	crate int32
	fn    int32
	key   string
}

// useDecl is a named import: use a::b as name; extern crate x as name.
type useDecl struct {
	name string
	path []string
	pub  bool
	off  bool // under a #[cfg] false on x86_64 Linux
}

// module is one namespace of a crate.
type module struct {
	items    map[string][]def
	uses     []useDecl
	globs    [][]string // those under a #[cfg] false on x86_64 Linux last, from offGlobs on
	offGlobs int
	pubGlobs [][]string // the globs of pub use, for re-export aliases
}

// fnDecl is one function of a crate.
type fnDecl struct {
	path   string // display path: "smallvec::SmallVec::insert_many"
	name   string
	module string // module key the fn's body resolves names in
	self   string // impl self type name, "" outside impls
	trait  string // the trait implemented (impl Trait for T) or declared in (trait T { })
	// traitArgs are the implemented trait's generic arguments as written: [u8] for AsRef<[u8]>.
	traitArgs []string
	file      int32
	line      int32
	flags     uint8
	params    []param
	ret       string    // return type as written, "" for ()
	locals    []binding // let statements of the body, in source order
	// nparams counts the parameters other than self (-1 if unknown): approximate candidates must
	// take as many arguments as the call passes.
	nparams int8
	public  bool // declared plain pub
}

// Function flags.
const (
	FlagMethod  uint8 = 1 << iota // takes self
	FlagInTrait                   // declared in a trait block (a declaration or default method)
	FlagBody                      // has a body (trait declarations and foreign fns have none)
	FlagPub                       // declared pub (at any restriction)
	FlagBin                       // belongs to a binary target
	FlagImpl                      // inside an impl block
	// FlagDerived marks a method a #[derive] of a std trait writes (clone, eq, fmt, ...): it has
	// no source, and it is a target of calls on its type only, not an approximate candidate.
	FlagDerived
	// FlagOtherPlatform marks a fn under a #[cfg] false on x86_64 Linux: every edge to it is
	// another platform's (Edge.CfgOff), wherever the call is.
	FlagOtherPlatform
)

// param is a local name with a type path as written (a fn parameter, or self).
type param struct{ name, typ string }

// siteFlags are a call site's marks.
type siteFlags uint8

const (
	siteCfgOff  siteFlags = 1 << iota // under a #[cfg] false on x86_64 Linux
	siteDerived                       // a derived method's call of its trait's method on a field type (op)
	// siteForeign: a dependency's macro wrote the call (tracing's event!, quote!). Its receivers
	// are the invoking code's values, untyped more often than not, and the macro's author wrote
	// it for any of them: only calls that resolve get edges, no candidates or trait fan-out.
	siteForeign
)

// marks returns the flags of a call site under a #[cfg] false on Linux (off) at offset pos of
// the file being indexed.
func (ci *crateIndex) marks(off bool, pos int32) siteFlags {
	var f siteFlags
	if off {
		f |= siteCfgOff
	}
	if ci.foreign != nil && ci.foreign(int(pos)) {
		f |= siteForeign
	}
	return f
}

// callSite is an unresolved call of a crate's function.
// The corpus holds a million of them, all live until linking: the small fields come first so
// that they pack into 16 bytes.
type callSite struct {
	fn            int32
	line, col     int32
	kind          rustsrc.CallKind
	nargs         int8 // arguments of a method call (-1 if unknown)
	flags         siteFlags
	refs          int8 // a Deref call's operand is behind this many more * (**x: 1)
	path          []string
	qself, qtrait string
	recvExpr      *expr  // a method call's receiver, or a path call's first argument (Trait::m(x)); nil if not a postfix chain
	op            string // the trait of a call without call syntax (operator, for loop), "" otherwise
}

// crateIndex is everything the linker needs from one crate; it holds no tokens.
type crateIndex struct {
	name, version string // name as Cargo spells it
	ident         string // name as Rust code spells it (hyphens become underscores)
	hasLib        bool
	deps          []depRef // extern prelude of the crate (manifest dependencies)
	files         []string
	mods          map[string]*module
	fns           []fnDecl
	calls         []callSite
	// opRHS holds the right operands of operator calls by their index in calls: few call sites
	// have one, so they are kept apart.
	opRHS      map[int32]*expr
	methods    map[string][]int32  // "Self\x00name": fns in impls of Self
	traitFns   map[string][]int32  // "Trait\x00name": fns declared in trait Trait
	implFns    map[string][]int32  // "Trait\x00name": fns in impl Trait for X
	implTraits map[string][]string // Self: names of traits implemented for it here
	byName     map[string][]int32  // methods (with a body) by name, for approximate edges
	fields     map[string]typeRef  // fieldKey(struct id, field): declared type
	// structs holds the names of the crate's structs and unions by id; a type's def.fn is
	// -(id+1), so that namesakes in different modules keep their own fields.
	structs     []string
	structIDs   map[string][]int32   // struct name: its ids
	assocTypes  map[string]typeRef   // "Self\x00Name": type Name = T; in impls for Self
	typeAliases []typeRef            // type Name = T; outside impls and traits (def.fn of the alias's defType is its index + 1)
	supers      map[string][]typeRef // trait name: its supertraits
	blanket     map[string][]int32   // method name: fns in impls for a generic parameter (impl<T: A> B for T)
	pubTypes    map[string]bool      // types declared here: true for plain pub ones, which other crates can name
	// aliases holds the names CamelCase items are imported as under another name (use
	// core::ops::Deref as __Deref); implPaths the trait paths of the crate's impls as written,
	// by module (key2(module, path)): the fns of each. An impl that names its trait by an alias
	// is filed under the trait's own name when the crates are linked.
	aliases   map[string]bool
	implPaths map[string][]int32
	// values are the declared types of the module-level statics and consts whose type is a
	// named one (lazy_static's GRAPHEME_BREAK_FWD), which can be a method call's receiver.
	values []typeRef
	// typeBounds are the bounds of a type's generic parameters, from its definition and its
	// impls (type name -> parameter -> `impl Bounds`): a field of type T is typed by them.
	typeBounds map[string]map[string]string
	// typeMacros are the crate's lookup-table macros (syn's Token![&]): macro name -> rules
	// mapping a literal matcher to a path.
	typeMacros map[string][]macroRule
	problems   []string
	// pos maps an offset of the file being indexed to its position in the source as written
	// (an expanded file's offsets are not the source's).
	pos func(off int) rustsrc.Position
	cfg cfgEnv // evaluates the crate's #[cfg]s
	// foreign reports whether an offset of the file being indexed is in code a dependency's
	// macro wrote in a fn body (nil: none is).
	foreign func(off int) bool
	// expanded and expandFailed count macro invocations that expanded and that did not.
	expanded, expandFailed int
}

// depRef is a manifest dependency as the crate's code names it.
type depRef struct {
	name    string // extern name (renamed key, hyphens as underscores)
	pkg     string // the crate it refers to
	req     string
	crate   int32 // resolved crate id, -1 when the corpus has no admitted version
	dev     bool
	build   bool
	version string
}

func key2(a, b string) string { return a + "\x00" + b }

func fieldKey(sid int32, field string) string { return itoa(int(sid)) + "\x00" + field }

// anonPrefix names the imports of `use Trait as _;` in a module's uses.
const anonPrefix = "_ as "

// indexCrate builds the index of a loaded crate. Only library and binary files are indexed: tests,
// examples, benches and build scripts are not part of what a dependent can call.
func indexCrate(c *rustsrc.Crate, x *expander, env cfgEnv) *crateIndex {
	ci := &crateIndex{
		name: c.Name, version: c.Version, ident: identName(c.Name),
		mods:    map[string]*module{},
		methods: map[string][]int32{}, traitFns: map[string][]int32{}, implFns: map[string][]int32{},
		implTraits: map[string][]string{}, byName: map[string][]int32{},
		fields: map[string]typeRef{}, assocTypes: map[string]typeRef{},
		supers: map[string][]typeRef{}, blanket: map[string][]int32{}, pubTypes: map[string]bool{},
		structIDs: map[string][]int32{}, aliases: map[string]bool{}, implPaths: map[string][]int32{},
	}
	testMods := testModules(c)
	ci.cfg = env
	offMods, offFiles := offLinuxModules(c, env)
	var files []*rustsrc.CrateFile
	for _, f := range c.Files {
		if f.Module == "" || (f.Target != rustsrc.TargetLib && f.Target != rustsrc.TargetBin) || underAny(f.Module, testMods) {
			continue
		}
		files = append(files, f)
	}
	if x != nil {
		x.setLocal(c, files, x.defaults)
	}
	for _, f := range files {
		if f.Target == rustsrc.TargetLib && f.Module == "crate" {
			ci.hasLib = true
		}
		ci.indexFile(f, underAny(f.Module, offMods) || offFiles[f.Path], x)
	}
	ci.problems = c.Problems
	ci.pos, ci.foreign = nil, nil
	if x != nil {
		ci.expanded, ci.expandFailed = x.expanded, x.failed
	}
	// The index lives until the whole corpus is linked: trim the append slack.
	ci.calls = slices.Clone(ci.calls)
	ci.fns = slices.Clone(ci.fns)
	return ci
}

// identName is the crate name as Rust paths spell it.
func identName(name string) string { return strings.ReplaceAll(name, "-", "_") }

func (ci *crateIndex) mod(key string) *module {
	m := ci.mods[key]
	if m == nil {
		m = &module{items: map[string][]def{}}
		ci.mods[key] = m
		if p := parentMod(key); p != "" {
			ci.mod(p)
		}
	}
	return m
}

// parentMod returns the parent module key, "" for a root.
func parentMod(key string) string {
	i := strings.LastIndex(key, "::")
	if i < 0 {
		return ""
	}
	return key[:i]
}

// indexFile indexes one file, after expanding its macro invocations with x (if not nil);
// fileOff says its module is under a cfg false on Linux.
func (ci *crateIndex) indexFile(f *rustsrc.CrateFile, fileOff bool, x *expander) {
	pf := f.Parsed
	ci.pos, ci.foreign = pf.Position, nil
	skip := testItems(pf)
	if x != nil {
		if epf, om := x.expandFile(pf, skip); epf != nil {
			pf, ci.pos, ci.foreign = epf, om.position, om.foreign
			exp := *f
			exp.Parsed = epf
			f = &exp
			skip = testItems(pf)
		}
	}
	prefix := ""
	if f.Target == rustsrc.TargetBin {
		prefix = "bin:"
	}
	fileIdx := int32(len(ci.files))
	ci.files = append(ci.files, f.Path)
	fileMod := prefix + f.Module
	ci.mod(fileMod)
	// scope[i] is the module key item i's own name lives in; fnOf maps an item to its local fn id.
	scope := make([]string, len(pf.Items))
	fnOf := make([]int32, len(pf.Items))
	ownerBounds := map[int32]map[string]string{} // impl or trait item: its generic bounds
	// off[i]: item i is under a cfg false on Linux; offIn[i]: the parts of its body that are.
	off := make([]bool, len(pf.Items))
	offIn := make([][][2]int32, len(pf.Items))
	for i := range pf.Items {
		it := &pf.Items[i]
		fnOf[i] = -1
		off[i] = fileOff || ci.cfg.offLinux(pf, it.Attrs) || it.Parent != rustsrc.None && off[it.Parent]
		if it.Kind == rustsrc.ItemFn && it.BodyEnd > it.BodyStart {
			offIn[i] = ci.cfg.offRanges(pf, int(it.BodyStart), int(it.BodyEnd), nil)
		}
		if skip[i] {
			continue
		}
		parentScope := fileMod
		if it.Parent != rustsrc.None {
			p := &pf.Items[it.Parent]
			parentScope = scope[it.Parent]
			if p.Kind == rustsrc.ItemMod && p.Inline {
				parentScope = scope[it.Parent] + "::" + p.Name
			}
		}
		scope[i] = parentScope
		m := ci.mod(parentScope)
		name := intern(it.Name)
		switch it.Kind {
		case rustsrc.ItemMod:
			child := parentScope + "::" + name
			ci.mod(child)
			m.items[name] = append(m.items[name], def{kind: defMod, key: child})
		case rustsrc.ItemStruct, rustsrc.ItemEnum, rustsrc.ItemUnion, rustsrc.ItemTypeAlias:
			owner := ownerOf(pf, it)
			var alias string
			if it.Kind == rustsrc.ItemTypeAlias && owner == nil {
				alias = aliasType(pf, it)
			}
			if owner == nil {
				ci.pubTypes[name] = ci.pubTypes[name] || it.Vis == "pub"
			}
			sid := int32(-1)
			if owner == nil {
				d := def{kind: defType, key: name}
				if alias != "" {
					ci.typeAliases = append(ci.typeAliases, typeRef{alias, parentScope})
					d.fn = int32(len(ci.typeAliases))
				}
				if it.Kind == rustsrc.ItemStruct || it.Kind == rustsrc.ItemUnion || it.Kind == rustsrc.ItemEnum {
					sid = int32(len(ci.structs))
					ci.structs = append(ci.structs, name)
					ci.structIDs[name] = append(ci.structIDs[name], sid)
					d.fn = -sid - 1
				}
				m.items[name] = append(m.items[name], d)
			}
			switch {
			case (it.Kind == rustsrc.ItemStruct || it.Kind == rustsrc.ItemUnion) && sid >= 0:
				ci.addTypeBounds(name, headerBounds(pf, it))
				var types []string
				structFields(pf, it, func(f, typ string) {
					if typ != "" {
						ci.fields[fieldKey(sid, f)] = typeRef{typ, parentScope}
						types = append(types, typ)
					}
				})
				ci.addDerived(pf, it, name, parentScope, fileIdx, prefix, types, off[i])
			case it.Kind == rustsrc.ItemEnum && sid >= 0:
				var types []string
				enumVariantFields(pf, it, func(f, typ string) {
					if typ != "" {
						ci.fields[fieldKey(sid, f)] = typeRef{typ, parentScope}
						types = append(types, typ)
					}
				})
				ci.addDerived(pf, it, name, parentScope, fileIdx, prefix, types, off[i])
			case it.Kind != rustsrc.ItemTypeAlias, owner == nil:
			case owner.Kind == rustsrc.ItemImpl && owner.SelfName != "":
				if t := aliasType(pf, it); t != "" {
					ci.assocTypes[key2(owner.SelfName, name)] = typeRef{t, parentScope}
				}
			}
		case rustsrc.ItemConst, rustsrc.ItemStatic:
			if ownerOf(pf, it) != nil {
				break
			}
			if t := valueType(pf, it); isUpper(typeName(bareType(t))) {
				m.items[name] = append(m.items[name], def{kind: defValue, fn: int32(len(ci.values))})
				ci.values = append(ci.values, typeRef{intern(t), parentScope})
			}
		case rustsrc.ItemTrait:
			m.items[name] = append(m.items[name], def{kind: defTrait, key: name})
			for _, t := range supertraits(pf, it) {
				ci.supers[name] = append(ci.supers[name], typeRef{t, parentScope})
			}
		case rustsrc.ItemExternCrate:
			alias := name
			if it.Alias != "" {
				alias = intern(it.Alias)
			}
			if name == "self" {
				m.uses = append(m.uses, useDecl{name: alias, path: []string{"crate"}, pub: it.Vis != ""})
			} else {
				m.uses = append(m.uses, useDecl{name: alias, path: []string{"::", name}, pub: it.Vis != ""})
			}
		case rustsrc.ItemFn:
			if it.Extern && it.BodyEnd == 0 {
				continue // foreign fns are not Rust functions of this crate
			}
			id := int32(len(ci.fns))
			fnOf[i] = id
			full, selfType, _ := (&rustsrc.Crate{}).ItemPath(f, i)
			d := fnDecl{name: name, module: parentScope, file: fileIdx, flags: 0}
			d.path = ci.ident + strings.TrimPrefix(full, "crate")
			if prefix != "" {
				d.path = ci.ident + "::{bin}" + strings.TrimPrefix(full, "crate")
				d.flags |= FlagBin
			}
			d.line = int32(ci.pos(int(it.Pos)).Line)
			if it.HasSelf {
				d.flags |= FlagMethod
			}
			if it.BodyStart > 0 { // [0,0) means no body; an empty body {} is [n,n)
				d.flags |= FlagBody
			}
			if it.Vis != "" {
				d.flags |= FlagPub
			}
			if off[i] {
				d.flags |= FlagOtherPlatform
			}
			d.public = it.Vis == "pub"
			owner := ownerOf(pf, it)
			switch {
			case owner != nil && owner.Kind == rustsrc.ItemImpl:
				d.flags |= FlagImpl
				d.self = implSelf(owner, selfType)
				if selfType == "" && d.self != "" { // the path has an empty segment for it
					d.path = strings.Replace(d.path, "::::", "::"+d.self+"::", 1)
				}
				d.trait = typeName(owner.Trait)
				if _, args := splitType(intern(owner.Trait)); len(args) > 0 {
					d.traitArgs = args
				}
				ci.methods[key2(d.self, name)] = append(ci.methods[key2(d.self, name)], id)
				if d.trait != "" {
					if p, _ := splitType(owner.Trait); p != "" {
						k := key2(parentScope, intern(p))
						ci.implPaths[k] = append(ci.implPaths[k], id)
					}
					ci.implFns[key2(d.trait, name)] = append(ci.implFns[key2(d.trait, name)], id)
					if isBlanket(pf, owner) {
						ci.blanket[name] = append(ci.blanket[name], id)
					}
				}
			case owner != nil && owner.Kind == rustsrc.ItemTrait:
				d.flags |= FlagInTrait
				d.trait = intern(owner.Name)
				ci.traitFns[key2(d.trait, name)] = append(ci.traitFns[key2(d.trait, name)], id)
			default:
				m.items[name] = append(m.items[name], def{kind: defFn, fn: id})
			}
			if d.flags&FlagMethod != 0 && d.flags&FlagBody != 0 {
				ci.byName[name] = append(ci.byName[name], id)
			}
			var outer map[string]string
			if owner != nil {
				if outer = ownerBounds[it.Parent]; outer == nil {
					outer = headerBounds(pf, owner)
					ownerBounds[it.Parent] = outer
					if owner.Kind == rustsrc.ItemImpl && owner.SelfName != "" {
						ci.addTypeBounds(intern(owner.SelfName), outer)
					}
				}
			}
			d.params, d.nparams, d.ret = signature(pf, it, d.self, d.trait, outer)
			if it.BodyStart > 0 && it.BodyEnd > it.BodyStart {
				d.locals = bindings(pf, int(it.BodyStart), int(it.BodyEnd), nil)
			}
			ci.fns = append(ci.fns, d)
		case rustsrc.ItemImpl:
			if s := implSelf(it, it.SelfName); it.Trait != "" && s != "" {
				ci.implTraits[s] = appendUnique(ci.implTraits[s], typeName(it.Trait))
			}
		}
	}
	// Uses live in the module of their scope item (a use inside a fn body is treated as if it were
	// in the enclosing module: an over-approximation that only adds names).
	for ui := range pf.Uses {
		u := &pf.Uses[ui]
		if u.Item != rustsrc.None && skip[u.Item] {
			continue
		}
		key := fileMod
		if u.Scope != rustsrc.None {
			key = scope[u.Scope]
			if p := &pf.Items[u.Scope]; p.Kind == rustsrc.ItemMod && p.Inline {
				key += "::" + p.Name
			}
		}
		m := ci.mod(key)
		segs := cloneSegs(u.Path)
		useOff := u.Item != rustsrc.None && off[u.Item]
		if u.Glob {
			if useOff {
				m.globs = append(m.globs, segs)
			} else {
				// Globs of this platform go before the others': a name two of them define
				// resolves to the one Linux builds (libc's pub use unix::* beside fuchsia::*).
				m.globs = slices.Insert(m.globs, m.offGlobs, segs)
				m.offGlobs++
			}
			if u.Vis != "" {
				m.pubGlobs = append(m.pubGlobs, segs)
			}
			continue
		}
		name := u.Name()
		if name == "" || len(segs) == 0 {
			continue
		}
		if name == "_" {
			// use Trait as _; brings the trait's methods into scope without its name.
			name = anonPrefix + segs[len(segs)-1]
		}
		if name == "self" && len(segs) > 1 {
			segs = segs[:len(segs)-1]
			name = segs[len(segs)-1]
		}
		if orig := segs[len(segs)-1]; orig != name && isUpper(orig) && !strings.HasPrefix(name, anonPrefix) {
			ci.aliases[intern(name)] = true
		}
		m.uses = append(m.uses, useDecl{name: intern(name), path: segs, pub: u.Vis != "", off: useOff})
	}
	cfgOff := func(item int32, pos int32) bool {
		for ; item != rustsrc.None; item = pf.Items[item].Parent {
			if off[item] || inRanges(offIn[item], pos) {
				return true
			}
		}
		return fileOff
	}
	ci.indexCalls(pf, fileIdx, fnOf, cfgOff)
	ci.indexImplicitCalls(pf, fnOf, cfgOff)
	ci.indexTypeMacros(pf)
}

// derivedMethods are the methods a #[derive] of a std trait writes: name, parameters besides
// self (-1: no self), return type.
var derivedMethods = map[string]struct {
	name    string
	nparams int8
	ret     string
}{
	"Clone": {"clone", 0, "Self"}, "PartialEq": {"eq", 1, "bool"}, "Debug": {"fmt", 1, ""},
	"Default": {"default", -1, "Self"}, "Hash": {"hash", 1, ""}, "PartialOrd": {"partial_cmp", 1, ""},
	"Ord": {"cmp", 1, ""},
}

// addDerived adds the methods the #[derive(..)] attributes of type item it write, so that calls
// of them (x.clone(), a == b, S::default()) resolve, with their calls of the same trait's method
// on each field type (fields holds the types as written): a derived clone calls each field's
// clone. Debug is the exception: a derived fmt hands its fields to the Formatter as &dyn Debug,
// which calls their fmt, not the derived fmt itself.
func (ci *crateIndex) addDerived(pf *rustsrc.ParsedFile, it *rustsrc.Item, typ, mod string, file int32, prefix string, fields []string, off bool) {
	for _, a := range it.Attrs {
		if a.Path != "derive" || a.ArgsEnd <= a.ArgsStart || int(a.ArgsEnd) > len(pf.Tokens) {
			continue
		}
		for k := int(a.ArgsStart); k < int(a.ArgsEnd); k++ {
			if kindAt(pf, k) != rustsrc.Ident || kindAt(pf, k+1) == rustsrc.PathSep {
				continue
			}
			trait := pf.Text(pf.Tokens[k])
			m, ok := derivedMethods[trait]
			if !ok {
				continue
			}
			trait = intern(trait)
			id := int32(len(ci.fns))
			d := fnDecl{name: m.name, module: mod, self: typ, trait: trait, file: file, ret: m.ret,
				line: int32(ci.pos(int(it.Pos)).Line), nparams: max(m.nparams, 0),
				flags: FlagBody | FlagImpl | FlagDerived | FlagPub}
			if off {
				d.flags |= FlagOtherPlatform
			}
			d.path = ci.ident + strings.TrimPrefix(strings.TrimPrefix(mod, prefix), "crate") + "::" + typ + "::" + m.name
			if prefix != "" {
				d.path = ci.ident + "::{bin}" + strings.TrimPrefix(strings.TrimPrefix(mod, prefix), "crate") + "::" + typ + "::" + m.name
				d.flags |= FlagBin
			}
			if m.nparams >= 0 {
				d.flags |= FlagMethod
				d.params = []param{{"self", typ}}
			}
			ci.fns = append(ci.fns, d)
			ci.methods[key2(typ, m.name)] = append(ci.methods[key2(typ, m.name)], id)
			ci.implFns[key2(trait, m.name)] = append(ci.implFns[key2(trait, m.name)], id)
			ci.implTraits[typ] = appendUnique(ci.implTraits[typ], trait)
			if trait == "Debug" {
				continue
			}
			pos := ci.pos(int(it.Pos))
			for _, ft := range slices.Compact(slices.Sorted(slices.Values(fields))) {
				ci.calls = append(ci.calls, callSite{fn: id, kind: rustsrc.CallMethod, path: []string{m.name},
					recvExpr: &expr{lit: ft}, op: trait, flags: ci.marks(off, -1) | siteDerived, nargs: -1,
					line: int32(pos.Line), col: int32(pos.Column)})
			}
		}
	}
}

// addTypeBounds merges the bounds of a type's generic parameters, the first ones read winning.
func (ci *crateIndex) addTypeBounds(typ string, bounds map[string]string) {
	if len(bounds) == 0 {
		return
	}
	if ci.typeBounds == nil {
		ci.typeBounds = map[string]map[string]string{}
	}
	m := ci.typeBounds[typ]
	if m == nil {
		m = map[string]string{}
		ci.typeBounds[typ] = m
	}
	for k, v := range bounds {
		if _, ok := m[k]; !ok {
			m[intern(k)] = v
		}
	}
}

// macroRule is a macro_rules! rule without metavariables whose expansion is a path: the
// matcher's tokens joined without spaces, and the path's segments ("crate" for $crate).
type macroRule struct {
	match string
	path  []string
}

// Bounds on lookup-table macros.
const (
	maxMacroRules = 512
	maxMatchToks  = 8
)

// indexTypeMacros records the rules of the file's macro_rules! definitions (those nested in other
// macros' bodies too, like syn's Token!) that map literal tokens to a path: such a macro in type
// position (Token![&]) stands for that type.
func (ci *crateIndex) indexTypeMacros(pf *rustsrc.ParsedFile) {
	for i := 0; i+3 < len(pf.Tokens); i++ {
		if kindAt(pf, i) != rustsrc.Ident || kindAt(pf, i+1) != rustsrc.Not || kindAt(pf, i+2) != rustsrc.Ident ||
			pf.Text(pf.Tokens[i]) != "macro_rules" {
			continue
		}
		name := pf.Text(pf.Tokens[i+2])
		end := closeOf(pf, i+3)
		if end < 0 {
			continue
		}
		for j := i + 4; j < end; {
			if kindAt(pf, j) == rustsrc.Dollar { // $( rules )* written by an enclosing macro
				if c := closeOf(pf, j+1); c > 0 && c < end {
					j = c + 2
					continue
				}
				break
			}
			mc := closeOf(pf, j)
			if mc < 0 || kindAt(pf, mc+1) != rustsrc.FatArrow {
				break
			}
			tc := closeOf(pf, mc+2)
			if tc < 0 {
				break
			}
			if r, ok := lookupRule(pf, j, mc, tc); ok && len(ci.typeMacros[name]) < maxMacroRules {
				if ci.typeMacros == nil {
					ci.typeMacros = map[string][]macroRule{}
				}
				name = intern(name)
				ci.typeMacros[name] = append(ci.typeMacros[name], r)
			}
			j = tc + 1
			if kindAt(pf, j) == rustsrc.Semi {
				j++
			}
		}
	}
}

// lookupRule reads the rule with the matcher group opened at mo (closed at mc) and the
// transcriber closed at tc, if it is a literal matcher and a path transcriber.
func lookupRule(pf *rustsrc.ParsedFile, mo, mc, tc int) (macroRule, bool) {
	if mc-mo-1 > maxMatchToks || mc == mo+1 {
		return macroRule{}, false
	}
	var b strings.Builder
	for k := mo + 1; k < mc; k++ {
		if kindAt(pf, k) == rustsrc.Dollar {
			return macroRule{}, false
		}
		b.WriteString(pf.Text(pf.Tokens[k]))
	}
	var path []string
	k := mc + 3
	if kindAt(pf, k) == rustsrc.Dollar && kindAt(pf, k+1) == rustsrc.KwCrate {
		path = append(path, "crate")
		k += 2
		if kindAt(pf, k) != rustsrc.PathSep {
			return macroRule{}, false
		}
		k++
	}
	for ; k < tc; k += 2 {
		if kindAt(pf, k) != rustsrc.Ident || len(path) >= 8 {
			return macroRule{}, false
		}
		path = append(path, intern(pf.Text(pf.Tokens[k])))
		if k+1 == tc {
			return macroRule{match: b.String(), path: path}, true
		}
		if kindAt(pf, k+1) != rustsrc.PathSep {
			return macroRule{}, false
		}
	}
	return macroRule{}, false
}

// indexImplicitCalls records the operator and for-loop calls of the file's fns.
func (ci *crateIndex) indexImplicitCalls(pf *rustsrc.ParsedFile, fnOf []int32, cfgOff func(item, pos int32) bool) {
	children := map[int32][][2]int{}
	for i := range pf.Items {
		if p := pf.Items[i].Parent; p != rustsrc.None && fnOf[p] >= 0 {
			lo, hi := itemTokens(pf, &pf.Items[i])
			children[p] = append(children[p], [2]int{lo, hi})
		}
	}
	var found []implicitCall
	for i := range pf.Items {
		it := &pf.Items[i]
		if fnOf[i] < 0 || it.BodyEnd <= it.BodyStart {
			continue
		}
		found = implicitCalls(pf, int(it.BodyStart), int(it.BodyEnd), children[int32(i)], found[:0])
		for _, ic := range found {
			if ic.trait == "From" && !mayReturnResult(ci.fns[fnOf[i]].ret) {
				continue
			}
			pos := ci.pos(int(ic.pos))
			if ic.rhs != nil {
				if ci.opRHS == nil {
					ci.opRHS = map[int32]*expr{}
				}
				ci.opRHS[int32(len(ci.calls))] = ic.rhs
			}
			ci.calls = append(ci.calls, callSite{fn: fnOf[i], kind: rustsrc.CallMethod, path: []string{ic.name},
				recvExpr: ic.recv, op: ic.trait, nargs: -1, refs: ic.refs, line: int32(pos.Line), col: int32(pos.Column),
				flags: ci.marks(cfgOff(int32(i), ic.pos), ic.pos)})
		}
	}
}

// mayReturnResult reports whether a fn's return type as written may be a Result (an alias of
// one included): a ? in its body may convert an error.
func mayReturnResult(ret string) bool {
	path, _ := splitType(bareType(ret))
	switch path {
	case "", "Option", "bool", "usize", "u8", "u16", "u32", "u64", "i32", "i64", "String", "Self":
		return false
	}
	return true
}

// indexCalls records the call sites of the file's functions with what is known of receivers.
func (ci *crateIndex) indexCalls(pf *rustsrc.ParsedFile, fileIdx int32, fnOf []int32, cfgOff func(item, pos int32) bool) {
	for ci2 := range pf.Calls {
		c := &pf.Calls[ci2]
		item := c.Fn
		constEval := false
		for item != rustsrc.None && fnOf[item] < 0 {
			k := pf.Items[item].Kind
			constEval = constEval || k == rustsrc.ItemConst || k == rustsrc.ItemStatic
			item = pf.Items[item].Parent
		}
		if item == rustsrc.None || len(c.Path) == 0 || constEval {
			// The initialiser of a const or static in a fn body (tracing's static CALLSITE) is
			// evaluated when the crate is compiled: its calls never run.
			continue
		}
		fn := fnOf[item]
		pos := ci.pos(int(c.Pos))
		cs := callSite{fn: fn, kind: c.Kind, path: cloneSegs(c.Path), qself: intern(c.QSelf),
			qtrait: intern(c.QTrait), line: int32(pos.Line), col: int32(pos.Column),
			flags: ci.marks(cfgOff(c.Fn, c.Pos), c.Pos)}
		cs.nargs = -1
		if c.Kind == rustsrc.CallPath && len(c.Path) >= 2 && c.QSelf == "" {
			// Trait::m(x, ..): x types the call like a receiver, if the path is a trait's.
			cs.recvExpr = firstArg(pf, tokIndex(pf.Tokens, c.Pos))
		}
		if c.Kind == rustsrc.CallPath && c.QSelf == "" && slices.Equal(c.Path, []string{"Default", "default"}) {
			// Default::default() whose type the context gives is that type's default().
			switch t := defaultType(pf, tokIndex(pf.Tokens, c.Pos), &pf.Items[item], ci.fns[fn].ret); t {
			case "":
			case "Self":
				cs.path = []string{"Self", "default"}
			default:
				cs.qself, cs.path = intern(t), []string{"default"}
			}
		}
		if c.Kind == rustsrc.CallMethod {
			if t := tokIndex(pf.Tokens, c.Pos); t >= 0 {
				cs.recvExpr = receiverExpr(pf, t)
				open := t + 1
				if kindAt(pf, open) == rustsrc.PathSep {
					open = skipAngles(pf, open+1, len(pf.Tokens))
				}
				if kindAt(pf, open) == rustsrc.LParen {
					cs.nargs = countArgs(pf, open)
				}
			}
		}
		ci.calls = append(ci.calls, cs)
	}
}

// defaultType is the type the context of the Default::default() call whose path starts at token
// t gives it: the struct literal's of ..Default::default(), the return type ret of fn item it
// when the call is its body's tail expression; "" when neither.
func defaultType(pf *rustsrc.ParsedFile, t int, it *rustsrc.Item, ret string) string {
	if t < 1 || kindAt(pf, t+3) != rustsrc.LParen {
		return ""
	}
	end := closeOf(pf, t+3)
	switch kindAt(pf, t-1) {
	case rustsrc.DotDot:
		// The literal's { is the first unclosed one before ..: its path precedes it.
		depth := 0
		for j := t - 2; j > int(it.BodyStart) && t-j < 4096; j-- {
			switch kindAt(pf, j) {
			case rustsrc.RBrace, rustsrc.RParen, rustsrc.RBracket:
				depth++
			case rustsrc.LParen, rustsrc.LBracket:
				depth--
			case rustsrc.LBrace:
				if depth--; depth < 0 {
					k := j
					for k > 0 && (kindAt(pf, k-1) == rustsrc.Ident || kindAt(pf, k-1) == rustsrc.PathSep || kindAt(pf, k-1) == rustsrc.KwSelfType) {
						k--
					}
					if k == j {
						return ""
					}
					return tokText(pf, k, j)
				}
			}
			if depth < 0 {
				return ""
			}
		}
	case rustsrc.LBrace, rustsrc.Semi, rustsrc.RBrace:
		if end > 0 && end+1 == int(it.BodyEnd) && ret != "" && !strings.ContainsAny(ret, "<&(") {
			return ret
		}
	}
	return ""
}

// firstArg is the first argument of the path call whose path starts at token t, if it is a
// postfix expression.
func firstArg(pf *rustsrc.ParsedFile, t int) *expr {
	if t < 0 {
		return nil
	}
	open := t
	for n := 0; n < 64; n++ {
		switch kindAt(pf, open) {
		case rustsrc.Ident, rustsrc.PathSep, rustsrc.KwSelfType, rustsrc.KwSelfValue, rustsrc.KwCrate, rustsrc.KwSuper:
			open++
			continue
		case rustsrc.Lt:
			open = skipAngles(pf, open, len(pf.Tokens))
			continue
		case rustsrc.LParen:
			if c := closeOf(pf, open); c > open+1 {
				return parseExpr(pf, open+1, scanTo(pf, open+1, c, rustsrc.Comma))
			}
		}
		return nil
	}
	return nil
}

// intern returns a copy of s that does not retain the source text it was cut from, shared with
// every other interned copy: a corpus's index holds the same few names (self, new, Vec, unwrap)
// millions of times.
func intern(s string) string { return unique.Make(s).Value() }

func cloneSegs(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = intern(x)
	}
	return out
}

func appendUnique(s []string, x string) []string {
	for _, y := range s {
		if y == x {
			return s
		}
	}
	return append(s, x)
}

// ownerOf returns the impl or trait directly holding an item, or nil.
func ownerOf(pf *rustsrc.ParsedFile, it *rustsrc.Item) *rustsrc.Item {
	if it.Parent == rustsrc.None {
		return nil
	}
	p := &pf.Items[it.Parent]
	if p.Kind == rustsrc.ItemImpl || p.Kind == rustsrc.ItemTrait {
		return p
	}
	return nil
}

// isBlanket reports impl<T..> Trait for T: an impl for every type its bounds admit.
func isBlanket(pf *rustsrc.ParsedFile, impl *rustsrc.Item) bool {
	if impl.SelfName == "" || bareType(impl.SelfType) != impl.SelfName {
		return false
	}
	lo, hi := itemTokens(pf, impl)
	if kindAt(pf, lo+1) != rustsrc.Lt {
		return false
	}
	end := skipAngles(pf, lo+1, hi)
	for i := lo + 2; i < end; i++ {
		if kindAt(pf, i) == rustsrc.Ident && pf.Text(pf.Tokens[i]) == impl.SelfName && (i == lo+2 || kindAt(pf, i-1) == rustsrc.Comma) {
			return true
		}
	}
	return false
}

// typeName is the last path segment of a type as written, without generic arguments: Sink for
// crate::Sink and io::Write<T>. (rustsrc's Item.TraitName is empty for paths that start with a
// keyword such as crate:: or super::.)
func typeName(text string) string {
	if i := strings.IndexByte(text, '<'); i >= 0 {
		text = text[:i]
	}
	if i := strings.LastIndex(text, "::"); i >= 0 {
		text = text[i+2:]
	}
	text = strings.TrimSpace(strings.TrimLeft(text, "&!?* "))
	for _, p := range []string{"dyn ", "mut ", "const "} {
		text = strings.TrimPrefix(text, p)
	}
	return intern(strings.TrimSpace(text))
}

// implSelf is the key of impl's self type, whose name is name: the name, or for a slice (impl
// ByteSlice for [u8], which has none) the slice's key, as rustc names the impl's methods.
func implSelf(impl *rustsrc.Item, name string) string {
	if name != "" {
		return intern(name)
	}
	return sliceKey(impl.SelfType)
}

// sliceKey is the key of a slice type [E]: [E] with E as written, [T] for a generic element
// (impl<T> X for [T]); "" when t is not a slice.
func sliceKey(t string) string {
	t = bareType(t)
	if len(t) < 3 || t[0] != '[' || t[len(t)-1] != ']' || strings.IndexByte(t, ';') >= 0 {
		return ""
	}
	e := strings.Join(strings.Fields(t[1:len(t)-1]), " ")
	if isTypeVar(e) {
		e = "T"
	}
	return intern("[" + e + "]")
}

// isCfgTest reports #[cfg(test)]: test-only code is not part of what the library calls.
// testItems marks the items of pf under #[cfg(test)], directly or through a parent.
func testItems(pf *rustsrc.ParsedFile) []bool {
	skip := make([]bool, len(pf.Items))
	for i := range pf.Items {
		it := &pf.Items[i]
		skip[i] = isCfgTest(pf, it.Attrs) || it.Parent != rustsrc.None && skip[it.Parent]
	}
	return skip
}

func isCfgTest(pf *rustsrc.ParsedFile, attrs []rustsrc.Attr) bool {
	for _, a := range attrs {
		if a.Path == "cfg" && a.ArgsEnd == a.ArgsStart+1 && int(a.ArgsStart) < len(pf.Tokens) {
			if t := pf.Tokens[a.ArgsStart]; t.Kind == rustsrc.Ident && pf.Text(t) == "test" {
				return true
			}
		}
	}
	return false
}

// eachModDecl calls visit with each file-level mod x; declaration of the crate's files, and with
// each file and a nil item (for the file's inner attributes).
func eachModDecl(c *rustsrc.Crate, visit func(f *rustsrc.CrateFile, it *rustsrc.Item)) {
	for _, f := range c.Files {
		if f.Module == "" {
			continue
		}
		for i := range f.Parsed.Items {
			if it := &f.Parsed.Items[i]; it.Kind == rustsrc.ItemMod && !it.Inline && it.Parent == rustsrc.None {
				visit(f, it)
			}
		}
		visit(f, nil)
	}
}

// testModules lists the module paths declared #[cfg(test)] mod x; in the crate's files.
func testModules(c *rustsrc.Crate) []string {
	var out []string
	eachModDecl(c, func(f *rustsrc.CrateFile, it *rustsrc.Item) {
		switch {
		case it == nil && isCfgTest(f.Parsed, f.Parsed.InnerAttrs):
			out = append(out, f.Module)
		case it != nil && isCfgTest(f.Parsed, it.Attrs):
			out = append(out, f.Module+"::"+it.Name)
		}
	})
	return out
}

// offLinuxModules lists the module paths all of whose declarations, or whose file's inner
// attributes, are under a cfg false on Linux; and the files that a #[path] module declaration
// under such a cfg names (mod imp; is often declared once per platform, each with its file).
func offLinuxModules(c *rustsrc.Crate, env cfgEnv) ([]string, map[string]bool) {
	off := map[string]bool{}
	files := map[string]bool{}
	eachModDecl(c, func(f *rustsrc.CrateFile, it *rustsrc.Item) {
		if it == nil {
			if env.offLinux(f.Parsed, f.Parsed.InnerAttrs) {
				off[f.Module] = true
			}
			return
		}
		isOff := env.offLinux(f.Parsed, it.Attrs)
		if p := pathAttr(it.Attrs); p != "" {
			files[path.Join(path.Dir(f.Path), p)] = isOff
			return
		}
		k := f.Module + "::" + it.Name
		o, seen := off[k]
		off[k] = (o || !seen) && isOff
	})
	var out []string
	for k, o := range off {
		if o {
			out = append(out, k)
		}
	}
	return out, files
}

func pathAttr(attrs []rustsrc.Attr) string {
	for _, a := range attrs {
		if a.Path == "path" {
			return a.Value
		}
	}
	return ""
}

func underAny(mod string, roots []string) bool {
	for _, r := range roots {
		if mod == r || strings.HasPrefix(mod, r+"::") {
			return true
		}
	}
	return false
}
