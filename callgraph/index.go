package callgraph

import (
	"sort"
	"strings"

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
)

// def is one resolution result. crate is a crate id of the Builder.
type def struct {
	kind  defKind
	crate int32
	fn    int32
	key   string
}

// useDecl is a named import: use a::b as name; extern crate x as name.
type useDecl struct {
	name string
	path []string
	pub  bool
}

// module is one namespace of a crate.
type module struct {
	items    map[string][]def
	uses     []useDecl
	globs    [][]string
	pubGlobs [][]string // the globs of pub use, for re-export aliases
}

// fnDecl is one function of a crate.
type fnDecl struct {
	path   string // display path: "smallvec::SmallVec::insert_many"
	name   string
	module string // module key the fn's body resolves names in
	self   string // impl self type name, "" outside impls
	trait  string // the trait implemented (impl Trait for T) or declared in (trait T { })
	file   int32
	line   int32
	flags  uint8
	params []param
	body   int32 // byte offset of the body; hints before it are about parameters
}

// Function flags.
const (
	FlagMethod  uint8 = 1 << iota // takes self
	FlagInTrait                   // declared in a trait block (a declaration or default method)
	FlagBody                      // has a body (trait declarations and foreign fns have none)
	FlagPub                       // declared pub (at any restriction)
	FlagBin                       // belongs to a binary target
	FlagImpl                      // inside an impl block
)

// param is a local name with a type path as written (a fn parameter, or self).
type param struct{ name, typ string }

// callSite is an unresolved call of a crate's function.
type callSite struct {
	fn            int32
	kind          rustsrc.CallKind
	path          []string
	qself, qtrait string
	recv          string
	recvType      string // type of the receiver from a let hint or a parameter, "" if unknown
	line, col     int32
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
	methods       map[string][]int32  // "Self\x00name": fns in impls of Self
	traitFns      map[string][]int32  // "Trait\x00name": fns declared in trait Trait
	implFns       map[string][]int32  // "Trait\x00name": fns in impl Trait for X
	implTraits    map[string][]string // Self: names of traits implemented for it here
	byName        map[string][]int32  // methods (with a body) by name, for approximate edges
	problems      []string
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

// indexCrate builds the index of a loaded crate. Only library and binary files are indexed: tests,
// examples, benches and build scripts are not part of what a dependent can call.
func indexCrate(c *rustsrc.Crate) *crateIndex {
	ci := &crateIndex{
		name: c.Name, version: c.Version, ident: identName(c.Name),
		mods:    map[string]*module{},
		methods: map[string][]int32{}, traitFns: map[string][]int32{}, implFns: map[string][]int32{},
		implTraits: map[string][]string{}, byName: map[string][]int32{},
	}
	testMods := testModules(c)
	for _, f := range c.Files {
		if f.Module == "" || (f.Target != rustsrc.TargetLib && f.Target != rustsrc.TargetBin) || underAny(f.Module, testMods) {
			continue
		}
		if f.Target == rustsrc.TargetLib && f.Module == "crate" {
			ci.hasLib = true
		}
		ci.indexFile(f)
	}
	ci.problems = c.Problems
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

func (ci *crateIndex) indexFile(f *rustsrc.CrateFile) {
	pf := f.Parsed
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
	var local []param
	skip := make([]bool, len(pf.Items))
	for i := range pf.Items {
		it := &pf.Items[i]
		fnOf[i] = -1
		skip[i] = isCfgTest(pf, it.Attrs) || it.Parent != rustsrc.None && skip[it.Parent]
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
		name := strings.Clone(it.Name)
		switch it.Kind {
		case rustsrc.ItemMod:
			child := parentScope + "::" + name
			ci.mod(child)
			m.items[name] = append(m.items[name], def{kind: defMod, key: child})
		case rustsrc.ItemStruct, rustsrc.ItemEnum, rustsrc.ItemUnion, rustsrc.ItemTypeAlias:
			if !insideImplOrTrait(pf, it) {
				m.items[name] = append(m.items[name], def{kind: defType, key: name})
			}
		case rustsrc.ItemTrait:
			m.items[name] = append(m.items[name], def{kind: defTrait, key: name})
		case rustsrc.ItemExternCrate:
			alias := name
			if it.Alias != "" {
				alias = strings.Clone(it.Alias)
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
			d.line = int32(pf.Position(int(it.Pos)).Line)
			if it.HasSelf {
				d.flags |= FlagMethod
			}
			if it.BodyStart > 0 { // [0,0) means no body; an empty body {} is [n,n)
				d.flags |= FlagBody
				d.body = pf.Tokens[min(int(it.BodyStart), len(pf.Tokens)-1)].Off
			}
			if it.Vis != "" {
				d.flags |= FlagPub
			}
			owner := ownerOf(pf, it)
			switch {
			case owner != nil && owner.Kind == rustsrc.ItemImpl:
				d.flags |= FlagImpl
				d.self = strings.Clone(selfType)
				d.trait = typeName(owner.Trait)
				ci.methods[key2(d.self, name)] = append(ci.methods[key2(d.self, name)], id)
				if d.trait != "" {
					ci.implFns[key2(d.trait, name)] = append(ci.implFns[key2(d.trait, name)], id)
				}
			case owner != nil && owner.Kind == rustsrc.ItemTrait:
				d.flags |= FlagInTrait
				d.trait = strings.Clone(owner.Name)
				ci.traitFns[key2(d.trait, name)] = append(ci.traitFns[key2(d.trait, name)], id)
			default:
				m.items[name] = append(m.items[name], def{kind: defFn, fn: id})
			}
			if d.flags&FlagMethod != 0 && d.flags&FlagBody != 0 {
				ci.byName[name] = append(ci.byName[name], id)
			}
			local = signatureParams(pf, it, d.self, d.trait, local[:0])
			if len(local) > 0 {
				d.params = append([]param(nil), local...)
			}
			ci.fns = append(ci.fns, d)
		case rustsrc.ItemImpl:
			if it.Trait != "" && it.SelfName != "" {
				s := strings.Clone(it.SelfName)
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
		if u.Glob {
			m.globs = append(m.globs, segs)
			if u.Vis != "" {
				m.pubGlobs = append(m.pubGlobs, segs)
			}
			continue
		}
		name := u.Name()
		if name == "" || name == "_" || len(segs) == 0 {
			continue
		}
		if name == "self" && len(segs) > 1 {
			segs = segs[:len(segs)-1]
			name = segs[len(segs)-1]
		}
		m.uses = append(m.uses, useDecl{name: strings.Clone(name), path: segs, pub: u.Vis != ""})
	}
	ci.indexCalls(pf, fileIdx, fnOf)
}

// indexCalls records the call sites of the file's functions with what is known of receivers.
func (ci *crateIndex) indexCalls(pf *rustsrc.ParsedFile, fileIdx int32, fnOf []int32) {
	// Let hints by enclosing fn, in source order: the last one before a call names its type.
	lets := map[int32][]rustsrc.Let{}
	for _, l := range pf.Lets {
		if l.Fn != rustsrc.None {
			lets[l.Fn] = append(lets[l.Fn], l)
		}
	}
	for ci2 := range pf.Calls {
		c := &pf.Calls[ci2]
		item := c.Fn
		for item != rustsrc.None && fnOf[item] < 0 {
			item = pf.Items[item].Parent
		}
		if item == rustsrc.None || len(c.Path) == 0 {
			continue
		}
		fn := fnOf[item]
		pos := pf.Position(int(c.Pos))
		cs := callSite{fn: fn, kind: c.Kind, path: cloneSegs(c.Path), qself: strings.Clone(c.QSelf),
			qtrait: strings.Clone(c.QTrait), recv: strings.Clone(c.Receiver), line: int32(pos.Line), col: int32(pos.Column)}
		if c.Kind == rustsrc.CallMethod && c.Receiver != "" {
			cs.recvType = ci.receiverType(lets[item], c, &ci.fns[fn])
		}
		ci.calls = append(ci.calls, cs)
	}
}

// receiverType finds the type of a plain receiver: the last let hint for it before the call, else
// the parameter of that name.
func (ci *crateIndex) receiverType(lets []rustsrc.Let, c *rustsrc.Call, fn *fnDecl) string {
	for i := len(lets) - 1; i >= 0; i-- {
		// Hints before the body are parameters; ours replace a generic parameter by its bound.
		if lets[i].Pos < c.Pos && lets[i].Pos >= fn.body && lets[i].Name == c.Receiver {
			return strings.Clone(lets[i].Type)
		}
	}
	for _, p := range fn.params {
		if p.name == c.Receiver {
			return p.typ
		}
	}
	return ""
}

func cloneSegs(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.Clone(x)
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

func insideImplOrTrait(pf *rustsrc.ParsedFile, it *rustsrc.Item) bool { return ownerOf(pf, it) != nil }

// signatureParams reads the parameters of fn item it from its tokens: names with the type path
// each is declared with (references, mut, dyn and impl stripped; a generic parameter replaced by
// its first bound). self gets the impl's self type, or the trait inside a trait.
func signatureParams(pf *rustsrc.ParsedFile, it *rustsrc.Item, selfType, trait string, out []param) []param {
	toks := pf.Tokens
	if it.BodyStart <= 0 {
		return out
	}
	lo := sort.Search(len(toks), func(i int) bool { return toks[i].Off >= it.Pos })
	hi := int(it.BodyStart) - 1
	if hi > len(toks) {
		return out
	}
	i := lo
	for i < hi && toks[i].Kind != rustsrc.KwFn {
		i++
	}
	i += 2 // fn name
	bounds := map[string]string{}
	if i < hi && toks[i].Kind == rustsrc.Lt {
		depth := 0
		for ; i < hi; i++ {
			switch toks[i].Kind {
			case rustsrc.Lt:
				depth++
			case rustsrc.Gt:
				depth--
			case rustsrc.Shr:
				depth -= 2
			case rustsrc.Colon:
				if depth == 1 && i > 0 && toks[i-1].Kind == rustsrc.Ident {
					if t := typeAt(pf, i+1, hi); t != "" {
						bounds[pf.Text(toks[i-1])] = t
					}
				}
			}
			if depth <= 0 {
				i++
				break
			}
		}
	}
	if i >= hi || toks[i].Kind != rustsrc.LParen {
		return out
	}
	end := int(pf.Match[i])
	if end <= i || end > hi {
		return out
	}
	selfTyp := selfType
	if selfTyp == "" {
		selfTyp = trait
	}
	start := i + 1
	depth := 0
	for j := i + 1; j <= end; j++ {
		k := toks[j].Kind
		switch k {
		case rustsrc.LParen, rustsrc.LBracket, rustsrc.Lt:
			depth++
			continue
		case rustsrc.RParen, rustsrc.RBracket, rustsrc.Gt:
			if j < end {
				depth--
				continue
			}
		case rustsrc.Shr:
			depth -= 2
			continue
		}
		if (k == rustsrc.Comma && depth == 0) || j == end {
			out = appendParam(pf, start, j, selfTyp, bounds, out)
			start = j + 1
		}
	}
	return out
}

func appendParam(pf *rustsrc.ParsedFile, lo, hi int, selfTyp string, bounds map[string]string, out []param) []param {
	toks := pf.Tokens
	i := lo
	for i < hi && (toks[i].Kind == rustsrc.And || toks[i].Kind == rustsrc.AndAnd || toks[i].Kind == rustsrc.KwMut || toks[i].Kind == rustsrc.Lifetime) {
		i++
	}
	if i >= hi {
		return out
	}
	if toks[i].Kind == rustsrc.KwSelfValue {
		if selfTyp != "" {
			out = append(out, param{"self", selfTyp})
		}
		return out
	}
	if toks[i].Kind != rustsrc.Ident || i+1 >= hi || toks[i+1].Kind != rustsrc.Colon {
		return out
	}
	name := pf.Text(toks[i])
	t := typeAt(pf, i+2, hi)
	if b, ok := bounds[t]; ok {
		t = b
	}
	if t == "" || t == "Self" && selfTyp == "" {
		return out
	}
	if t == "Self" {
		t = selfTyp
	}
	return append(out, param{strings.Clone(name), strings.Clone(t)})
}

// typeAt reads a type path at token i: &, mut, lifetimes, dyn and impl are skipped; generic
// arguments end it. Smart pointers and references are looked through (Box<T>, Rc<T>, Arc<T>).
func typeAt(pf *rustsrc.ParsedFile, i, hi int) string {
	toks := pf.Tokens
	for i < hi {
		switch toks[i].Kind {
		case rustsrc.And, rustsrc.AndAnd, rustsrc.KwMut, rustsrc.Lifetime, rustsrc.KwDyn, rustsrc.KwImpl, rustsrc.PathSep:
			i++
			continue
		}
		break
	}
	var b strings.Builder
	for i < hi {
		k := toks[i].Kind
		if k != rustsrc.Ident && k != rustsrc.KwSelfType && k != rustsrc.KwCrate && k != rustsrc.KwSuper && k != rustsrc.KwSelfValue {
			break
		}
		if b.Len() > 0 {
			b.WriteString("::")
		}
		b.WriteString(pf.Text(toks[i]))
		i++
		if i < hi && toks[i].Kind == rustsrc.PathSep {
			i++
			continue
		}
		break
	}
	s := b.String()
	if (s == "Box" || s == "Rc" || s == "Arc") && i < hi && toks[i].Kind == rustsrc.Lt {
		return typeAt(pf, i+1, hi)
	}
	return s
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
	return strings.Clone(strings.TrimSpace(text))
}

// isCfgTest reports #[cfg(test)]: test-only code is not part of what the library calls.
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

// testModules lists the module paths declared #[cfg(test)] mod x; in the crate's files.
func testModules(c *rustsrc.Crate) []string {
	var out []string
	for _, f := range c.Files {
		if f.Module == "" {
			continue
		}
		pf := f.Parsed
		for i := range pf.Items {
			it := &pf.Items[i]
			if it.Kind == rustsrc.ItemMod && !it.Inline && it.Parent == rustsrc.None && isCfgTest(pf, it.Attrs) {
				out = append(out, f.Module+"::"+it.Name)
			}
		}
		if isCfgTest(pf, pf.InnerAttrs) {
			out = append(out, f.Module)
		}
	}
	return out
}

func underAny(mod string, roots []string) bool {
	for _, r := range roots {
		if mod == r || strings.HasPrefix(mod, r+"::") {
			return true
		}
	}
	return false
}
