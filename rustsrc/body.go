package rustsrc

import "strings"

// maxQualifiedLen bounds the tokens of a <T as Trait> qualifier the body scanner looks through.
const maxQualifiedLen = 256

// macroRegion is an open macro invocation while scanning a body: calls before end belong to it.
type macroRegion struct {
	end int
	m   int32
}

// body scans tokens [lo, hi) of a fn body, an initialiser or a macro's token tree for calls, macro
// invocations, unsafe blocks, let type hints and nested items. It is a flat pass over the tokens,
// not an expression parser: patterns (path '(' , '.' name '(' , path '!' group) are recognised where
// they stand, which also works inside macro token trees that are not valid expressions. Only nested
// items recurse, and they are bounded by depth.
func (p *parser) body(lo, hi int, fn int32, macro int, depth int) {
	if depth > p.maxDepth {
		p.skip(SkipTooDeep, lo, hi)
		return
	}
	base := len(p.mstack)
	cur := int32(macro)
	for i := lo; i < hi; {
		for len(p.mstack) > base && i >= p.mstack[len(p.mstack)-1].end {
			p.mstack = p.mstack[:len(p.mstack)-1]
			if len(p.mstack) > base {
				cur = p.mstack[len(p.mstack)-1].m
			} else {
				cur = int32(macro)
			}
		}
		k := p.kind(i)
		if cur == None && p.stmtStart(i, lo) {
			j := i
			for p.kind(j) == Pound {
				o := j + 1
				if p.kind(o) == Not {
					o++
				}
				if p.kind(o) != LBracket {
					break
				}
				j = p.over(o)
			}
			if j < hi && p.itemStart(j) {
				i = p.item(i, hi, fn, depth+1, false)
				continue
			}
			if j > i {
				i = j
				continue
			}
		}
		switch k {
		case Pound:
			if o := i + 1; p.kind(o) == LBracket || p.kind(o) == Not && p.kind(o+1) == LBracket {
				if p.kind(o) == Not {
					o++
				}
				i = p.over(o) // attribute arguments are not calls
				continue
			}
		case KwUnsafe:
			if p.kind(i+1) == LBrace {
				inner, _ := p.pf.group(i + 1)
				end := p.toks[min(inner, len(p.toks)-1)].End
				p.pf.Unsafe = append(p.pf.Unsafe, UnsafeBlock{Pos: p.toks[i].Off, End: end, Fn: fn})
			}
		case KwLet:
			if cur == None {
				p.let(i, hi, fn)
			}
		case Dot:
			if p.kind(i+1) == Ident {
				i = p.methodCall(i, hi, fn, cur)
				continue
			}
		case Lt:
			if !p.operandBefore(i) {
				if j, ok := p.qualifiedCall(i, hi, fn, cur); ok {
					i = j
					continue
				}
			}
		case Ident, KwSelfValue, KwSelfType, KwSuper, KwCrate, PathSep, KwAsync, KwAwait, KwDyn:
			if p.kind(i-1) == Dot && i > lo {
				break
			}
			segStart := len(p.strs)
			j, turbo := p.exprPath(i, hi)
			switch {
			case j < hi && p.kind(j) == LParen && p.kind(i-1) != KwFn && len(p.strs) > segStart && !isFnTrait(p.strs[segStart:]):
				p.pf.Calls = append(p.pf.Calls, Call{Kind: CallPath, Path: p.path(segStart), Turbofish: turbo, Fn: fn, Macro: cur, Pos: p.toks[i].Off})
			case j+1 < hi && p.kind(j) == Not && isOpen(p.kind(j+1)) && len(p.strs) > segStart:
				m := p.macroCall(segStart, i, j+1, fn, cur)
				inner, _ := p.pf.group(j + 1)
				p.mstack = append(p.mstack, macroRegion{end: inner, m: m})
				cur = m
				i = j + 2
				continue
			default:
				p.strs = p.strs[:segStart]
			}
			if j > i {
				i = j
				continue
			}
		}
		i++
	}
	p.mstack = p.mstack[:base]
}

// isFnTrait reports the Fn traits' parenthesised sugar (dyn Fn(u8) -> u8), which is not a call.
func isFnTrait(path []string) bool {
	if len(path) != 1 {
		return false
	}
	switch path[0] {
	case "Fn", "FnMut", "FnOnce":
		return true
	}
	return false
}

// stmtStart reports whether token i begins a statement: after ; { } or an attribute, or at lo.
func (p *parser) stmtStart(i, lo int) bool {
	if i == lo {
		return true
	}
	switch p.kind(i - 1) {
	case Semi, LBrace, RBrace:
		return true
	case RBracket:
		o := int(p.pf.Match[i-1])
		return o > 0 && (p.kind(o-1) == Pound || p.kind(o-1) == Not && p.kind(o-2) == Pound)
	}
	return false
}

// operandBefore reports whether the token before i ends an operand, which makes a '<' at i a
// comparison rather than the start of a qualified path.
func (p *parser) operandBefore(i int) bool {
	switch k := p.kind(i - 1); {
	case k == Ident, k == KwSelfValue, k == KwSelfType, k.IsLiteral(), k == RParen, k == RBracket, k == Question:
		return true
	}
	return false
}

// exprPath appends the segments of an expression path at i (a::b::<T>::c, ::std::x, Self::f) to
// the arena and returns the index after it and whether it had a turbofish.
func (p *parser) exprPath(i, hi int) (int, bool) {
	turbo := false
	if p.kind(i) == PathSep {
		i++
	}
	for i < hi {
		switch p.kind(i) {
		case Ident, KwSelfValue, KwSelfType, KwSuper, KwCrate:
			p.strs = append(p.strs, p.text(i))
			i++
		case KwAsync, KwAwait, KwDyn: // 2015-edition identifiers, only as a path's first segments
			if p.kind(i+1) != PathSep {
				return i, turbo
			}
			p.strs = append(p.strs, p.text(i))
			i++
		default:
			return i, turbo
		}
		for p.kind(i) == PathSep && (p.kind(i+1) == Lt || p.kind(i+1) == Shl) {
			i = p.skipGenerics(i+1, hi)
			turbo = true
		}
		if p.kind(i) != PathSep {
			return i, turbo
		}
		i++
	}
	return i, turbo
}

// methodCall handles '.' name at i: a call if '(' follows, possibly after ::<T>.
func (p *parser) methodCall(i, hi int, fn, cur int32) int {
	name := i + 1
	j := name + 1
	turbo := false
	if p.kind(j) == PathSep && p.kind(j+1) == Lt {
		j = p.skipGenerics(j+1, hi)
		turbo = true
	}
	if j < hi && p.kind(j) == LParen {
		c := Call{Kind: CallMethod, Path: p.seg(p.text(name)), Turbofish: turbo, Fn: fn, Macro: cur, Pos: p.toks[name].Off}
		if r := i - 1; r >= 0 && (p.kind(r) == Ident || p.kind(r) == KwSelfValue) && p.kind(r-1) != Dot && p.kind(r-1) != PathSep {
			c.Receiver = p.text(r)
		}
		p.pf.Calls = append(p.pf.Calls, c)
	}
	return name + 1
}

// qualifiedCall handles <T>::f(...) and <T as Trait>::f(...) at i.
func (p *parser) qualifiedCall(i, hi int, fn, cur int32) (int, bool) {
	depth, asAt, closeAt := 1, -1, -1
	closeOff := int32(0)
	for j := i + 1; j < hi && j < i+maxQualifiedLen; {
		switch p.kind(j) {
		case Lt:
			depth++
		case Shl:
			depth += 2
		case Gt:
			depth--
		case Shr:
			depth -= 2
		case KwAs:
			if depth == 1 && asAt < 0 {
				asAt = j
			}
		case Semi, LBrace, RBrace:
			return i, false
		}
		if depth <= 0 {
			closeAt = j
			closeOff = p.toks[j].Off
			if p.kind(j) == Shr && depth == 0 { // >> closed an inner list and then ours
				closeOff++
			}
			break
		}
		j = p.over(j)
	}
	if closeAt < 0 || asAt == i+1 || closeAt == i+1 || p.kind(closeAt+1) != PathSep {
		return i, false
	}
	c := Call{Kind: CallPath, Fn: fn, Macro: cur, Pos: p.toks[i].Off}
	if asAt > 0 {
		c.QSelf = p.pf.span(int(p.toks[i+1].Off), int(p.toks[asAt-1].End))
		if asAt+1 < closeAt {
			c.QTrait = strings.TrimSpace(p.pf.span(int(p.toks[asAt+1].Off), int(closeOff)))
		}
	} else {
		c.QSelf = strings.TrimSpace(p.pf.span(int(p.toks[i+1].Off), int(closeOff)))
	}
	segStart := len(p.strs)
	j, turbo := p.exprPath(closeAt+2, hi)
	if j < hi && p.kind(j) == LParen && len(p.strs) > segStart {
		c.Path, c.Turbofish = p.path(segStart), turbo
		p.pf.Calls = append(p.pf.Calls, c)
	} else {
		p.strs = p.strs[:segStart]
	}
	return j, true
}

func (p *parser) macroCall(segStart, pathTok, open int, fn, parent int32) int32 {
	inner, _ := p.pf.group(open)
	p.pf.Macros = append(p.pf.Macros, MacroCall{Path: p.path(segStart), Open: int32(open), Close: int32(inner), Fn: fn, Parent: parent, Pos: p.toks[pathTok].Off})
	return int32(len(p.pf.Macros) - 1)
}

// let records a type hint for let [mut|ref] x: Type or let x = Type::f(..) / Type { .. }.
func (p *parser) let(i, hi int, fn int32) {
	j := i + 1
	for p.kind(j) == KwMut || p.kind(j) == KwRef {
		j++
	}
	if p.kind(j) != Ident || j >= hi {
		return
	}
	l := Let{Name: p.text(j), Fn: fn, Pos: p.toks[i].Off}
	j++
	switch p.kind(j) {
	case Colon:
		j++
		for p.kind(j) == And || p.kind(j) == AndAnd || p.kind(j) == Lifetime || p.kind(j) == KwMut || p.kind(j) == KwDyn || p.kind(j) == KwImpl {
			j++
		}
		l.Type = p.typePath(j, hi, false)
	case Eq:
		l.Type = p.typePath(j+1, hi, true)
		l.FromInit = true
	}
	if l.Type != "" {
		p.pf.Lets = append(p.pf.Lets, l)
	}
}

// typePath reads the path at i without generic arguments. For an initialiser it yields the type of
// Type::f(..) (the path minus the function, when the segment before it is capitalised) and of a
// struct literal Type { }.
func (p *parser) typePath(i, hi int, init bool) string {
	var segs [16]int
	n := 0
	generics := false
	if p.kind(i) == PathSep {
		i++
	}
	for i < hi && n < len(segs) {
		k := p.kind(i)
		if k != Ident && k != KwSelfType && k != KwSuper && k != KwCrate && k != KwSelfValue {
			break
		}
		segs[n] = i
		n++
		i++
		if p.kind(i) == PathSep && p.kind(i+1) == Lt {
			i = p.skipGenerics(i+1, hi)
			generics = true
		} else if !init && p.kind(i) == Lt {
			i = p.skipGenerics(i, hi)
		}
		if p.kind(i) != PathSep {
			break
		}
		i++
	}
	if n == 0 {
		return ""
	}
	if init {
		switch {
		case p.kind(i) == LParen && n >= 2 && isUpper(p.text(segs[n-2])):
			n--
		case p.kind(i) == LBrace && isUpper(p.text(segs[n-1])):
		default:
			return ""
		}
	}
	if !generics {
		return p.pf.span(int(p.toks[segs[0]].Off), int(p.toks[segs[n-1]].End))
	}
	parts := make([]string, n)
	for k := range parts {
		parts[k] = p.text(segs[k])
	}
	return strings.Join(parts, "::")
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }
