package callgraph

import (
	"slices"
	"sort"
	"strings"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// This file reads, from a file's tokens, what the linker needs to type method receivers: return
// types, struct fields, associated types, type aliases, supertraits, local bindings and receiver
// expressions. Types stay text as written; the linker resolves them in the module they were
// written in (see infer.go).

// Bounds on what is read per expression.
const (
	maxSteps      = 12  // postfix steps of one receiver expression
	maxTypeText   = 200 // bytes of a type kept as text
	maxScanTokens = 512 // tokens scanned back from a receiver or forward over an initialiser
)

// typeRef is a type as written and the module key it is resolved in.
type typeRef struct{ typ, mod string }

// stepKind is one postfix operation of a receiver expression.
type stepKind uint8

const (
	stepField   stepKind = iota // .name or .0
	stepMethod                  // .name(args)
	stepTry                     // ?
	stepAwait                   // .await
	stepOp                      // an arithmetic operator's result: the Output of its impl
	stepErr                     // the error of a Result (Err(e) patterns)
	stepElem                    // an element of a collection or iterator (for loops)
	stepClosure                 // parameter nargs of a closure passed to method name
	stepVariant                 // field "V::0" or "V::name" of enum variant V (or field name of struct V)
	stepIndex                   // [i]: an element; name "..": [a..b], a range of elements
	stepWrap                    // a std type name holds the value: vec![x] (Vec), Some(x) (Option), Box::new(x)
)

type step struct {
	kind  stepKind
	nargs int8
	name  string
	typ   string // a method call's turbofish type: collect::<Vec<u8>>()
	rhs   *expr  // an operator's right operand (stepOp), when it is one the typing reads
}

// expr is a receiver or initialiser expression: a base and postfix steps. A base is a local name
// (self included), a path call (Type::new(..), f(..)) or a struct literal.
type expr struct {
	local string
	call  []string // path of a path call
	qself string   // the type of a qualified path call <T>::f(..) (call is then [f])
	lit   string   // struct literal type path
	pos   int32    // byte offset of the expression: bindings before it are visible
	nargs int8
	steps []step
}

// binding is a let in a fn body: an annotated type or an initialiser expression.
type binding struct {
	name     string
	pos, end int32 // visible from pos (the end of its initialiser) to end (0: the rest of the body)
	typ      string
	init     *expr
}

// tokIndex returns the index of the token starting at byte offset off, or -1.
func tokIndex(toks []rustsrc.Token, off int32) int {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].Off >= off })
	if i < len(toks) && toks[i].Off == off {
		return i
	}
	return -1
}

// tokText is the text of tokens [lo, hi), cloned and bounded.
func tokText(pf *rustsrc.ParsedFile, lo, hi int) string {
	if lo >= hi || hi > len(pf.Tokens) {
		return ""
	}
	a, b := pf.Tokens[lo].Off, pf.Tokens[hi-1].End
	if int(b-a) > maxTypeText {
		return ""
	}
	return intern(string(pf.Src[a:b]))
}

func kindAt(pf *rustsrc.ParsedFile, i int) rustsrc.Kind {
	if i < 0 || i >= len(pf.Tokens) {
		return rustsrc.EOF
	}
	return pf.Tokens[i].Kind
}

// closeOf returns the index of the delimiter closing the one at i, or -1.
func closeOf(pf *rustsrc.ParsedFile, i int) int {
	if i < 0 || i >= len(pf.Match) {
		return -1
	}
	if j := int(pf.Match[i]); j > i {
		return j
	}
	return -1
}

// skipAngles returns the index after the <...> list at i, counting << and >> as two; i+1 when
// the list does not close, so that callers always advance.
func skipAngles(pf *rustsrc.ParsedFile, i, hi int) int {
	depth := 0
	for j := i; j < hi && j < i+maxScanTokens; j++ {
		switch kindAt(pf, j) {
		case rustsrc.LParen, rustsrc.LBracket: // [T; 4], Fn(A)
			if c := closeOf(pf, j); c > 0 && c < hi {
				j = c
			}
		case rustsrc.Lt:
			depth++
		case rustsrc.Shl:
			depth += 2
		case rustsrc.Gt:
			depth--
		case rustsrc.Shr:
			depth -= 2
		case rustsrc.Semi, rustsrc.LBrace, rustsrc.RBrace:
			return i + 1
		}
		if depth <= 0 {
			return j + 1
		}
	}
	return i + 1
}

// countArgs counts the comma-separated arguments in the group opened at i.
func countArgs(pf *rustsrc.ParsedFile, i int) int8 {
	end := closeOf(pf, i)
	if end < 0 {
		return -1
	}
	if end == i+1 {
		return 0
	}
	n := 1
	for j := i + 1; j < end; j++ {
		if c := closeOf(pf, j); c > 0 && isOpenKind(kindAt(pf, j)) {
			j = c
			continue
		}
		if kindAt(pf, j) == rustsrc.Comma && j+1 < end {
			n++
		}
	}
	return int8(min(n, 127))
}

func isOpenKind(k rustsrc.Kind) bool {
	return k == rustsrc.LParen || k == rustsrc.LBracket || k == rustsrc.LBrace
}

// receiverStart walks back from the token before a '.' over a postfix expression (paths, calls,
// fields, ?, .await, parenthesised groups) and returns its first token, or -1.
func receiverStart(pf *rustsrc.ParsedFile, end int) int {
	i := end
	for n := 0; i >= 0 && n < maxScanTokens; n++ {
		switch kindAt(pf, i) {
		case rustsrc.RParen, rustsrc.RBracket:
			o := int(pf.Match[i])
			if o < 0 || o >= i {
				return -1
			}
			i = o - 1
			if kindAt(pf, i) == rustsrc.Not && kindAt(pf, i-1) == rustsrc.Ident { // vec![..]
				i--
				continue
			}
			if kindAt(pf, i) == rustsrc.Gt || kindAt(pf, i) == rustsrc.Shr { // turbofish f::<T>(..)
				if i = backAngles(pf, i); i < 0 || kindAt(pf, i) != rustsrc.PathSep {
					return -1
				}
				i--
			}
			if !operandEnd(kindAt(pf, i)) {
				return i + 1 // a parenthesised or bracketed group starts the expression
			}
			continue
		case rustsrc.Question:
			i--
			continue
		case rustsrc.Ident, rustsrc.KwSelfValue, rustsrc.KwSelfType, rustsrc.Int, rustsrc.KwAwait, rustsrc.KwCrate, rustsrc.KwSuper:
			if k := kindAt(pf, i-2); kindAt(pf, i-1) == rustsrc.PathSep && (k == rustsrc.Gt || k == rustsrc.Shr) {
				// <T>::f or <T as Trait>::f starting the expression
				if b := backAngles(pf, i-2); b >= 0 && kindAt(pf, b+1) == rustsrc.Lt && !operandEnd(kindAt(pf, b)) && kindAt(pf, b) != rustsrc.PathSep {
					return b + 1
				}
				return -1
			}
			switch kindAt(pf, i-1) {
			case rustsrc.Dot, rustsrc.PathSep:
				i -= 2
				continue
			}
			return i
		case rustsrc.Str, rustsrc.RawStr, rustsrc.ByteStr, rustsrc.RawByteStr, rustsrc.Char, rustsrc.Byte, rustsrc.Float:
			return i
		case rustsrc.RBrace: // Type { .. }.m()
			o := int(pf.Match[i])
			if o > 0 && kindAt(pf, o-1) == rustsrc.Ident {
				i = o - 1
				continue
			}
			return -1
		}
		return -1
	}
	return -1
}

func operandEnd(k rustsrc.Kind) bool {
	switch k {
	case rustsrc.Ident, rustsrc.KwSelfValue, rustsrc.KwSelfType, rustsrc.RParen, rustsrc.RBracket, rustsrc.Question, rustsrc.Gt:
		return true
	}
	return false
}

// backAngles returns the index before the < matching the > (or >>) at i, or -1.
func backAngles(pf *rustsrc.ParsedFile, i int) int {
	depth := 0
	for j := i; j >= 0 && j > i-maxScanTokens; j-- {
		switch kindAt(pf, j) {
		case rustsrc.Gt:
			depth++
		case rustsrc.Shr:
			depth += 2
		case rustsrc.Lt:
			depth--
		case rustsrc.Shl:
			depth -= 2
		case rustsrc.Semi, rustsrc.LBrace, rustsrc.RBrace:
			return -1
		}
		if depth <= 0 {
			return j - 1
		}
	}
	return -1
}

// parseExpr reads tokens [lo, hi) as a postfix expression; nil unless it spans all of them.
func parseExpr(pf *rustsrc.ParsedFile, lo, hi int) *expr {
	if lo < 0 || lo >= hi || hi-lo > maxScanTokens {
		return nil
	}
	e := &expr{pos: pf.Tokens[lo].Off}
	i := lo
	// & or * in front gives the same type for method lookup.
	for i < hi && (kindAt(pf, i) == rustsrc.And || kindAt(pf, i) == rustsrc.AndAnd || kindAt(pf, i) == rustsrc.Star ||
		kindAt(pf, i) == rustsrc.KwMut && i > lo) {
		i++
	}
	switch kindAt(pf, i) {
	case rustsrc.Str, rustsrc.RawStr, rustsrc.ByteStr, rustsrc.RawByteStr, rustsrc.Char, rustsrc.Byte:
		e.lit = literalTypes[kindAt(pf, i)]
		i++
	case rustsrc.Float, rustsrc.Int:
		// A float is an f64 unless its suffix says f32 (an unsuffixed one may be inferred
		// f32; both are std's, with std's methods); an integer only by its suffix.
		if e.lit = numberType(pf.Text(pf.Tokens[i]), kindAt(pf, i) == rustsrc.Float); e.lit == "" {
			return nil
		}
		i++
	case rustsrc.Lt: // <T>::f(..), <T as Trait>::f(..)
		gt := skipAngles(pf, i, hi)
		if kindAt(pf, gt) != rustsrc.PathSep || kindAt(pf, gt+1) != rustsrc.Ident || kindAt(pf, gt+2) != rustsrc.LParen || gt+2 >= hi {
			return nil
		}
		q := tokText(pf, i+1, gt-1)
		if k := strings.Index(q, " as "); k >= 0 {
			q = q[:k]
		}
		e.qself, e.call, e.nargs = q, []string{intern(pf.Text(pf.Tokens[gt+1]))}, countArgs(pf, gt+2)
		if i = closeOf(pf, gt+2) + 1; i <= 0 || q == "" {
			return nil
		}
	case rustsrc.LParen:
		c := closeOf(pf, i)
		if c < 0 || c >= hi {
			return nil
		}
		inner := parseExpr(pf, i+1, c)
		if inner == nil {
			inner = binaryExpr(pf, i+1, c) // (a * b).ceil()
		}
		if inner == nil {
			return nil
		}
		*e = *inner
		i = c + 1
	case rustsrc.KwSelfValue, rustsrc.Ident, rustsrc.KwSelfType, rustsrc.KwCrate, rustsrc.KwSuper, rustsrc.PathSep:
		var segs []string
		j := i
		if kindAt(pf, j) == rustsrc.PathSep {
			segs = append(segs, "::")
			j++
		}
		for j < hi {
			k := kindAt(pf, j)
			if k != rustsrc.Ident && k != rustsrc.KwSelfValue && k != rustsrc.KwSelfType && k != rustsrc.KwCrate && k != rustsrc.KwSuper {
				return nil
			}
			segs = append(segs, intern(pf.Text(pf.Tokens[j])))
			j++
			if kindAt(pf, j) == rustsrc.PathSep && (kindAt(pf, j+1) == rustsrc.Lt || kindAt(pf, j+1) == rustsrc.Shl) {
				j = skipAngles(pf, j+1, hi)
			}
			if kindAt(pf, j) != rustsrc.PathSep || len(segs) >= 16 {
				break
			}
			j++
		}
		switch {
		case kindAt(pf, j) == rustsrc.Not && len(segs) == 1 && stdMacroTypes[segs[0]] != "" && isOpenKind(kindAt(pf, j+1)) && j+1 < hi:
			// vec![..], format!(..): std macros whose value has a known type.
			e.lit = stdMacroTypes[segs[0]]
			if w := wrapped(pf, j+1, "Vec"); w != nil && segs[0] == "vec" {
				*e = *w
			}
			i = closeOf(pf, j+1) + 1
		case kindAt(pf, j) == rustsrc.LParen && j < hi:
			e.call, e.nargs = segs, countArgs(pf, j)
			if w := wrapped(pf, j, wrapperCall(segs)); w != nil && e.nargs == 1 {
				*e = *w
			}
			i = closeOf(pf, j) + 1
		case kindAt(pf, j) == rustsrc.LBrace && j < hi && isUpper(segs[len(segs)-1]):
			e.lit = strings.Join(segs, "::")
			i = closeOf(pf, j) + 1
		case len(segs) == 1 && isUpper(segs[0]) && strings.ToUpper(segs[0]) != segs[0]:
			e.lit = segs[0] // a unit struct (CamelCase; an all-caps name is a const)
			i = j
		case len(segs) == 1 && segs[0] != "::":
			e.local = segs[0]
			i = j
		default:
			return nil
		}
		if i <= 0 {
			return nil
		}
	default:
		return nil
	}
	for i < hi {
		switch kindAt(pf, i) {
		case rustsrc.Question:
			e.steps = append(e.steps, step{kind: stepTry})
			i++
		case rustsrc.LBracket:
			c := closeOf(pf, i)
			if c < 0 || c >= hi {
				return nil
			}
			s := step{kind: stepIndex}
			if scanTo(pf, i+1, c, rustsrc.DotDot, rustsrc.DotDotEq) < c {
				s.name = ".."
			}
			e.steps = append(e.steps, s)
			i = c + 1
		case rustsrc.Dot:
			n := i + 1
			k := kindAt(pf, n)
			switch {
			case k == rustsrc.KwAwait:
				e.steps = append(e.steps, step{kind: stepAwait})
				i = n + 1
			case k == rustsrc.Int:
				e.steps = append(e.steps, step{kind: stepField, name: intern(pf.Text(pf.Tokens[n]))})
				i = n + 1
			case k == rustsrc.Ident:
				j := n + 1
				turbofish := ""
				if kindAt(pf, j) == rustsrc.PathSep && kindAt(pf, j+1) == rustsrc.Lt {
					j = skipAngles(pf, j+1, hi)
					turbofish = closeAngles(tokText(pf, n+3, j-1))
				}
				name := intern(pf.Text(pf.Tokens[n]))
				if kindAt(pf, j) == rustsrc.LParen && j < hi {
					e.steps = append(e.steps, step{kind: stepMethod, name: name, nargs: countArgs(pf, j), typ: turbofish})
					if i = closeOf(pf, j) + 1; i <= 0 {
						return nil
					}
				} else {
					e.steps = append(e.steps, step{kind: stepField, name: name})
					i = n + 1
				}
			default:
				return nil
			}
		default:
			return nil
		}
		if len(e.steps) > maxSteps {
			return nil
		}
	}
	if i != hi {
		return nil
	}
	return e
}

// numberType is the type of a number literal: its suffix, else f64 for a float, "" for an
// unsuffixed integer (its type is inferred).
func numberType(text string, float bool) string {
	for t := range numericTypes {
		if (t[0] == 'f') == float && strings.HasSuffix(text, t) { // 0x1f32 is an integer
			return t
		}
	}
	if float {
		return "f64"
	}
	return ""
}

// wrapperCall is the std type whose value a call of path segs holds its one argument in: Some(x)
// an Option, Ok(x) a Result, Box::new(x) (and the other look-through wrappers') the wrapper; "".
func wrapperCall(segs []string) string {
	switch {
	case len(segs) == 1 && segs[0] == "Some":
		return "Option"
	case len(segs) == 1 && segs[0] == "Ok":
		return "Result"
	case len(segs) == 2 && lookThrough[segs[0]] && segs[1] == "new":
		return segs[0]
	}
	return ""
}

// wrapped reads the first element of the group opened at open (vec![x, ..], vec![x; n], Some(x))
// as an expression held by std type wrap; nil when wrap is "" or the element is not one the
// typing reads.
func wrapped(pf *rustsrc.ParsedFile, open int, wrap string) *expr {
	c := closeOf(pf, open)
	if wrap == "" || c < 0 {
		return nil
	}
	e := parseExpr(pf, open+1, scanTo(pf, open+1, c, rustsrc.Comma, rustsrc.Semi))
	if e == nil || len(e.steps) >= maxSteps {
		return nil
	}
	return withStep(e, step{kind: stepWrap, name: wrap})
}

// stdMacroTypes are std macros in expression position and the type of their value.
var stdMacroTypes = map[string]string{"vec": "Vec", "format": "String"}

// closeAngles completes a type text cut before the >> token that closed it and an enclosing
// list (the last bound of <T: AsRef<[u8]>>, the turbofish of collect::<Vec<u8>>()).
func closeAngles(t string) string {
	if n := strings.Count(t, "<") - strings.Count(t, ">") + strings.Count(t, "->"); n > 0 && n < 8 {
		return t + strings.Repeat(">", n)
	}
	return t
}

// literalTypes are the types of literals whose type is not inferred (numbers are).
var literalTypes = map[rustsrc.Kind]string{rustsrc.Str: "str", rustsrc.RawStr: "str", rustsrc.ByteStr: "[u8]",
	rustsrc.RawByteStr: "[u8]", rustsrc.Char: "char", rustsrc.Byte: "u8"}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// receiverExpr is the receiver of the method call whose name token is at t.
func receiverExpr(pf *rustsrc.ParsedFile, t int) *expr {
	if kindAt(pf, t-1) != rustsrc.Dot {
		return nil
	}
	s := receiverStart(pf, t-2)
	if s < 0 {
		return nil
	}
	// A & or * before the receiver applies to the whole method call expression, not the receiver.
	return parseExpr(pf, s, t-1)
}

// bindings reads the local bindings of a fn body [lo, hi): let [mut] x[: T] [= init]; and the
// pattern bindings whose type follows from an expression: if/while let Some(x) | Ok(x) | Err(x)
// = e, let Some(x) = e else { }, for x in e, and the parameters of a closure passed to a method
// (e.map(|x| ..)); a tuple pattern (a, b) binds each part.
func bindings(pf *rustsrc.ParsedFile, lo, hi int, out []binding) []binding {
	for i := lo; i < hi; i++ {
		switch kindAt(pf, i) {
		case rustsrc.KwLet:
			out = letBinding(pf, i, hi, out)
		case rustsrc.KwFor:
			out = forBinding(pf, i, hi, out)
		case rustsrc.KwMatch:
			out = matchBindings(pf, i, hi, out)
		case rustsrc.OrOr, rustsrc.Or:
			out = closureBindings(pf, i, hi, out)
		}
	}
	return out
}

func letBinding(pf *rustsrc.ParsedFile, i, hi int, out []binding) []binding {
	j := i + 1
	for kindAt(pf, j) == rustsrc.KwMut || kindAt(pf, j) == rustsrc.KwRef {
		j++
	}
	if k := kindAt(pf, j+1); kindAt(pf, j) != rustsrc.Ident || k != rustsrc.Colon && k != rustsrc.Eq && k != rustsrc.Semi {
		return letPattern(pf, i, i+1, hi, out)
	}
	b := binding{name: intern(pf.Text(pf.Tokens[j]))}
	j++
	end := stmtEnd(pf, j, hi)
	if end < 0 {
		return out
	}
	// The name is bound after its initialiser: in let x = x.as_ref(); the x read is the
	// earlier one.
	b.pos = pf.Tokens[end].Off
	if kindAt(pf, j) == rustsrc.Colon {
		k := j + 1
		for k < end && kindAt(pf, k) != rustsrc.Eq {
			if c := closeOf(pf, k); c > 0 && isOpenKind(kindAt(pf, k)) {
				k = c
			}
			k++
		}
		b.typ = tokText(pf, j+1, k)
	} else if kindAt(pf, j) == rustsrc.Eq {
		b.init = initExpr(pf, j+1, end)
	} else if a := deferredInit(pf, b.name, end+1, hi); a > 0 {
		// let x; ... x = e; (syn's braced!(content in input) writes content = braces.content):
		// x has e's type.
		if e := stmtEnd(pf, a+1, hi); e > 0 {
			b.init = initExpr(pf, a+1, e)
		}
	}
	if b.typ != "" || b.init != nil {
		out = append(out, b)
	}
	return out
}

// initExpr reads the initialiser of a binding in tokens [lo, hi).
func initExpr(pf *rustsrc.ParsedFile, lo, hi int) *expr {
	if e := parseExpr(pf, lo, hi); e != nil {
		return e
	}
	if e := binaryExpr(pf, lo, hi); e != nil {
		return e
	}
	return branchValue(pf, lo, hi, 0)
}

// deferredInit finds the first assignment name = .. as a statement in tokens [lo, hi) and
// returns the index of its =, or -1.
func deferredInit(pf *rustsrc.ParsedFile, name string, lo, hi int) int {
	for i := lo; i+1 < hi; i++ {
		if kindAt(pf, i) == rustsrc.Ident && kindAt(pf, i+1) == rustsrc.Eq && pf.Text(pf.Tokens[i]) == name {
			switch kindAt(pf, i-1) {
			case rustsrc.Semi, rustsrc.LBrace, rustsrc.RBrace, rustsrc.FatArrow:
				return i + 1
			}
		}
	}
	return -1
}

// letPattern reads the pattern let of [if|while] let P = e {..}, let P = e else {..}; and
// let P = e; with the pattern starting at p.
func letPattern(pf *rustsrc.ParsedFile, let, p, hi int, out []binding) []binding {
	eq := scanTo(pf, p, hi, rustsrc.Eq, rustsrc.Semi, rustsrc.Colon)
	if kindAt(pf, eq) != rustsrc.Eq || eq == p {
		return out
	}
	cond := kindAt(pf, let-1) == rustsrc.KwIf || kindAt(pf, let-1) == rustsrc.KwWhile
	// The expression runs to the block (if/while let), to else (let-else) or to the ;. Struct
	// literals cannot appear there unparenthesised, so the first { at depth 0 ends it.
	end, scope := scanTo(pf, eq+1, hi, rustsrc.LBrace, rustsrc.KwElse, rustsrc.Semi), int32(0)
	switch k := kindAt(pf, end); {
	case cond && k == rustsrc.LBrace:
		if c := closeOf(pf, end); c > 0 {
			scope = pf.Tokens[c].Off
		}
	case !cond && (k == rustsrc.KwElse || k == rustsrc.Semi):
	default:
		return out
	}
	if pc := closeOf(pf, p); kindAt(pf, p) == rustsrc.LParen && pc == eq-1 && kindAt(pf, eq+1) == rustsrc.LParen && closeOf(pf, eq+1) == end-1 {
		// let (a, b) = (x, y);
		var pats, vals [][2]int
		eachPart(pf, p, func(_, lo, hi int) { pats = append(pats, [2]int{lo, hi}) })
		eachPart(pf, eq+1, func(_, lo, hi int) { vals = append(vals, [2]int{lo, hi}) })
		if len(pats) == len(vals) && len(pats) > 1 {
			for k, pr := range pats {
				if v := valueAt(pf, vals[k][0], vals[k][1], 0); v != nil {
					out = patternBindings(pf, pr[0], pr[1], v, pf.Tokens[end].Off, scope, out)
				}
			}
			return out
		}
	}
	e := parseExpr(pf, eq+1, end)
	if e == nil {
		return out
	}
	return patternBindings(pf, p, eq, e, pf.Tokens[end].Off, scope, out)
}

// branchValue reads tokens [lo, hi) as a match, if, unsafe or block expression, optionally
// followed by ?, and returns the value of its first branch that ends in a postfix expression (a
// match's arms and an if's branches have one type): let x = match m { A(v) => v, .. };
func branchValue(pf *rustsrc.ParsedFile, lo, hi, depth int) *expr {
	if depth > 4 {
		return nil
	}
	var v *expr
	end := -1
	switch kindAt(pf, lo) {
	case rustsrc.KwMatch:
		open := scanTo(pf, lo+1, hi, rustsrc.LBrace, rustsrc.Semi)
		end = closeOf(pf, open)
		if kindAt(pf, open) != rustsrc.LBrace || end < 0 {
			return nil
		}
		for arm := open + 1; arm < end && v == nil; {
			arrow := scanTo(pf, arm, end, rustsrc.FatArrow)
			if arrow >= end {
				return nil
			}
			body, next := arrow+1, 0
			if kindAt(pf, body) == rustsrc.LBrace && closeOf(pf, body) > 0 {
				v, next = tailValue(pf, body, depth), closeOf(pf, body)+1
			} else {
				next = scanTo(pf, body, end, rustsrc.Comma)
				v = valueAt(pf, body, next, depth)
			}
			arm = next
			if kindAt(pf, arm) == rustsrc.Comma {
				arm++
			}
		}
	case rustsrc.KwIf:
		open := scanTo(pf, lo+1, hi, rustsrc.LBrace)
		v, end = tailValue(pf, open, depth), closeOf(pf, open)
		for end > 0 && kindAt(pf, end+1) == rustsrc.KwElse { // the end of the else-if chain
			if kindAt(pf, end+2) == rustsrc.KwIf {
				end = closeOf(pf, scanTo(pf, end+3, hi, rustsrc.LBrace))
			} else {
				end = closeOf(pf, end+2)
			}
		}
	case rustsrc.KwUnsafe:
		v, end = tailValue(pf, lo+1, depth), closeOf(pf, lo+1)
	case rustsrc.LBrace:
		v, end = tailValue(pf, lo, depth), closeOf(pf, lo)
	}
	if v == nil || end < 0 {
		return nil
	}
	for k := end + 1; k < hi; k++ { // if .. { } else { }?
		if kindAt(pf, k) != rustsrc.Question || len(v.steps) >= maxSteps {
			return nil
		}
		v = withStep(v, step{kind: stepTry})
	}
	return v
}

// tailValue is the final expression of the block opened at open, if it has one.
func tailValue(pf *rustsrc.ParsedFile, open, depth int) *expr {
	end := closeOf(pf, open)
	if kindAt(pf, open) != rustsrc.LBrace || end < 0 {
		return nil
	}
	last := open
	for j := open + 1; j < end; j++ {
		if c := closeOf(pf, j); c > 0 && isOpenKind(kindAt(pf, j)) {
			j = c
			continue
		}
		if kindAt(pf, j) == rustsrc.Semi {
			last = j
		}
	}
	return valueAt(pf, last+1, end, depth)
}

func valueAt(pf *rustsrc.ParsedFile, lo, hi, depth int) *expr {
	if e := parseExpr(pf, lo, hi); e != nil {
		return e
	}
	return branchValue(pf, lo, hi, depth+1)
}

// matchBindings reads match e { P => .., } : each arm's pattern binds in the arm.
func matchBindings(pf *rustsrc.ParsedFile, i, hi int, out []binding) []binding {
	open := scanTo(pf, i+1, hi, rustsrc.LBrace, rustsrc.Semi)
	end := closeOf(pf, open)
	e := parseExpr(pf, i+1, open)
	if e == nil || end < 0 {
		return out
	}
	for arm := open + 1; arm < end; {
		arrow, guard := arm, -1
		for arrow < end && kindAt(pf, arrow) != rustsrc.FatArrow {
			if kindAt(pf, arrow) == rustsrc.KwIf && guard < 0 {
				guard = arrow
			}
			if c := closeOf(pf, arrow); c > 0 && isOpenKind(kindAt(pf, arrow)) {
				arrow = c
			}
			arrow++
		}
		if arrow >= end {
			break
		}
		body := arrow + 1
		if kindAt(pf, body) == rustsrc.LBrace && closeOf(pf, body) > 0 {
			body = closeOf(pf, body) + 1
		} else {
			body = scanTo(pf, body, end, rustsrc.Comma)
		}
		pend := arrow
		if guard >= 0 {
			pend = guard
		}
		out = patternBindings(pf, arm, pend, e, pf.Tokens[arm].Off, pf.Tokens[min(body, end)].Off, out)
		arm = body
		if kindAt(pf, arm) == rustsrc.Comma {
			arm++
		}
	}
	return out
}

// forBinding reads for p in e { .. }: p is bound to e's element type inside the loop.
func forBinding(pf *rustsrc.ParsedFile, i, hi int, out []binding) []binding {
	in := scanTo(pf, i+1, min(hi, i+64), rustsrc.KwIn)
	if kindAt(pf, in) != rustsrc.KwIn {
		return out
	}
	end := scanTo(pf, in+1, hi, rustsrc.LBrace)
	c := closeOf(pf, end)
	e := parseExpr(pf, in+1, end)
	if e == nil || c < 0 {
		return out
	}
	return patternBindings(pf, i+1, in, withStep(e, step{kind: stepElem}), pf.Tokens[end].Off, pf.Tokens[c].Off, out)
}

// closureBindings reads the parameters of a closure |a, (b, c)| .. passed to a method call,
// e.map(|x| ..): each is typed by the method's receiver (the element of an iterator, the value
// of an Option, ...) and visible inside the call's parentheses.
func closureBindings(pf *rustsrc.ParsedFile, i, hi int, out []binding) []binding {
	if kindAt(pf, i) == rustsrc.OrOr {
		return out
	}
	open := i - 1
	if kindAt(pf, open) == rustsrc.KwMove {
		open--
	}
	for kindAt(pf, open) != rustsrc.LParen { // a closure after other arguments: map_or(d, |x| ..)
		if kindAt(pf, open) != rustsrc.Comma {
			return out
		}
		o := open - 1
		for o > 0 && kindAt(pf, o) != rustsrc.LParen && kindAt(pf, o) != rustsrc.Comma {
			if m := int(pf.Match[o]); m >= 0 && m < o {
				o = m
			}
			o--
		}
		if o <= 0 || open-o > maxScanTokens {
			return out
		}
		open = o
	}
	name := open - 1
	if kindAt(pf, name) != rustsrc.Ident || kindAt(pf, name-1) != rustsrc.Dot {
		return out
	}
	close := closeOf(pf, open)
	recv := receiverExpr(pf, name)
	if recv == nil || close < 0 {
		return out
	}
	method := intern(pf.Text(pf.Tokens[name]))
	n := int8(0)
	start := i + 1
	for j := i + 1; j < hi && j < i+64; j++ {
		k := kindAt(pf, j)
		if c := closeOf(pf, j); c > 0 && isOpenKind(k) {
			j = c
			continue
		}
		if k != rustsrc.Comma && k != rustsrc.Or {
			continue
		}
		p := start
		for kindAt(pf, p) == rustsrc.And || kindAt(pf, p) == rustsrc.KwMut || kindAt(pf, p) == rustsrc.KwRef {
			p++
		}
		pe := j
		for q := p; q < j; q++ { // a type annotation ends the pattern
			if kindAt(pf, q) == rustsrc.Colon {
				pe = q
				break
			}
		}
		out = patternBindings(pf, p, pe, withStep(recv, step{kind: stepClosure, name: method, nargs: n}),
			pf.Tokens[i].Off, pf.Tokens[close].Off, out)
		n++
		start = j + 1
		if k == rustsrc.Or {
			break
		}
	}
	return out
}

// patternBindings binds the pattern in tokens [lo, hi) to the type of e, visible from pos to
// scope (0: the rest of the body): x, mut x, ref x, &p, x @ p, p | q, tuples, Some/Ok/Err(p),
// tuple and struct variants (Enum::V(a, b), Enum::V { a, b: p, .. }) and struct patterns.
func patternBindings(pf *rustsrc.ParsedFile, lo, hi int, e *expr, pos, scope int32, out []binding) []binding {
	return patternAt(pf, lo, hi, e, pos, scope, out, 0)
}

func patternAt(pf *rustsrc.ParsedFile, lo, hi int, e *expr, pos, scope int32, out []binding, depth int) []binding {
	if depth > 8 || lo >= hi || len(e.steps) >= maxSteps {
		return out
	}
	if kindAt(pf, lo) == rustsrc.Or {
		lo++
	}
	// p | q: each alternative binds the same names.
	for j := lo; j < hi; j++ {
		if c := closeOf(pf, j); c > 0 && isOpenKind(kindAt(pf, j)) {
			j = c
			continue
		}
		if kindAt(pf, j) == rustsrc.Or {
			out = patternAt(pf, lo, j, e, pos, scope, out, depth+1)
			return patternAt(pf, j+1, hi, e, pos, scope, out, depth+1)
		}
	}
	for k := kindAt(pf, lo); k == rustsrc.And || k == rustsrc.AndAnd || k == rustsrc.KwMut || k == rustsrc.KwRef; k = kindAt(pf, lo) {
		lo++
	}
	if lo >= hi {
		return out
	}
	if kindAt(pf, lo) == rustsrc.Ident && !isUpper(pf.Text(pf.Tokens[lo])) {
		name := pf.Text(pf.Tokens[lo])
		if lo+1 == hi && name != "_" {
			return append(out, binding{name: intern(name), pos: pos, end: scope, init: e})
		}
		if kindAt(pf, lo+1) == rustsrc.At { // x @ p
			out = append(out, binding{name: intern(name), pos: pos, end: scope, init: e})
			return patternAt(pf, lo+2, hi, e, pos, scope, out, depth+1)
		}
	}
	if kindAt(pf, lo) == rustsrc.LParen && closeOf(pf, lo) == hi-1 {
		return patternParts(pf, lo, func(n int, name string) step { return step{kind: stepField, name: itoa(n)} },
			e, pos, scope, out, depth)
	}
	// A path: Some, Enum::V, Self::V, V, crate::m::S, ::syn::__private::Ok (a macro's $crate).
	j := lo
	if kindAt(pf, j) == rustsrc.PathSep {
		j++
	}
	for kindAt(pf, j) == rustsrc.Ident || kindAt(pf, j) == rustsrc.KwSelfType || kindAt(pf, j) == rustsrc.KwCrate ||
		kindAt(pf, j) == rustsrc.KwSuper || kindAt(pf, j) == rustsrc.KwSelfValue {
		if kindAt(pf, j+1) != rustsrc.PathSep {
			break
		}
		j += 2
	}
	if kindAt(pf, j) != rustsrc.Ident || j+1 >= hi || closeOf(pf, j+1) != hi-1 {
		return out
	}
	v := pf.Text(pf.Tokens[j])
	switch kindAt(pf, j+1) {
	case rustsrc.LParen:
		switch v {
		case "Some", "Ok":
			return patternAt(pf, j+2, hi-1, withStep(e, step{kind: stepTry}), pos, scope, out, depth+1)
		case "Err":
			return patternAt(pf, j+2, hi-1, withStep(e, step{kind: stepErr}), pos, scope, out, depth+1)
		}
		v = intern(v)
		return patternParts(pf, j+1, func(n int, name string) step { return step{kind: stepVariant, name: v + "::" + itoa(n)} },
			e, pos, scope, out, depth)
	case rustsrc.LBrace:
		v = intern(v)
		return patternParts(pf, j+1, func(n int, name string) step { return step{kind: stepVariant, name: v + "::" + name} },
			e, pos, scope, out, depth)
	}
	return out
}

// patternParts binds the parts of the tuple or struct pattern group opened at open: part n (or
// field name: a shorthand field binds its own name) is typed by e and the step part gives.
func patternParts(pf *rustsrc.ParsedFile, open int, part func(n int, name string) step, e *expr, pos, scope int32, out []binding, depth int) []binding {
	eachPart(pf, open, func(n, p, j int) {
		if p >= j || kindAt(pf, p) == rustsrc.DotDot {
			return
		}
		if kindAt(pf, open) != rustsrc.LBrace {
			out = patternAt(pf, p, j, withStep(e, part(n, "")), pos, scope, out, depth+1)
			return
		}
		// field: p, or a shorthand (ref mut) field
		q := p
		for kindAt(pf, q) == rustsrc.KwRef || kindAt(pf, q) == rustsrc.KwMut {
			q++
		}
		if kindAt(pf, q) == rustsrc.Ident {
			name := intern(pf.Text(pf.Tokens[q]))
			if kindAt(pf, q+1) == rustsrc.Colon {
				p = q + 2
			}
			out = patternAt(pf, p, j, withStep(e, part(n, name)), pos, scope, out, depth+1)
		}
	})
	return out
}

// eachPart calls visit with each comma-separated part [lo, hi) of the group opened at open (the
// n-th, counting from 0), with nested groups and <..> lists skipped.
func eachPart(pf *rustsrc.ParsedFile, open int, visit func(n, lo, hi int)) {
	end := closeOf(pf, open)
	if end < 0 {
		return
	}
	n := 0
	start := open + 1
	for j := open + 1; j <= end; j++ {
		k := kindAt(pf, j)
		if c := closeOf(pf, j); c > 0 && j < end && isOpenKind(k) {
			j = c
			continue
		}
		if k == rustsrc.Lt {
			j = skipAngles(pf, j, end) - 1
			continue
		}
		if k != rustsrc.Comma && j != end {
			continue
		}
		visit(n, start, j)
		n++
		start = j + 1
	}
}

// scanTo returns the index of the first token from i on, outside nested groups, of one of the
// kinds stops; hi (or where the scan stopped) when there is none.
func scanTo(pf *rustsrc.ParsedFile, i, hi int, stops ...rustsrc.Kind) int {
	for n := 0; i < hi && n < maxScanTokens; n++ {
		k := kindAt(pf, i)
		if slices.Contains(stops, k) {
			return i
		}
		if c := closeOf(pf, i); c > 0 && isOpenKind(k) {
			i = c
		}
		i++
	}
	return i
}

// withStep returns a copy of e with one more postfix step.
func withStep(e *expr, s step) *expr {
	c := *e
	c.steps = append(append(make([]step, 0, len(e.steps)+1), e.steps...), s)
	return &c
}

// stmtEnd returns the index of the ; ending the statement that continues at i, or -1.
func stmtEnd(pf *rustsrc.ParsedFile, i, hi int) int {
	for n := 0; i < hi && n < maxScanTokens; n++ {
		k := kindAt(pf, i)
		if k == rustsrc.Semi {
			return i
		}
		if k == rustsrc.RBrace || k == rustsrc.RParen || k == rustsrc.RBracket {
			return -1
		}
		if c := closeOf(pf, i); c > 0 && isOpenKind(k) {
			i = c
		}
		i++
	}
	return -1
}

// itemTokens returns the token range [lo, hi) of an item.
func itemTokens(pf *rustsrc.ParsedFile, it *rustsrc.Item) (int, int) {
	toks := pf.Tokens
	lo := sort.Search(len(toks), func(i int) bool { return toks[i].Off >= it.Pos })
	hi := sort.Search(len(toks), func(i int) bool { return toks[i].Off >= it.End })
	return lo, hi
}

// structFields reads the named (or positional) fields of a struct item: name -> type text.
func structFields(pf *rustsrc.ParsedFile, it *rustsrc.Item, visit func(name, typ string)) {
	i, hi := afterGenerics(pf, it, func(k rustsrc.Kind, text string) bool {
		return k == rustsrc.KwStruct || k == rustsrc.Ident && text == "union"
	})
	for i < hi && kindAt(pf, i) != rustsrc.LBrace && kindAt(pf, i) != rustsrc.LParen && kindAt(pf, i) != rustsrc.Semi {
		i++
	}
	if end := closeOf(pf, i); end > 0 && end <= hi {
		groupFields(pf, i, visit)
	}
}

// afterGenerics returns the index just after `keyword Name<..>` in item it (keyword is the first
// token isKw accepts) and the index the item ends at.
func afterGenerics(pf *rustsrc.ParsedFile, it *rustsrc.Item, isKw func(k rustsrc.Kind, text string) bool) (int, int) {
	lo, hi := itemTokens(pf, it)
	i := lo
	for i < hi && !isKw(kindAt(pf, i), pf.Text(pf.Tokens[i])) {
		i++
	}
	i += 2
	if kindAt(pf, i) == rustsrc.Lt {
		i = skipAngles(pf, i, hi)
	}
	return i, hi
}

// enumVariantFields reads the fields of an enum's tuple and struct variants: visit gets
// "Variant::0" or "Variant::name" with the field's type text.
func enumVariantFields(pf *rustsrc.ParsedFile, it *rustsrc.Item, visit func(name, typ string)) {
	i, hi := afterGenerics(pf, it, func(k rustsrc.Kind, _ string) bool { return k == rustsrc.KwEnum })
	for i < hi && kindAt(pf, i) != rustsrc.LBrace {
		i++
	}
	end := closeOf(pf, i)
	if end < 0 || end > hi {
		return
	}
	for j := i + 1; j < end; j++ {
		for kindAt(pf, j) == rustsrc.Pound {
			if c := closeOf(pf, j+1); c > 0 {
				j = c + 1
			} else {
				return
			}
		}
		if kindAt(pf, j) != rustsrc.Ident {
			return
		}
		variant := pf.Text(pf.Tokens[j])
		if k := kindAt(pf, j+1); k == rustsrc.LParen || k == rustsrc.LBrace {
			groupFields(pf, j+1, func(f, typ string) { visit(variant+"::"+f, typ) })
			j = closeOf(pf, j+1)
			if j < 0 {
				return
			}
		}
		for j < end && kindAt(pf, j) != rustsrc.Comma { // = discriminant
			if c := closeOf(pf, j); c > 0 && isOpenKind(kindAt(pf, j)) {
				j = c
			}
			j++
		}
	}
}

// groupFields reads the fields in the group opened at open: (T, U) positionally, { a: T } by name.
func groupFields(pf *rustsrc.ParsedFile, open int, visit func(name, typ string)) {
	tuple := kindAt(pf, open) == rustsrc.LParen
	eachPart(pf, open, func(n, f, j int) {
		for kindAt(pf, f) == rustsrc.Pound { // attributes
			if c := closeOf(pf, f+1); c > 0 {
				f = c + 1
			} else {
				break
			}
		}
		if kindAt(pf, f) == rustsrc.KwPub {
			f++
			if kindAt(pf, f) == rustsrc.LParen {
				f = closeOf(pf, f) + 1
			}
		}
		if f > 0 && f < j {
			if tuple {
				visit(itoa(n), tokText(pf, f, j))
			} else if kindAt(pf, f) == rustsrc.Ident && kindAt(pf, f+1) == rustsrc.Colon {
				visit(intern(pf.Text(pf.Tokens[f])), tokText(pf, f+2, j))
			}
		}
	})
}

// aliasType reads `type Name = T;` (an alias or an associated type in an impl): the text of T.
func aliasType(pf *rustsrc.ParsedFile, it *rustsrc.Item) string {
	lo, hi := itemTokens(pf, it)
	for i := lo; i < hi; i++ {
		switch kindAt(pf, i) {
		case rustsrc.Lt:
			i = skipAngles(pf, i, hi) - 1
		case rustsrc.Eq:
			end := i + 1
			for end < hi && kindAt(pf, end) != rustsrc.Semi && kindAt(pf, end) != rustsrc.KwWhere {
				end++
			}
			return tokText(pf, i+1, end)
		}
	}
	return ""
}

// valueType reads static X: T = ..; or const X: T = ..;: the text of T.
func valueType(pf *rustsrc.ParsedFile, it *rustsrc.Item) string {
	lo, hi := itemTokens(pf, it)
	i := lo
	for i < hi && kindAt(pf, i) != rustsrc.Colon {
		i++
	}
	end := i + 1
	for end < hi && kindAt(pf, end) != rustsrc.Eq && kindAt(pf, end) != rustsrc.Semi {
		if kindAt(pf, end) == rustsrc.Lt {
			end = skipAngles(pf, end, hi)
			continue
		}
		end++
	}
	if i >= hi || end >= hi {
		return ""
	}
	return tokText(pf, i+1, end)
}

// supertraits reads trait Name: A + B<..> { .. }: the texts of A and B.
func supertraits(pf *rustsrc.ParsedFile, it *rustsrc.Item) []string {
	i, hi := afterGenerics(pf, it, func(k rustsrc.Kind, _ string) bool { return k == rustsrc.KwTrait })
	if kindAt(pf, i) != rustsrc.Colon {
		return nil
	}
	var out []string
	start := i + 1
	for j := i + 1; j < hi; j++ {
		k := kindAt(pf, j)
		if k == rustsrc.Lt {
			j = skipAngles(pf, j, hi) - 1
			continue
		}
		if k == rustsrc.Plus || k == rustsrc.LBrace || k == rustsrc.KwWhere || k == rustsrc.Semi {
			if t := tokText(pf, start, j); t != "" && kindAt(pf, start) != rustsrc.Lifetime && kindAt(pf, start) != rustsrc.Question {
				out = append(out, t)
			}
			start = j + 1
			if k != rustsrc.Plus {
				break
			}
		}
	}
	return out
}

// signature reads a fn item's parameters (names with their type text, a generic parameter
// replaced by its bounds, the fn's own or outer's: those of its impl or trait), its count of
// non-self parameters and its return type text.
func signature(pf *rustsrc.ParsedFile, it *rustsrc.Item, selfType, trait string, outer map[string]string) (params []param, nparams int8, ret string) {
	nparams = -1
	lo, hi := itemTokens(pf, it)
	if it.BodyStart > 0 {
		hi = min(hi, int(it.BodyStart)-1)
	}
	i := lo
	for i < hi && kindAt(pf, i) != rustsrc.KwFn {
		i++
	}
	i += 2 // fn name
	bounds := map[string]string{}
	if kindAt(pf, i) == rustsrc.Lt {
		end := skipAngles(pf, i, hi)
		readBounds(pf, i+1, end-1, bounds)
		i = end
	}
	if i >= hi || kindAt(pf, i) != rustsrc.LParen {
		return nil, -1, ""
	}
	end := closeOf(pf, i)
	if end < 0 || end > hi {
		return nil, -1, ""
	}
	// The return type runs to the where clause or the body.
	r := end + 1
	if kindAt(pf, r) == rustsrc.RArrow {
		k := r + 1
		for k < hi && kindAt(pf, k) != rustsrc.KwWhere && kindAt(pf, k) != rustsrc.LBrace && kindAt(pf, k) != rustsrc.Semi {
			if kindAt(pf, k) == rustsrc.Lt {
				k = skipAngles(pf, k, hi)
				continue
			}
			if c := closeOf(pf, k); c > 0 && isOpenKind(kindAt(pf, k)) {
				k = c
			}
			k++
		}
		ret = tokText(pf, r+1, k)
		r = k
	}
	if kindAt(pf, r) == rustsrc.KwWhere {
		readBounds(pf, r+1, hi, bounds)
	}
	for name, b := range outer {
		if _, own := bounds[name]; !own {
			bounds[name] = b
		}
	}
	selfTyp := selfType
	if selfTyp == "" {
		selfTyp = trait
	}
	nparams = 0
	start := i + 1
	for j := i + 1; j <= end; j++ {
		k := kindAt(pf, j)
		if j < end && isOpenKind(k) {
			if c := closeOf(pf, j); c > 0 {
				j = c
			}
			continue
		}
		if k == rustsrc.Lt {
			j = skipAngles(pf, j, end) - 1
			continue
		}
		if (k == rustsrc.Comma || j == end) && start < j {
			var isSelf bool
			params, isSelf = appendParam(pf, start, j, selfTyp, bounds, params)
			if !isSelf {
				nparams++
			}
			start = j + 1
		}
	}
	if b, ok := bounds[ret]; ok {
		ret = b
	}
	return params, nparams, ret
}

// headerBounds reads the bounds of an impl's, trait's, struct's or enum's generic parameters and
// where clause.
func headerBounds(pf *rustsrc.ParsedFile, it *rustsrc.Item) map[string]string {
	lo, hi := itemTokens(pf, it)
	i := lo
	for i < hi && kindAt(pf, i) != rustsrc.KwImpl && kindAt(pf, i) != rustsrc.KwTrait && kindAt(pf, i) != rustsrc.KwStruct &&
		kindAt(pf, i) != rustsrc.KwEnum {
		i++
	}
	if kindAt(pf, i) == rustsrc.KwImpl {
		i++
	} else {
		i += 2
	}
	bounds := map[string]string{}
	if kindAt(pf, i) == rustsrc.Lt {
		end := skipAngles(pf, i, hi)
		readBounds(pf, i+1, end-1, bounds)
		i = end
	}
	body := scanTo(pf, i, hi, rustsrc.LBrace)
	if w := scanTo(pf, i, body, rustsrc.KwWhere); w < body {
		readBounds(pf, w+1, body, bounds)
	}
	return bounds
}

// readBounds reads `T: Bound` pairs at depth 0 of tokens [lo, hi) (generics or a where clause).
func readBounds(pf *rustsrc.ParsedFile, lo, hi int, bounds map[string]string) {
	for j := lo; j < hi; j++ {
		k := kindAt(pf, j)
		if k == rustsrc.Lt {
			j = skipAngles(pf, j, hi) - 1
			continue
		}
		if k == rustsrc.LBrace {
			return
		}
		if k == rustsrc.Colon && kindAt(pf, j-1) == rustsrc.Ident && (j-1 == lo || kindAt(pf, j-2) == rustsrc.Comma) {
			// T: ?Sized + 'a + A + B<..>: the trait bounds, kept as `impl A + B<..>` so that
			// the linker knows the value's type is some implementor of them.
			var traits []string
			e := j + 1
			for start := e; e <= hi; e++ {
				k := kindAt(pf, e)
				if k == rustsrc.Lt && e < hi {
					e = skipAngles(pf, e, hi) - 1
					continue
				}
				if c := closeOf(pf, e); c > 0 && c < hi && (k == rustsrc.LParen || k == rustsrc.LBracket) { // Fn(A), [T; 4]
					e = c
					continue
				}
				if e < hi && k != rustsrc.Comma && k != rustsrc.Plus && k != rustsrc.LBrace {
					continue
				}
				if t := tokText(pf, start, e); t != "" && kindAt(pf, start) != rustsrc.Lifetime && kindAt(pf, start) != rustsrc.Question {
					traits = append(traits, closeAngles(t))
				}
				start = e + 1
				if k != rustsrc.Plus {
					break
				}
			}
			if name := pf.Text(pf.Tokens[j-1]); len(traits) > 0 {
				if _, seen := bounds[name]; !seen {
					bounds[intern(name)] = "impl " + strings.Join(traits, " + ")
				}
			}
			j = e - 1
		}
	}
}

// appendParam adds the parameter in tokens [lo, hi) and reports whether it is self.
func appendParam(pf *rustsrc.ParsedFile, lo, hi int, selfTyp string, bounds map[string]string, out []param) ([]param, bool) {
	i := lo
	for kindAt(pf, i) == rustsrc.Pound {
		if c := closeOf(pf, i+1); c > 0 {
			i = c + 1
		} else {
			break
		}
	}
	j := i
	for j < hi && (kindAt(pf, j) == rustsrc.And || kindAt(pf, j) == rustsrc.AndAnd || kindAt(pf, j) == rustsrc.KwMut || kindAt(pf, j) == rustsrc.Lifetime) {
		j++
	}
	if kindAt(pf, j) == rustsrc.KwSelfValue {
		if selfTyp != "" {
			out = append(out, param{"self", selfTyp})
		}
		return out, true
	}
	if kindAt(pf, i) == rustsrc.KwMut {
		i++
	}
	if kindAt(pf, i) != rustsrc.Ident || i+1 >= hi || kindAt(pf, i+1) != rustsrc.Colon {
		return out, false
	}
	t := tokText(pf, i+2, hi)
	if b, ok := bounds[bareType(t)]; ok {
		t = b
	}
	if t == "" {
		return out, false
	}
	return append(out, param{intern(pf.Text(pf.Tokens[i])), t}), false
}

// bareType strips references, mut, dyn and impl from a type text.
func bareType(t string) string {
	b, _ := boundType(t)
	return b
}

// boundType is bareType, also reporting whether the type was `impl Trait` or `dyn Trait` (a
// generic parameter's bounds are written so too): some type implementing those traits.
func boundType(t string) (string, bool) {
	bound := false
	for {
		s := strings.TrimSpace(t)
		switch {
		case strings.HasPrefix(s, "&"):
			s = s[1:]
		case strings.HasPrefix(s, "'"):
			if i := strings.IndexAny(s, " \t\n"); i > 0 {
				s = s[i:]
			} else {
				return "", false
			}
		case strings.HasPrefix(s, "mut "):
			s = s[4:]
		case strings.HasPrefix(s, "dyn "):
			s, bound = s[4:], true
		case strings.HasPrefix(s, "impl "):
			s, bound = s[5:], true
		case strings.HasPrefix(s, "*const "), strings.HasPrefix(s, "*mut "):
			s = s[strings.IndexByte(s, ' ')+1:]
		default:
			return s, bound
		}
		t = s
	}
}

// opTraits maps binary operator tokens to the trait and method rustc calls for them when the
// left operand is not a primitive.
var opTraits = map[rustsrc.Kind][2]string{
	rustsrc.Plus: {"Add", "add"}, rustsrc.Minus: {"Sub", "sub"}, rustsrc.Star: {"Mul", "mul"},
	rustsrc.Slash: {"Div", "div"}, rustsrc.Percent: {"Rem", "rem"}, rustsrc.Caret: {"BitXor", "bitxor"},
	rustsrc.PlusEq: {"AddAssign", "add_assign"}, rustsrc.MinusEq: {"SubAssign", "sub_assign"},
	rustsrc.StarEq: {"MulAssign", "mul_assign"}, rustsrc.SlashEq: {"DivAssign", "div_assign"},
	rustsrc.PercentEq: {"RemAssign", "rem_assign"}, rustsrc.EqEq: {"PartialEq", "eq"},
}

// implicitCall is a call with no call syntax: an operator's trait method, or the IntoIterator
// and Iterator methods a for loop calls.
type implicitCall struct {
	trait, name string
	recv        *expr
	rhs         *expr // an operator's right operand, when it is a postfix chain
	pos         int32
	refs        int8 // a deref's operand: the * between it and the operand (**x: 1 for the first)
}

// rightOperand parses the right operand of the binary operator at token op when it is a postfix
// chain that no tighter operator follows (in a + b * c the operand is b * c, not b).
func rightOperand(pf *rustsrc.ParsedFile, op, hi int) *expr {
	start := op + 1
	for kindAt(pf, start) == rustsrc.And || kindAt(pf, start) == rustsrc.Star {
		start++
	}
	end := chainEnd(pf, start, hi)
	if end <= start || opPrec(kindAt(pf, end)) > opPrec(kindAt(pf, op)) || kindAt(pf, end) == rustsrc.KwAs {
		return nil
	}
	return parseExpr(pf, op+1, end)
}

// opPrec is a binary operator's precedence (higher binds tighter), 0 for other tokens.
func opPrec(k rustsrc.Kind) int {
	switch k {
	case rustsrc.Star, rustsrc.Slash, rustsrc.Percent:
		return 5
	case rustsrc.Plus, rustsrc.Minus:
		return 4
	case rustsrc.Shl, rustsrc.Shr:
		return 3
	case rustsrc.And, rustsrc.Caret, rustsrc.Or:
		return 2
	case rustsrc.EqEq, rustsrc.Ne, rustsrc.Lt, rustsrc.Gt, rustsrc.Le, rustsrc.Ge:
		return 1
	}
	return 0
}

// implicitCalls finds the operator and for-loop calls in tokens [lo, hi) of a fn body, skipping
// the token ranges of nested items (skip, sorted).
func implicitCalls(pf *rustsrc.ParsedFile, lo, hi int, skip [][2]int, out []implicitCall) []implicitCall {
	// A ? inside a closure or async block returns from that, whose error type is unknown.
	nested := -1
	for i := lo; i < hi; i++ {
		for len(skip) > 0 && i >= skip[0][1] {
			skip = skip[1:]
		}
		if len(skip) > 0 && i >= skip[0][0] {
			i = skip[0][1] - 1
			continue
		}
		k := kindAt(pf, i)
		if i > nested {
			if e := closureEnd(pf, i, hi); e > i {
				nested = e
			}
		}
		if k == rustsrc.Question && i > nested && operandEnd(kindAt(pf, i-1)) && kindAt(pf, i-1) != rustsrc.Gt {
			if s := receiverStart(pf, i-1); s >= lo {
				if e := parseExpr(pf, s, i); e != nil {
					out = append(out, implicitCall{trait: "From", name: "from", recv: e, pos: pf.Tokens[i].Off})
				}
			}
			continue
		}
		if k == rustsrc.Star && !operandEnd(kindAt(pf, i-1)) && kindAt(pf, i-1) != rustsrc.Int && kindAt(pf, i-1) != rustsrc.Float {
			// *x: a Deref impl of x's type runs if x is not a reference (checked at link time).
			refs := 0
			for kindAt(pf, i+1+refs) == rustsrc.Star && refs < 8 {
				refs++
			}
			end := chainEnd(pf, i+1+refs, hi)
			if e := parseExpr(pf, i+1+refs, end); e != nil && end > i+1+refs && fieldChain(e) {
				trait, name := "Deref", "deref"
				if mutPlace(pf, i, end) {
					trait, name = "DerefMut", "deref_mut"
				}
				out = append(out, implicitCall{trait: trait, name: name, recv: e, pos: pf.Tokens[i].Off, refs: int8(refs)})
			}
			continue
		}
		if op, ok := opTraits[k]; ok {
			prev := kindAt(pf, i-1)
			if prev == rustsrc.Float && !isTighter(kindAt(pf, i-2), k) && kindAt(pf, i-2) != rustsrc.Dot {
				// 2.0 * v: a float's operator impl for v's type, if a crate has one.
				lit := "f64"
				if strings.HasSuffix(pf.Text(pf.Tokens[i-1]), "f32") {
					lit = "f32"
				}
				if rhs := rightOperand(pf, i, hi); rhs != nil {
					out = append(out, implicitCall{trait: op[0], name: op[1], recv: &expr{lit: lit, pos: pf.Tokens[i-1].Off},
						rhs: rhs, pos: pf.Tokens[i].Off})
				}
				continue
			}
			if prev != rustsrc.Ident && prev != rustsrc.RParen && prev != rustsrc.RBracket && prev != rustsrc.KwSelfValue && prev != rustsrc.Question {
				continue // unary, or a type's + (dyn A + Send)
			}
			s := receiverStart(pf, i-1)
			if s < lo || isTighter(kindAt(pf, s-1), k) {
				continue
			}
			if e := parseExpr(pf, s, i); e != nil {
				out = append(out, implicitCall{trait: op[0], name: op[1], recv: e, rhs: rightOperand(pf, i, hi), pos: pf.Tokens[i].Off})
			}
			continue
		}
		if k == rustsrc.KwFor && kindAt(pf, i+1) != rustsrc.Lt {
			in := -1
			for j := i + 1; j < hi && j < i+64; j++ {
				if kindAt(pf, j) == rustsrc.KwIn {
					in = j
					break
				}
				if c := closeOf(pf, j); c > 0 && isOpenKind(kindAt(pf, j)) {
					if kindAt(pf, j) == rustsrc.LBrace {
						break
					}
					j = c
				}
			}
			if in < 0 {
				continue
			}
			end := in + 1
			for end < hi && kindAt(pf, end) != rustsrc.LBrace {
				if c := closeOf(pf, end); c > 0 && isOpenKind(kindAt(pf, end)) {
					end = c
				}
				end++
			}
			if e := parseExpr(pf, in+1, end); e != nil {
				pos := pf.Tokens[i].Off
				out = append(out, implicitCall{trait: "IntoIterator", name: "into_iter", recv: e, pos: pos},
					implicitCall{trait: "Iterator", name: "next", recv: e, pos: pos})
			}
		}
	}
	return out
}

// fieldChain reports whether e is a local or a field of one, the only operands of * whose
// declared type the linker can read.
func fieldChain(e *expr) bool {
	if e.local == "" {
		return false
	}
	for _, s := range e.steps {
		if s.kind != stepField {
			return false
		}
	}
	return true
}

// chainEnd returns the end of the postfix chain (path, fields, calls, indexing, ?) starting at
// token i: what a unary operator there applies to.
func chainEnd(pf *rustsrc.ParsedFile, i, hi int) int {
	j := i
	for j < hi && j < i+maxScanTokens {
		switch kindAt(pf, j) {
		case rustsrc.Ident, rustsrc.KwSelfValue, rustsrc.KwSelfType, rustsrc.KwCrate, rustsrc.KwSuper, rustsrc.Int,
			rustsrc.KwAwait, rustsrc.Dot, rustsrc.PathSep, rustsrc.Question:
			j++
		case rustsrc.LParen, rustsrc.LBracket:
			c := closeOf(pf, j)
			if c < j {
				return j
			}
			j = c + 1
		case rustsrc.Lt:
			if kindAt(pf, j-1) != rustsrc.PathSep {
				return j
			}
			j = skipAngles(pf, j, hi)
		default:
			return j
		}
	}
	return j
}

// mutPlace reports whether the dereference at token star, of the chain ending before token end,
// is a place written to or borrowed mutably: DerefMut::deref_mut runs instead of deref.
func mutPlace(pf *rustsrc.ParsedFile, star, end int) bool {
	switch kindAt(pf, end) {
	case rustsrc.Eq, rustsrc.PlusEq, rustsrc.MinusEq, rustsrc.StarEq, rustsrc.SlashEq, rustsrc.PercentEq,
		rustsrc.CaretEq, rustsrc.AndEq, rustsrc.OrEq, rustsrc.ShlEq, rustsrc.ShrEq:
		return true
	}
	return kindAt(pf, star-1) == rustsrc.KwMut && kindAt(pf, star-2) == rustsrc.And
}

// closureEnd returns the last token of the closure or async block starting at token i, or -1 if
// none starts there.
func closureEnd(pf *rustsrc.ParsedFile, i, hi int) int {
	k := kindAt(pf, i)
	if k == rustsrc.KwAsync {
		j := i + 1
		if kindAt(pf, j) == rustsrc.KwMove {
			j++
		}
		if kindAt(pf, j) == rustsrc.LBrace {
			return closeOf(pf, j)
		}
		return -1
	}
	if k != rustsrc.Or && k != rustsrc.OrOr {
		return -1
	}
	switch kindAt(pf, i-1) {
	case rustsrc.LParen, rustsrc.Comma, rustsrc.Eq, rustsrc.KwMove, rustsrc.LBrace, rustsrc.Semi, rustsrc.FatArrow, rustsrc.KwReturn, rustsrc.Colon:
	default:
		return -1 // a binary or
	}
	j := i + 1
	if k == rustsrc.Or {
		for j < hi && j < i+maxScanTokens && kindAt(pf, j) != rustsrc.Or {
			if c := closeOf(pf, j); c > j && isOpenKind(kindAt(pf, j)) {
				j = c
			}
			j++
		}
		j++
	}
	if kindAt(pf, j) == rustsrc.RArrow {
		for j < hi && j < i+maxScanTokens && kindAt(pf, j) != rustsrc.LBrace {
			j++
		}
	}
	if kindAt(pf, j) == rustsrc.LBrace {
		return closeOf(pf, j)
	}
	// An expression body runs to the end of the enclosing group or statement.
	for ; j < hi && j < i+4*maxScanTokens; j++ {
		switch kindAt(pf, j) {
		case rustsrc.Comma, rustsrc.Semi, rustsrc.RParen, rustsrc.RBracket, rustsrc.RBrace:
			return j
		}
		if c := closeOf(pf, j); c > j && isOpenKind(kindAt(pf, j)) {
			j = c
		}
	}
	return j
}

// isTighter reports whether the binary operator before an operand binds tighter than op, which
// makes the operand part of a larger left-hand side than the one read.
func isTighter(before, op rustsrc.Kind) bool {
	switch before {
	case rustsrc.Star, rustsrc.Slash, rustsrc.Percent, rustsrc.KwAs:
		return true
	case rustsrc.Plus, rustsrc.Minus:
		return op != rustsrc.Star && op != rustsrc.Slash && op != rustsrc.Percent
	}
	return false
}

// binaryExpr reads tokens [lo, hi) as `chain op rest` with an arithmetic operator: its type is
// the Output of the operator's impl for the chain's type.
func binaryExpr(pf *rustsrc.ParsedFile, lo, hi int) *expr {
	for j := lo + 1; j < hi && j < lo+maxScanTokens; j++ {
		k := kindAt(pf, j)
		if c := closeOf(pf, j); c > 0 && isOpenKind(k) {
			j = c
			continue
		}
		switch k {
		case rustsrc.Plus, rustsrc.Minus, rustsrc.Star, rustsrc.Slash, rustsrc.Percent:
			e := parseExpr(pf, lo, j)
			if e == nil || len(e.steps) >= maxSteps {
				return nil
			}
			// The right operand, as far as it reads: a postfix chain, else (a + b * c, read
			// as a + (b * c)) another binary expression; nested ones are bounded by maxSteps
			// through the recursion's shrinking range.
			rhs := parseExpr(pf, j+1, hi)
			if rhs == nil {
				rhs = binaryExpr(pf, j+1, hi)
			}
			e.steps = append(e.steps, step{kind: stepOp, name: opTraits[k][0], rhs: rhs})
			return e
		case rustsrc.Dot, rustsrc.PathSep, rustsrc.Ident, rustsrc.KwSelfValue, rustsrc.KwSelfType, rustsrc.Question, rustsrc.Int, rustsrc.And, rustsrc.Lt, rustsrc.Gt:
		default:
			return nil
		}
	}
	return nil
}
