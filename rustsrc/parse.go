package rustsrc

import (
	"cmp"
	"slices"
)

// Config bounds the work done on one file.
type Config struct {
	// MaxTokens caps the tokens read from one file (12 bytes each); the rest of a larger file is
	// skipped with SkipTooManyTokens. <= 0 means DefaultConfig's.
	MaxTokens int
	// MaxDepth caps the nesting of items, use trees and bodies; deeper regions are skipped with
	// SkipTooDeep. <= 0 means DefaultConfig's.
	MaxDepth int
}

// DefaultConfig reads files of up to 16M tokens (about 64 MB of ordinary Rust) and nests 128 deep,
// rustc's default recursion limit.
func DefaultConfig() Config { return Config{MaxTokens: 16 << 20, MaxDepth: 128} }

// Parse lexes and parses one file. It never fails: what it cannot read is recorded in Skipped.
// cfg may be nil for DefaultConfig.
func Parse(f *File, cfg *Config) *ParsedFile {
	c := DefaultConfig()
	if cfg != nil {
		if cfg.MaxTokens > 0 {
			c.MaxTokens = cfg.MaxTokens
		}
		if cfg.MaxDepth > 0 {
			c.MaxDepth = cfg.MaxDepth
		}
	}
	pf := &ParsedFile{File: f}
	toks, _, trunc := Tokenize(f.Src, nil, c.MaxTokens)
	pf.Tokens = toks
	for i := range toks {
		if toks[i].Kind == Illegal || toks[i].Flags&(FlagUnterminated|FlagBadEscape) != 0 {
			pf.addSkip(Skip{Reason: SkipLexError, Pos: toks[i].Off, End: toks[i].End})
		}
	}
	if trunc >= 0 {
		pf.addSkip(Skip{Reason: SkipTooManyTokens, Pos: int32(trunc), End: int32(len(f.Src))})
	}
	pf.Match = make([]int32, len(toks))
	matchDelimiters(toks, pf.Match, nil, pf.addSkip)
	// Capacities from the corpus's typical densities, so that the slices rarely grow by copying.
	n := len(toks)
	pf.Items = make([]Item, 0, n/32+4)
	pf.Calls = make([]Call, 0, n/16+4)
	p := &parser{pf: pf, toks: toks, maxDepth: c.MaxDepth, strs: make([]string, 0, n/8+8)}
	p.items(0, len(toks), None, 0, true)
	sortSkips(pf.Skipped)
	return pf
}

func sortSkips(s []Skip) {
	slices.SortStableFunc(s, func(a, b Skip) int { return cmp.Compare(a.Pos, b.Pos) })
}

type parser struct {
	pf       *ParsedFile
	toks     []Token
	maxDepth int
	strs     []string // arena for path segments; paths are capped sub-slices of it
	attrs    []Attr   // pending outer attributes
	mstack   []macroRegion
	// tentative is set by macroItems for the next item only: an item that turns out not to be
	// one sets rejected instead of recording a skip (macro token trees need not be Rust items).
	tentative, itemTentative, rejected bool
	// macroDepth counts the macro token trees being read as items: what is not an item there is
	// not Rust's fault (the macro defines its own syntax), so it is not recorded as skipped.
	macroDepth int
}

// unexpected records tokens [lo, hi) that start no item, or rejects a tentative item.
func (p *parser) unexpected(lo, hi int) {
	switch {
	case p.itemTentative:
		p.rejected = true
	case p.macroDepth == 0:
		p.skip(SkipUnexpected, lo, hi)
	}
}

func (p *parser) kind(i int) Kind {
	if i < len(p.toks) && i >= 0 {
		return p.toks[i].Kind
	}
	return EOF
}

func (p *parser) text(i int) string { return p.pf.Text(p.toks[i]) }

func (p *parser) isIdent(i int, s string) bool {
	return p.kind(i) == Ident && p.text(i) == s
}

// skip records a skipped region of tokens [lo, hi).
func (p *parser) skip(r SkipReason, lo, hi int) {
	if lo >= len(p.toks) {
		return
	}
	end := p.toks[lo].End
	if hi-1 > lo && hi-1 < len(p.toks) {
		end = p.toks[hi-1].End
	}
	p.pf.addSkip(Skip{Reason: r, Pos: p.toks[lo].Off, End: end})
}

// over returns the index after the token or group at i.
func (p *parser) over(i int) int {
	if isOpen(p.kind(i)) {
		_, next := p.pf.group(i)
		return next
	}
	return i + 1
}

// path returns the arena sub-slice of the given segments.
func (p *parser) path(start int) []string {
	return p.strs[start:len(p.strs):len(p.strs)]
}

// attr parses #[...] or #![...] at i and returns the index after it, or i when there is none.
func (p *parser) attr(i, hi int) (Attr, int) {
	j := i + 1
	a := Attr{Pos: p.toks[i].Off}
	if p.kind(j) == Not {
		a.Inner = true
		j++
	}
	if j >= hi || p.kind(j) != LBracket {
		return a, i
	}
	inner, next := p.pf.group(j)
	a.End = p.toks[next-1].End
	k := j + 1
	if p.kind(k) == KwUnsafe && k+1 < inner && p.kind(k+1) == LParen {
		a.Unsafe = true
		inner, _ = p.pf.group(k + 1)
		k += 2
	}
	start := k
	for k < inner && (p.kind(k) == Ident || p.kind(k).IsKeyword() || p.kind(k) == PathSep) {
		k++
	}
	if k > start {
		a.Path = p.pf.span(int(p.toks[start].Off), int(p.toks[k-1].End))
	}
	switch {
	case k < inner && isOpen(p.kind(k)):
		gi, _ := p.pf.group(k)
		a.ArgsStart, a.ArgsEnd = int32(k+1), int32(gi)
	case k+1 < inner && p.kind(k) == Eq && p.kind(k+1).IsString():
		a.Value, _ = StringValue(p.pf.File, p.toks[k+1])
	}
	return a, next
}

// vis parses a visibility at i: pub, pub(crate), pub(in path); crate as a visibility is 2015-only
// and rare enough to be treated as a path.
func (p *parser) vis(i int) (string, int) {
	if p.kind(i) != KwPub {
		return "", i
	}
	if p.kind(i+1) == LParen {
		_, next := p.pf.group(i + 1)
		// pub (crate::T) in a tuple struct field is not a visibility; items never look like that.
		return p.pf.span(int(p.toks[i].Off), int(p.toks[next-1].End)), next
	}
	return "pub", i + 1
}

// items parses the items in tokens [lo, hi) with the given parent.
func (p *parser) items(lo, hi int, parent int32, depth int, fileLevel bool) {
	if depth > p.maxDepth {
		p.skip(SkipTooDeep, lo, hi)
		return
	}
	i := lo
	for i < hi {
		next := p.item(i, hi, parent, depth, fileLevel)
		if next <= i {
			next = i + 1
		}
		i = next
	}
}

// itemStart reports whether an item starts at i (after attributes): used inside bodies to tell
// nested items from statements.
func (p *parser) itemStart(i int) bool {
	switch p.kind(i) {
	case KwFn:
		return p.kind(i+1) == Ident
	case KwMod, KwTrait, KwStruct, KwEnum:
		return p.kind(i+1) == Ident
	case KwUse, KwImpl, KwPub, KwExtern:
		return true
	case KwStatic:
		return p.kind(i+1) == Ident || p.kind(i+1) == KwMut
	case KwType:
		return p.kind(i+1) == Ident
	case KwConst:
		k := p.kind(i + 1)
		return (k == Ident || k == KwUnderscore) && p.kind(i+2) == Colon || k == KwFn || k == KwUnsafe || k == KwAsync || k == KwExtern
	case KwUnsafe, KwAsync:
		k := p.kind(i + 1)
		return k == KwFn || k == KwImpl || k == KwTrait || k == KwExtern || k == KwUnsafe
	case Ident:
		switch p.text(i) {
		case "union":
			return p.kind(i+1) == Ident
		case "macro_rules":
			return p.kind(i+1) == Not && p.kind(i+2) == Ident
		}
	}
	return false
}

// item parses one item at i (attributes first) and returns the index after it.
func (p *parser) item(i, hi int, parent int32, depth int, fileLevel bool) int {
	p.itemTentative, p.tentative, p.rejected = p.tentative, false, false
	p.attrs = p.attrs[:0]
	for i < hi && p.kind(i) == Pound {
		a, next := p.attr(i, hi)
		if next == i {
			break
		}
		if a.Inner && fileLevel && parent == None {
			p.pf.InnerAttrs = append(p.pf.InnerAttrs, a)
		} else if a.Inner && parent != None {
			p.pf.Items[parent].Attrs = append(p.pf.Items[parent].Attrs, a)
		} else {
			p.attrs = append(p.attrs, a)
		}
		i = next
	}
	if i >= hi {
		return i
	}
	switch k := p.kind(i); {
	case k == Semi:
		return i + 1
	case isClose(k) && p.toks[i].Flags&FlagStray != 0:
		return i + 1
	}
	it := Item{Parent: parent, Pos: p.toks[i].Off, Macro: None}
	if len(p.attrs) > 0 {
		it.Attrs = append([]Attr(nil), p.attrs...)
	}
	it.Vis, i = p.vis(i)
	start := i
	// Qualifiers.
	for i < hi {
		switch k := p.kind(i); {
		case k == KwUnsafe:
			it.Unsafe = true
		case k == KwConst && (p.kind(i+1) == KwFn || p.kind(i+1) == KwUnsafe || p.kind(i+1) == KwAsync || p.kind(i+1) == KwExtern):
			it.Const = true
		case k == KwAsync:
			it.Async = true
		case k == KwExtern && p.kind(i+1) != KwCrate:
			it.Extern = true
			if p.kind(i + 1).IsString() {
				it.ABI, _ = StringValue(p.pf.File, p.toks[i+1])
				i++
			}
		case k == Ident && (p.text(i) == "default" || p.text(i) == "safe" || p.text(i) == "auto") && p.kind(i+1) != Not && p.kind(i+1) != PathSep && p.kind(i+1) != LParen:
			// contextual qualifiers: default fn, safe fn (in unsafe extern blocks), auto trait
		default:
			goto kw
		}
		i++
	}
kw:
	if i >= hi {
		p.unexpected(start, hi)
		return hi
	}
	switch p.kind(i) {
	case KwFn:
		return p.fn(&it, i, hi, depth)
	case KwMod:
		return p.mod(&it, i, hi, depth)
	case KwImpl:
		return p.impl(&it, i, hi, depth)
	case KwTrait:
		it.Kind = ItemTrait
		return p.named(&it, i, hi, depth, true)
	case KwStruct:
		it.Kind = ItemStruct
		return p.named(&it, i, hi, depth, false)
	case KwEnum:
		it.Kind = ItemEnum
		return p.named(&it, i, hi, depth, false)
	case KwType:
		it.Kind = ItemTypeAlias
		return p.named(&it, i, hi, depth, false)
	case KwConst, KwStatic:
		return p.constStatic(&it, i, hi, depth)
	case KwUse:
		return p.use(&it, i, hi, depth)
	}
	if it.Extern && p.kind(i) == LBrace {
		it.Kind = ItemExternBlock
		idx := p.add(it)
		inner, next := p.pf.group(i)
		p.items(i+1, inner, idx, depth+1, false)
		p.pf.Items[idx].End = p.toks[next-1].End
		return next
	}
	if p.kind(i) == KwExtern && p.kind(i+1) == KwCrate {
		it.Kind = ItemExternCrate
		j := i + 2
		if p.kind(j) == Ident || p.kind(j) == KwSelfValue {
			it.Name = p.text(j)
			j++
		}
		if p.kind(j) == KwAs && (p.kind(j+1) == Ident || p.kind(j+1) == KwUnderscore) {
			it.Alias = p.text(j + 1)
			j += 2
		}
		return p.finish(it, j, hi)
	}
	if p.isIdent(i, "union") && p.kind(i+1) == Ident {
		it.Kind = ItemUnion
		return p.named(&it, i, hi, depth, false)
	}
	if p.isIdent(i, "macro_rules") && p.kind(i+1) == Not && p.kind(i+2) == Ident {
		it.Kind = ItemMacroRules
		it.Name = p.text(i + 2)
		j := i + 3
		if isOpen(p.kind(j)) {
			inner, next := p.pf.group(j)
			p.pf.Macros = append(p.pf.Macros, MacroCall{Path: p.seg("macro_rules"), Open: int32(j), Close: int32(inner), Fn: parent, Parent: None, Pos: p.toks[i].Off})
			it.Macro = int32(len(p.pf.Macros) - 1)
			j = next
		}
		return p.finish(it, j, hi)
	}
	if p.isIdent(i, "macro") && p.kind(i+1) == Ident {
		// Declarative macros 2.0: macro name(args) { body } or macro name { rules }.
		it.Kind = ItemMacroRules
		it.Name = p.text(i + 1)
		j := i + 2
		for j < hi && p.kind(j) != LBrace {
			j = p.over(j)
		}
		return p.finish(it, p.over(j), hi)
	}
	// Item-position macro invocation: path ! (...) or path ! name { } is not valid; path ! { }.
	if it.Vis == "" && (p.kind(i) == Ident || p.kind(i) == PathSep || p.kind(i) == KwSelfValue || p.kind(i) == KwCrate || p.kind(i) == KwSuper) {
		segStart := len(p.strs)
		j := p.simplePath(i, hi)
		// A path of no segment (`::!(`) names no macro.
		if len(p.strs) > segStart && p.kind(j) == Not && isOpen(p.kind(j+1)) {
			it.Kind = ItemMacroCall
			it.Name = p.strs[len(p.strs)-1]
			idx := p.add(it)
			m := p.macroCall(segStart, i, j+1, parent, None)
			p.pf.Items[idx].Macro = m
			inner, next := p.pf.group(j + 1)
			p.macroItems(j+2, inner, parent, m, depth+1)
			if p.kind(next) == Semi {
				next++
			}
			p.pf.Items[idx].End = p.toks[next-1].End
			return next
		}
		p.strs = p.strs[:segStart]
	}
	// Not an item: skip to the end of this statement-like region.
	j := i
	for j < hi && p.kind(j) != Semi && p.kind(j) != LBrace {
		j = p.over(j)
	}
	j = p.over(j)
	if j > hi {
		j = hi
	}
	p.unexpected(start, j)
	return j
}

func (p *parser) add(it Item) int32 {
	p.pf.Items = append(p.pf.Items, it)
	return int32(len(p.pf.Items) - 1)
}

// finish adds an item ending at j (an optional ';' included) and returns the next index.
func (p *parser) finish(it Item, j, hi int) int {
	if j < hi && p.kind(j) == Semi {
		j++
	}
	if j > hi {
		j = hi
	}
	if j > 0 {
		it.End = p.toks[j-1].End
	}
	p.add(it)
	return j
}

func (p *parser) seg(s string) []string {
	st := len(p.strs)
	p.strs = append(p.strs, s)
	return p.path(st)
}

// simplePath appends the segments of a path without generics (a::b::c, ::a, self::x) to the arena
// and returns the index after it.
func (p *parser) simplePath(i, hi int) int {
	if p.kind(i) == PathSep {
		i++
	}
	for i < hi {
		switch p.kind(i) {
		case Ident, KwSelfValue, KwSelfType, KwSuper, KwCrate:
			p.strs = append(p.strs, p.text(i))
			i++
		default:
			return i
		}
		if p.kind(i) != PathSep {
			return i
		}
		i++
	}
	return i
}

// skipGenerics returns the index after a <...> list at i (or i if none), counting angle brackets;
// groups are skipped whole, so a stray '>' inside parentheses cannot end it.
func (p *parser) skipGenerics(i, hi int) int {
	if p.kind(i) != Lt && p.kind(i) != Shl {
		return i
	}
	depth := 0
	for j := i; j < hi; {
		switch p.kind(j) {
		case Lt:
			depth++
		case Shl:
			depth += 2
		case Gt:
			depth--
		case Shr:
			depth -= 2
		case Ge: // >= closes in `T: X<Y>= ...` only; treat as close
			depth--
		case ShrEq:
			depth -= 2
		case Semi:
			return j
		case LBrace:
			if k := p.kind(j - 1); k != Lt && k != Comma && k != Eq {
				return j
			}
		}
		j = p.over(j)
		if depth <= 0 {
			return j
		}
	}
	return hi
}

// headerEnd returns the index of the '{' or ';' that ends an item header starting at j: the first at
// angle depth 0, so that a const generic argument (ArrayVec<T, { N + 1 }>) is not taken for a body.
func (p *parser) headerEnd(j, hi int) int {
	angle := 0
	for j < hi {
		switch p.kind(j) {
		case Lt:
			angle++
		case Shl:
			angle += 2
		case Gt, Ge:
			angle = max(angle-1, 0)
		case Shr, ShrEq:
			angle = max(angle-2, 0)
		case LBrace, Semi:
			if angle == 0 {
				return j
			}
		}
		j = p.over(j)
	}
	return j
}

// isName reports tokens that can name an item: identifiers, and the 2018 keywords that are plain
// identifiers in 2015-edition crates (mod async; fn dyn()).
func isName(k Kind) bool { return k == Ident || k == KwAsync || k == KwAwait || k == KwDyn }

func (p *parser) fn(it *Item, i, hi int, depth int) int {
	it.Kind = ItemFn
	if !isName(p.kind(i + 1)) {
		p.unexpected(i, i+1)
		return i + 1
	}
	it.Name = p.text(i + 1)
	j := p.skipGenerics(i+2, hi)
	paramLo, paramHi := 0, 0
	if p.kind(j) == LParen {
		inner, next := p.pf.group(j)
		paramLo, paramHi = j+1, inner
		k := j + 1
		for k < inner && (p.kind(k) == And || p.kind(k) == Lifetime || p.kind(k) == KwMut || p.kind(k) == Pound) {
			if p.kind(k) == Pound { // attributes on the self parameter
				k = p.over(k + 1)
				continue
			}
			k++
		}
		it.HasSelf = k < inner && p.kind(k) == KwSelfValue
		j = next
	}
	j = p.headerEnd(j, hi)
	idx := p.add(*it)
	p.params(paramLo, paramHi, idx)
	if j < hi && p.kind(j) == LBrace {
		inner, next := p.pf.group(j)
		p.pf.Items[idx].BodyStart, p.pf.Items[idx].BodyEnd = int32(j+1), int32(inner)
		p.body(j+1, inner, idx, None, depth+1)
		j = next
	} else if j < hi {
		j++
	}
	if j > 0 {
		p.pf.Items[idx].End = p.toks[min(j, len(p.toks))-1].End
	}
	return j
}

// params records the parameters `name: Type` of a fn in tokens [lo, hi) as type hints.
func (p *parser) params(lo, hi int, fn int32) {
	for k := lo; k < hi; k++ {
		j := k
		for k < hi && p.kind(k) != Comma {
			k = p.over(k)
		}
		for j < k && p.kind(j) == Pound {
			j = p.over(j + 1)
		}
		for p.kind(j) == KwMut || p.kind(j) == KwRef {
			j++
		}
		if j+1 >= k || p.kind(j) != Ident || p.kind(j+1) != Colon {
			continue
		}
		t := j + 2
		for t < k && (p.kind(t) == And || p.kind(t) == AndAnd || p.kind(t) == Lifetime || p.kind(t) == KwMut || p.kind(t) == KwDyn || p.kind(t) == KwImpl) {
			t++
		}
		if ty := p.typePath(t, k, false); ty != "" {
			p.pf.Lets = append(p.pf.Lets, Let{Name: p.text(j), Type: ty, Param: true, Fn: fn, Pos: p.toks[j].Off})
		}
	}
}

func (p *parser) mod(it *Item, i, hi int, depth int) int {
	it.Kind = ItemMod
	if !isName(p.kind(i + 1)) {
		p.unexpected(i, i+1)
		return i + 1
	}
	it.Name = p.text(i + 1)
	j := i + 2
	if p.kind(j) == LBrace {
		it.Inline = true
		idx := p.add(*it)
		inner, next := p.pf.group(j)
		p.items(j+1, inner, idx, depth+1, false)
		p.pf.Items[idx].End = p.toks[next-1].End
		return next
	}
	return p.finish(*it, j, hi)
}

// named parses trait, struct, enum, union and type alias items: a name, then anything up to a ';'
// or a braced body. A trait's body is parsed as items.
func (p *parser) named(it *Item, i, hi int, depth int, body bool) int {
	if !isName(p.kind(i + 1)) {
		p.unexpected(i, i+1)
		return i + 1
	}
	it.Name = p.text(i + 1)
	j := p.headerEnd(i+2, hi)
	if j < hi && p.kind(j) == LBrace {
		idx := p.add(*it)
		inner, next := p.pf.group(j)
		if body {
			p.items(j+1, inner, idx, depth+1, false)
		}
		p.pf.Items[idx].End = p.toks[next-1].End
		return next
	}
	return p.finish(*it, j, hi)
}

func (p *parser) constStatic(it *Item, i, hi int, depth int) int {
	it.Kind = ItemConst
	if p.kind(i) == KwStatic {
		it.Kind = ItemStatic
	}
	j := i + 1
	if p.kind(j) == KwMut {
		j++
	}
	if p.kind(j) != Ident && p.kind(j) != KwUnderscore {
		p.unexpected(i, j)
		return j
	}
	it.Name = p.text(j)
	eq := -1
	for j < hi && p.kind(j) != Semi {
		if p.kind(j) == Eq && eq < 0 {
			eq = j
		}
		j = p.over(j)
	}
	idx := p.add(*it)
	if eq >= 0 {
		p.body(eq+1, j, idx, None, depth+1)
	}
	if j < hi {
		j++
	}
	p.pf.Items[idx].End = p.toks[min(j, len(p.toks))-1].End
	return j
}

func (p *parser) impl(it *Item, i, hi int, depth int) int {
	it.Kind = ItemImpl
	j := p.skipGenerics(i+1, hi)
	if p.kind(j) == KwConst {
		j++
	}
	if p.kind(j) == Not {
		it.Negative = true
		j++
	}
	tyStart, forAt, end := j, -1, j
	for end < hi && p.kind(end) != LBrace && p.kind(end) != Semi && p.kind(end) != KwWhere {
		if p.kind(end) == KwFor && forAt < 0 && p.kind(end+1) != Lt {
			forAt = end
		}
		if p.kind(end) == Lt || p.kind(end) == Shl {
			end = p.skipGenerics(end, hi)
			continue
		}
		end = p.over(end)
	}
	if forAt >= 0 {
		it.Trait, it.TraitName = p.typeText(tyStart, forAt)
		it.SelfType, it.SelfName = p.typeText(forAt+1, end)
	} else {
		it.SelfType, it.SelfName = p.typeText(tyStart, end)
	}
	end = p.headerEnd(end, hi)
	idx := p.add(*it)
	if end < hi && p.kind(end) == LBrace {
		inner, next := p.pf.group(end)
		p.items(end+1, inner, idx, depth+1, false)
		end = next
	} else if end < hi {
		end++
	}
	p.pf.Items[idx].End = p.toks[min(end, len(p.toks))-1].End
	return end
}

// typeText returns the source text of the type in tokens [lo, hi) and its name: the last path
// segment at angle depth 0 after references, lifetimes, mut, dyn and impl.
func (p *parser) typeText(lo, hi int) (text, name string) {
	if lo >= hi {
		return "", ""
	}
	text = p.pf.span(int(p.toks[lo].Off), int(p.toks[hi-1].End))
	for j := lo; j < hi; {
		switch p.kind(j) {
		case Ident, KwSelfType:
			name = p.text(j)
			j++
		case Lt, Shl:
			j = p.skipGenerics(j, hi)
		case PathSep, And, AndAnd, Lifetime, KwMut, KwDyn, KwImpl, Star, KwConst, Question,
			KwCrate, KwSuper, KwSelfValue: // path prefixes: crate::Trait, super::Type, self::m::Type
			j++
		default:
			return text, name
		}
	}
	return text, name
}

func (p *parser) use(it *Item, i, hi int, depth int) int {
	it.Kind = ItemUse
	j := i + 1
	for j < hi && p.kind(j) != Semi {
		j = p.over(j)
	}
	idx := p.add(*it)
	p.useTree(i+1, j, nil, idx, depth+1)
	if j < hi {
		j++
	}
	p.pf.Items[idx].End = p.toks[min(j, len(p.toks))-1].End
	return j
}

// useTree flattens the use tree in tokens [lo, hi) under prefix. Each leaf gets its own slice:
// use trees are few, and the arena cannot be shared by paths that are built and abandoned.
func (p *parser) useTree(lo, hi int, prefix []string, item int32, depth int) {
	if depth > p.maxDepth {
		p.skip(SkipTooDeep, lo, hi)
		return
	}
	it := &p.pf.Items[item]
	for j := lo; j < hi; j++ {
		elemStart := j
		segs := prefix[:len(prefix):len(prefix)]
		if p.kind(j) == PathSep {
			j++
		}
		for j < hi {
			k := p.kind(j)
			if !isName(k) && k != KwSelfValue && k != KwSuper && k != KwCrate && k != KwSelfType {
				break
			}
			segs = append(segs, p.text(j))
			j++
			if p.kind(j) != PathSep {
				break
			}
			j++
		}
		u := Use{Vis: it.Vis, Item: item, Scope: it.Parent, Pos: p.toks[elemStart].Off}
		switch {
		case j < hi && p.kind(j) == Star:
			u.Glob = true
			u.Path = append([]string(nil), segs...)
			p.pf.Uses = append(p.pf.Uses, u)
			j++
		case j < hi && p.kind(j) == LBrace:
			inner, next := p.pf.group(j)
			p.useTree(j+1, inner, segs, item, depth+1)
			j = next
		case len(segs) > len(prefix) || len(segs) > 0 && p.kind(j) == KwAs:
			if p.kind(j) == KwAs && j+1 < hi {
				u.Alias = p.text(j + 1)
				j += 2
			}
			if n := len(segs); segs[n-1] == "self" && n > 1 {
				segs = segs[:n-1]
			}
			u.Path = append([]string(nil), segs...)
			p.pf.Uses = append(p.pf.Uses, u)
		}
		for j < hi && p.kind(j) != Comma {
			j = p.over(j)
		}
	}
}

// macroItems reads the token tree of an item-position macro (cfg_if!, cfg_xxx!, thread_local!,
// bitflags!, ...): whatever starts an item is parsed as an item of the macro's parent, braces are
// looked into (cfg_if!'s branches), and the tokens in between are scanned like a body, with the
// macro as context, so calls in non-item syntax (lazy_static!'s static ref) are still found.
func (p *parser) macroItems(lo, hi int, parent, m int32, depth int) {
	if depth > p.maxDepth {
		p.skip(SkipTooDeep, lo, hi)
		return
	}
	p.macroDepth++
	defer func() { p.macroDepth-- }()
	gap := lo
	flush := func(end int) {
		if end > gap {
			p.body(gap, end, parent, int(m), depth+1)
		}
	}
	for i := lo; i < hi; {
		j := i
		for p.kind(j) == Pound && p.kind(j+1) == LBracket {
			j = p.over(j + 1)
		}
		switch {
		case j < hi && p.itemStart(j):
			flush(i)
			gap = i
			p.tentative = true
			next := p.item(i, hi, parent, depth+1, false)
			if p.rejected {
				p.rejected = false
				i = p.over(j) // not an item after all: its tokens stay in the gap
				continue
			}
			i = max(next, i+1)
			gap = i
		case j < hi && p.kind(j) == LBrace:
			flush(j)
			inner, next := p.pf.group(j)
			p.macroItems(j+1, inner, parent, m, depth+1)
			i, gap = next, next
		default:
			i = p.over(j)
		}
	}
	flush(hi)
}
