package callgraph

import (
	"bytes"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cratewatch/cratewatch/macroexpand"
	"github.com/cratewatch/cratewatch/rustsrc"
	"github.com/cratewatch/cratewatch/semver"
)

// Much of a crate's code is written by macro_rules! macros (bitflags!, a crate's own
// impl_xxx! generators, parse!(self, ident) helpers), so the call graph expands the invocations
// of the macros it has the source of before indexing a file: the crate's own, and those its
// dependencies export with #[macro_export], at item position and in fn bodies (where the input
// stays the crate's own code and the rest is marked as the dependency's: see siteForeign).
// Expansion is bounded per crate (tokens, depth, the matcher's steps); an invocation that does
// not expand stays as written and is read as before.

// Bounds on macro expansion.
const (
	// maxExpandDepth bounds nested expansions (a macro whose output invokes a macro ...).
	maxExpandDepth = 32
	// expandBudgetFactor and expandBudgetBase bound the tokens a crate's expansions may produce:
	// this many times the crate's own tokens, plus the base.
	expandBudgetFactor = 4
	expandBudgetBase   = 1 << 16
	// maxMacroSource bounds a file the exported-macro scan reads.
	maxMacroSource = 8 << 20
)

// macroSet is the macro_rules! macros of one crate version, by name.
type macroSet struct {
	name, version string
	byName        map[string]*macroexpand.Macro
	// off holds the names whose definition so far sits under a #[cfg] false in the build
	// fileMacros was given: another definition of the name replaces it, whatever its place.
	off map[string]bool
}

func newMacroSet(name, version string) *macroSet {
	return &macroSet{name: name, version: version, byName: map[string]*macroexpand.Macro{}, off: map[string]bool{}}
}

// macroRegistry holds the exported macros of the corpus's crate versions, for their dependents.
type macroRegistry struct {
	mu      sync.RWMutex
	byCrate map[string][]*macroSet // crate name: its versions that export macros
	seen    map[string]bool        // name@version: scanned (with or without macros)
}

func (r *macroRegistry) add(s *macroSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen, r.byCrate = map[string]bool{}, map[string][]*macroSet{}
	}
	if k := s.name + "@" + s.version; !r.seen[k] {
		r.seen[k] = true
		if len(s.byName) > 0 {
			r.byCrate[s.name] = append(r.byCrate[s.name], s)
		}
	}
}

func (r *macroRegistry) has(name, version string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.seen[name+"@"+version]
}

// lookup returns the macros of the newest version of pkg that req admits (linkDeps' rule).
func (r *macroRegistry) lookup(pkg, req string) *macroSet {
	r.mu.RLock()
	defer r.mu.RUnlock()
	sets := r.byCrate[pkg]
	if len(sets) == 0 {
		sets = r.byCrate[strings.ReplaceAll(pkg, "_", "-")]
	}
	rq, err := semver.ParseReq(req)
	if req == "" {
		rq, err = semver.ParseReq("*")
	}
	if err != nil {
		return nil
	}
	var best *macroSet
	var bestV semver.Version
	for _, s := range sets {
		v, err := semver.Parse(s.version)
		if err == nil && rq.Matches(v) && (best == nil || v.Compare(bestV) > 0) {
			best, bestV = s, v
		}
	}
	return best
}

// fileMacros adds the macro_rules! definitions of pf to s (only #[macro_export] ones when
// exported is set), skipping items skip reports. A later definition shadows an earlier one, as
// textual scope does, except that one under a #[cfg] env finds false never shadows one that is
// not: tracing defines __tracing_log twice, for #[cfg(feature = "log")] and its negation.
func fileMacros(pf *rustsrc.ParsedFile, exported bool, skip func(int) bool, s *macroSet, env cfgEnv) {
	for i := range pf.Items {
		it := &pf.Items[i]
		if it.Kind != rustsrc.ItemMacroRules || it.Macro == rustsrc.None || (skip != nil && skip(i)) {
			continue
		}
		if exported && !hasAttrPath(it.Attrs, "macro_export") {
			continue
		}
		mc := &pf.Macros[it.Macro]
		body := macroexpand.Tokens(pf, int(mc.Open)+1, int(mc.Close))
		for k := range body {
			body[k].Text = intern(body[k].Text) // the set outlives the source
		}
		name := intern(it.Name)
		off := env.offLinux(pf, it.Attrs)
		if _, seen := s.byName[name]; seen && off && !s.off[name] {
			continue
		}
		if m, err := macroexpand.Compile(it.Name, body); err == nil {
			s.byName[name] = m
			s.off[name] = off
		}
	}
}

func hasAttrPath(attrs []rustsrc.Attr, p string) bool {
	for _, a := range attrs {
		if a.Path == p {
			return true
		}
	}
	return false
}

// exportedMacros scans a crate's library sources for #[macro_export] macros without loading the
// crate: only files that mention macro_export are parsed.
func exportedMacros(name, version string, fsys fs.FS, env cfgEnv) *macroSet {
	s := newMacroSet(name, version)
	cfg := rustsrc.DefaultConfig()
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case "tests", "examples", "benches", "target", ".git":
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".rs" || p == "build.rs" {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > maxMacroSource {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil || !bytes.Contains(src, []byte("macro_export")) {
			return nil
		}
		fileMacros(rustsrc.Parse(rustsrc.NewFile(p, src), &cfg), true, nil, s, env)
		return nil
	})
	return s
}

// depMacros is a dependency's exported macros under the name the crate's code gives it.
type depMacros struct {
	extern string
	set    *macroSet
}

// expander expands the macro invocations of one crate's files.
type expander struct {
	defaults cfgEnv // the crate's default build, to choose between a macro's definitions
	local    *macroSet
	deps     []depMacros
	budget   int // output tokens left
	expanded int // invocations expanded
	failed   int // invocations of a known macro that did not expand
}

// resolve finds the macro an invocation path names, from code written by the macros of from
// (nil: the crate's own source). A macro's own crate comes first for unqualified names, which is
// what #[macro_export(local_inner_macros)] asks for and what helper macros rely on in practice.
func (x *expander) resolve(p []string, from *macroSet) (*macroexpand.Macro, *macroSet) {
	if len(p) > 0 && p[0] == "::" {
		p = p[1:]
	}
	switch {
	case len(p) == 0:
		return nil, nil
	case len(p) == 1:
		for _, s := range []*macroSet{from, x.local} {
			if s != nil && s.byName[p[0]] != nil {
				return s.byName[p[0]], s
			}
		}
		for _, d := range x.deps {
			if m := d.set.byName[p[0]]; m != nil {
				return m, d.set
			}
		}
	case p[0] == "$crate":
		if from != nil {
			return from.byName[p[len(p)-1]], from
		}
	case p[0] == "crate" || p[0] == "self" || p[0] == "super":
		return x.local.byName[p[len(p)-1]], x.local
	default:
		for _, d := range x.deps {
			if d.extern == p[0] {
				return d.set.byName[p[len(p)-1]], d.set
			}
		}
	}
	return nil, nil
}

// dollarCrate is what $crate becomes in code from the macros of s: a path the crate being
// indexed can resolve.
func (x *expander) dollarCrate(s *macroSet) []macroexpand.Token {
	if s == x.local {
		return []macroexpand.Token{{Kind: rustsrc.KwCrate, Text: "crate"}}
	}
	name := identName(s.name)
	for _, d := range x.deps {
		if d.set == s {
			name = d.extern
			break
		}
	}
	return []macroexpand.Token{{Kind: rustsrc.PathSep, Text: "::"}, {Kind: rustsrc.Ident, Text: name}}
}

// expand expands one invocation of m (from the macros of s) with its input, then the
// invocations its output makes. ok is false when it did not expand.
func (x *expander) expand(m *macroexpand.Macro, s *macroSet, input []macroexpand.Token, depth int) ([]macroexpand.Token, bool) {
	if depth > maxExpandDepth || x.budget <= 0 {
		x.failed++
		return nil, false
	}
	lim := macroexpand.DefaultLimits()
	lim.MaxOutput = min(lim.MaxOutput, x.budget)
	out, err := m.Expand(input, lim)
	if err != nil {
		x.failed++
		return nil, false
	}
	x.budget -= len(out)
	x.expanded++
	var fixed []macroexpand.Token
	for i, t := range out {
		if t.Kind == rustsrc.Ident && t.Text == "$crate" {
			if fixed == nil {
				fixed = append(make([]macroexpand.Token, 0, len(out)+4), out[:i]...)
			}
			fixed = append(fixed, x.dollarCrate(s)...)
		} else if fixed != nil {
			fixed = append(fixed, t)
		}
	}
	if fixed != nil {
		out = fixed
	}
	return x.expandNested(out, s, depth+1), true
}

// expandNested expands the invocations of known macros in toks, written by the macros of from.
func (x *expander) expandNested(toks []macroexpand.Token, from *macroSet, depth int) []macroexpand.Token {
	var out []macroexpand.Token
	last := 0
	for i := 0; i < len(toks); i++ {
		p, open := invocationAt(toks, i)
		if open < 0 {
			continue
		}
		end := groupEnd(toks, open)
		if end < 0 {
			break
		}
		if len(p) == 1 && p[0] == "macro_rules" {
			i = end // a definition, not an invocation
			continue
		}
		m, s := x.resolve(p, from)
		if m == nil {
			i = open // its input may hold invocations of known macros
			continue
		}
		exp, ok := x.expand(m, s, toks[open+1:end], depth)
		if !ok {
			i = open
			continue
		}
		out = append(out, toks[last:i]...)
		out = appendExpansion(out, spreadAttrs(exp, cfgAttrsBefore(toks, i)), i == 0 || stmtBoundary(toks[i-1].Kind))
		last = end + 1
		i = end
	}
	if out == nil {
		return toks
	}
	return append(out, toks[last:]...)
}

// cfgAttrsBefore returns the #[cfg(..)] attributes written right before toks[i].
func cfgAttrsBefore(toks []macroexpand.Token, i int) []macroexpand.Token {
	var out []macroexpand.Token
	for j := i; j >= 3 && toks[j-1].Kind == rustsrc.RBracket; {
		open, depth := -1, 0
		for k := j - 1; k >= 0; k-- {
			switch toks[k].Kind {
			case rustsrc.RParen, rustsrc.RBracket, rustsrc.RBrace:
				depth++
			case rustsrc.LParen, rustsrc.LBracket, rustsrc.LBrace:
				depth--
			}
			if depth == 0 {
				open = k
				break
			}
		}
		if open < 1 || toks[open-1].Kind != rustsrc.Pound {
			break
		}
		if toks[open+1].Text == "cfg" {
			out = append(slices.Clone(toks[open-1:j]), out...)
		}
		j = open - 1
	}
	return out
}

// spreadAttrs repeats attrs, written before an invocation, before every further item or
// statement of its expansion: rustc applies them to the whole expansion, so that the items of
// cfg_if!'s #[cfg(windows)] branch are all Windows code, not only its first one.
func spreadAttrs(exp, attrs []macroexpand.Token) []macroexpand.Token {
	if len(attrs) == 0 {
		return exp
	}
	var out []macroexpand.Token
	depth := 0
	for i, t := range exp {
		out = append(out, t)
		switch t.Kind {
		case rustsrc.LParen, rustsrc.LBracket, rustsrc.LBrace:
			depth++
		case rustsrc.RParen, rustsrc.RBracket, rustsrc.RBrace:
			depth--
		}
		if depth == 0 && (t.Kind == rustsrc.Semi || t.Kind == rustsrc.RBrace) && i+1 < len(exp) && startsItem(exp[i+1].Kind) {
			out = append(out, attrs...)
		}
	}
	return out
}

// startsItem reports whether a token after a ; or } at the top of an expansion can start an
// item or statement (not `else`, `.`, `?`, an operator ...).
func startsItem(k rustsrc.Kind) bool {
	switch k {
	case rustsrc.Pound, rustsrc.PathSep, rustsrc.Ident:
		return true
	case rustsrc.KwElse, rustsrc.KwAs, rustsrc.KwIn:
		return false
	}
	return k.IsKeyword()
}

// stmtBoundary reports whether a macro invocation after a token of kind k is at item or
// statement position, where its expansion can stand as written.
func stmtBoundary(k rustsrc.Kind) bool {
	return k == rustsrc.Semi || k == rustsrc.LBrace || k == rustsrc.RBrace || k == rustsrc.RBracket
}

// appendExpansion appends an expansion; in expression position it is made one block expression
// unless it is a path (a type-position macro such as Token![&] must stay a type).
func appendExpansion(out, exp []macroexpand.Token, stmt bool) []macroexpand.Token {
	if stmt || pathLike(exp) {
		return append(out, exp...)
	}
	out = append(out, macroexpand.Token{Kind: rustsrc.LBrace, Text: "{"})
	out = append(out, exp...)
	return append(out, macroexpand.Token{Kind: rustsrc.RBrace, Text: "}"})
}

func pathLike(toks []macroexpand.Token) bool {
	for _, t := range toks {
		switch t.Kind {
		case rustsrc.Ident, rustsrc.PathSep, rustsrc.KwCrate, rustsrc.KwSelfType, rustsrc.KwSelfValue, rustsrc.KwSuper,
			rustsrc.Lt, rustsrc.Gt, rustsrc.Comma, rustsrc.Lifetime, rustsrc.And:
		default:
			return false
		}
	}
	return len(toks) > 0
}

// invocationAt reads a macro invocation path ! ( at toks[i]: its path and the index of its
// opening delimiter, or -1.
func invocationAt(toks []macroexpand.Token, i int) ([]string, int) {
	if i > 0 && (toks[i-1].Kind == rustsrc.PathSep || toks[i-1].Kind == rustsrc.Dot) {
		return nil, -1 // inside a path or a field access, not its start
	}
	var p []string
	j := i
	if toks[j].Kind == rustsrc.PathSep {
		p = append(p, "::")
		j++
	}
	for j < len(toks) && len(p) < 16 {
		switch toks[j].Kind {
		case rustsrc.Ident, rustsrc.KwCrate, rustsrc.KwSelfValue, rustsrc.KwSuper:
		default:
			return nil, -1
		}
		p = append(p, toks[j].Text)
		j++
		if j < len(toks) && toks[j].Kind == rustsrc.PathSep {
			j++
			continue
		}
		if j+1 < len(toks) && toks[j].Kind == rustsrc.Not && isOpenKind(toks[j+1].Kind) {
			return p, j + 1
		}
		return nil, -1
	}
	return nil, -1
}

// groupEnd returns the index of the delimiter closing toks[open], or -1.
func groupEnd(toks []macroexpand.Token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].Kind {
		case rustsrc.LParen, rustsrc.LBracket, rustsrc.LBrace:
			depth++
		case rustsrc.RParen, rustsrc.RBracket, rustsrc.RBrace:
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return -1
}

// itemCfgAttrs returns the tokens of an item's #[cfg(..)] attributes.
func itemCfgAttrs(pf *rustsrc.ParsedFile, it *rustsrc.Item) []macroexpand.Token {
	var out []macroexpand.Token
	for _, a := range it.Attrs {
		if a.Path != "cfg" || a.Inner {
			continue
		}
		lo := tokIndex(pf.Tokens, a.Pos)
		hi := lo
		for hi >= 0 && hi < len(pf.Tokens) && pf.Tokens[hi].End < a.End {
			hi++
		}
		if lo >= 0 && hi < len(pf.Tokens) {
			out = append(out, macroexpand.Tokens(pf, lo, hi+1)...)
		}
	}
	return out
}

// splice is one invocation of a file replaced by its expansion: source bytes [start, end).
type splice struct {
	start, end int32
	text       string
	// foreign: a dependency's macro at expression position wrote it, except for the byte ranges
	// of text (own) that are the invocation's input, the crate's own code.
	foreign bool
	own     [][2]int
}

// expandFile expands the invocations of known macros in one file: item-position ones and the
// outermost known ones in fn bodies. It returns the re-parsed file and the map from its offsets
// to the original file's, or nil when nothing expanded.
func (x *expander) expandFile(pf *rustsrc.ParsedFile, skip []bool) (*rustsrc.ParsedFile, *offsetMap) {
	itemMacro := map[int32]int{} // macro index: its ItemMacroCall item
	for i := range pf.Items {
		if it := &pf.Items[i]; it.Kind == rustsrc.ItemMacroCall && it.Macro != rustsrc.None {
			itemMacro[it.Macro] = i
		}
	}
	order := make([]int, len(pf.Macros))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return pf.Macros[order[a]].Pos < pf.Macros[order[b]].Pos })
	var sp []splice
	var done int32 // end of the last expanded region: invocations inside it are already handled
	for _, mi := range order {
		mc := &pf.Macros[mi]
		if mc.Pos < done || len(mc.Path) == 0 || mc.Path[0] == "macro_rules" || x.budget <= 0 {
			continue
		}
		start, end := mc.Pos, int32(0)
		stmt := true
		it, item := itemMacro[int32(mi)]
		if item {
			if skip[it] {
				continue
			}
			end = pf.Items[it].End
		} else {
			if mc.Fn == rustsrc.None || skip[mc.Fn] || pf.Items[mc.Fn].Kind != rustsrc.ItemFn ||
				mc.Open < pf.Items[mc.Fn].BodyStart || mc.Open >= pf.Items[mc.Fn].BodyEnd {
				continue
			}
			end = pf.Tokens[mc.Close].End
			if t := tokIndex(pf.Tokens, mc.Pos); t > 0 {
				stmt = stmtBoundary(pf.Tokens[t-1].Kind)
			}
		}
		m, s := x.resolve(mc.Path, nil)
		if m == nil {
			continue
		}
		foreign := !item && s != x.local
		input := macroexpand.Tokens(pf, int(mc.Open)+1, int(mc.Close))
		if foreign {
			for k := range input {
				input[k].Caller = true
			}
		}
		exp, ok := x.expand(m, s, input, 0)
		if !ok {
			continue
		}
		if item {
			exp = spreadAttrs(exp, itemCfgAttrs(pf, &pf.Items[it]))
		}
		text, own := macroexpand.RenderMarked(appendExpansion(nil, exp, stmt))
		sp = append(sp, splice{start: start, end: end, text: text, foreign: foreign, own: own})
		done = end
	}
	if len(sp) == 0 {
		return nil, nil
	}
	var b strings.Builder
	om := &offsetMap{orig: pf.File}
	prev := int32(0)
	for _, s := range sp {
		om.add(int32(b.Len()), prev, false, false)
		b.Write(pf.Src[prev:s.start])
		om.add(int32(b.Len()), s.start, true, s.foreign)
		b.WriteString(" ")
		if s.foreign {
			at := b.Len()
			for _, r := range s.own {
				om.add(int32(at+r[0]), s.start, true, false)
				om.add(int32(at+r[1]), s.start, true, true)
			}
		}
		b.WriteString(s.text)
		b.WriteString(" ")
		prev = s.end
	}
	om.add(int32(b.Len()), prev, false, false)
	b.Write(pf.Src[prev:])
	cfg := rustsrc.DefaultConfig()
	return rustsrc.Parse(rustsrc.NewFile(pf.Name, []byte(b.String())), &cfg), om
}

// offsetMap maps offsets of an expanded file to its original: text copied from the original
// keeps its place, and everything an expansion wrote is at the invocation.
type offsetMap struct {
	orig   *rustsrc.File
	pieces []piece
}

type piece struct {
	at, orig          int32
	expanded, foreign bool
}

func (om *offsetMap) add(at, orig int32, expanded, foreign bool) {
	om.pieces = append(om.pieces, piece{at, orig, expanded, foreign})
}

func (om *offsetMap) piece(off int) (piece, bool) {
	k := sort.Search(len(om.pieces), func(i int) bool { return int(om.pieces[i].at) > off }) - 1
	if k < 0 {
		return piece{}, false
	}
	return om.pieces[k], true
}

// position is the original position of offset off of the expanded file.
func (om *offsetMap) position(off int) rustsrc.Position {
	p, ok := om.piece(off)
	switch {
	case !ok:
		return om.orig.Position(off)
	case p.expanded:
		return om.orig.Position(int(p.orig))
	}
	return om.orig.Position(int(p.orig) + off - int(p.at))
}

// foreign reports whether offset off of the expanded file is in code a dependency's macro wrote
// at expression position.
func (om *offsetMap) foreign(off int) bool {
	p, ok := om.piece(off)
	return ok && p.foreign
}

// setLocal collects the crate's own macro_rules! (outside #[cfg(test)]) and sets the budget
// from its size.
func (x *expander) setLocal(c *rustsrc.Crate, files []*rustsrc.CrateFile, env cfgEnv) {
	x.local = newMacroSet(c.Name, c.Version)
	toks := 0
	for _, f := range files {
		skip := testItems(f.Parsed)
		fileMacros(f.Parsed, false, func(i int) bool { return skip[i] }, x.local, env)
		toks += len(f.Parsed.Tokens)
	}
	x.budget = expandBudgetFactor*toks + expandBudgetBase
}
