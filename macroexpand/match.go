package macroexpand

import (
	"fmt"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// inst is one VM instruction of a compiled matcher.
type inst struct {
	op   opcode
	tok  Token        // opTok, opSep; opOpen: the delimiter
	meta int32        // opMeta
	frag frag         // opMeta
	stop kinds        // opMeta
	rop  rustsrc.Kind // opRepLoop: Star, Plus or Question
	rep  int32        // opRepExit
	jump int32        // opRepLoop: the exit; opRepNext: the loop
}

type opcode uint8

const (
	opTok     opcode = iota
	opOpen           // enter a delimited group
	opClose          // leave it, at its end
	opMeta           // bind a fragment
	opRepHead        // start a repetition: no iteration done
	opRepLoop        // choose another iteration (preferred) or the exit
	opSep            // the separator, before every iteration but the first
	opRepNext        // an iteration is done: count it, back to the loop
	opRepExit        // record the repetition's count
	opMatch          // the end of the input
)

// vm runs compiled matchers over one input. State that backtracking must restore lives in
// append-only arenas (iteration counters, open groups, the bindings log) that a choice point
// truncates back to their lengths when it was pushed: nothing recurses and nothing is copied.
type vm struct {
	in       []Token
	pairs    []int32
	steps    int
	maxSteps int
	ctrs     []ctr
	ends     []group
	log      []rec
	choices  []choice
}

// ctr is one iteration of a repetition: idx iterations were done before it, it began at input
// position start, and parent is the enclosing repetition's ctr (-1 at top level).
type ctr struct{ idx, start, parent int32 }

// group is an open delimited group of the input: its closing token and the enclosing group.
type group struct{ close, parent int32 }

// rec is a binding: metavariable id bound to in[lo:hi] in iteration ctr, or, with rep set,
// repetition id that ran hi times inside iteration ctr of its enclosing repetition.
type rec struct {
	rep             bool
	id, ctr, lo, hi int32
}

type choice struct{ pc, pos, ctr, end, nctrs, nends, nlog int32 }

var errSteps = fmt.Errorf("%w: matcher steps", ErrLimit)

// run reports whether prog matches the whole input, leaving the bindings in v.log.
func (v *vm) run(prog []inst) (bool, error) {
	v.ctrs, v.ends, v.log, v.choices = v.ctrs[:0], v.ends[:0], v.log[:0], v.choices[:0]
	pc, pos, cur, end := int32(0), int32(0), int32(-1), int32(-1)
	for {
		if v.steps++; v.steps > v.maxSteps {
			return false, errSteps
		}
		lim := int32(len(v.in))
		if end >= 0 {
			lim = v.ends[end].close
		}
		in := &prog[pc]
		ok := true
		switch in.op {
		case opTok:
			ok = pos < lim && v.in[pos].is(in.tok)
			pos++
			pc++
		case opOpen:
			if ok = pos < lim && v.in[pos].Kind == in.tok.Kind; ok {
				v.ends = append(v.ends, group{v.pairs[pos], end})
				end = int32(len(v.ends) - 1)
			}
			pos++
			pc++
		case opClose:
			if ok = end >= 0 && pos == lim; ok {
				end = v.ends[end].parent
			}
			pos++
			pc++
		case opMeta:
			e := v.fragEnd(in.frag, &in.stop, int(pos), int(lim))
			if ok = e >= 0; ok {
				v.log = append(v.log, rec{id: in.meta, ctr: cur, lo: pos, hi: int32(e)})
				pos = int32(e)
			}
			pc++
		case opRepHead:
			v.ctrs = append(v.ctrs, ctr{0, -1, cur})
			cur = int32(len(v.ctrs) - 1)
			pc++
		case opRepLoop:
			c := v.ctrs[cur]
			again := in.rop != rustsrc.Question || c.idx == 0
			exit := in.rop != rustsrc.Plus || c.idx > 0
			switch {
			case again:
				if exit {
					v.choices = append(v.choices, choice{in.jump, pos, cur, end, int32(len(v.ctrs)), int32(len(v.ends)), int32(len(v.log))})
				}
				v.ctrs = append(v.ctrs, ctr{c.idx, pos, c.parent})
				cur = int32(len(v.ctrs) - 1)
				pc++
			case exit:
				pc = in.jump
			default:
				ok = false
			}
		case opSep:
			if v.ctrs[cur].idx > 0 {
				ok = pos < lim && v.in[pos].is(in.tok)
				pos++
			}
			pc++
		case opRepNext:
			// An iteration that consumed nothing would loop for ever.
			c := v.ctrs[cur]
			if ok = pos > c.start; ok {
				v.ctrs = append(v.ctrs, ctr{c.idx + 1, -1, c.parent})
				cur = int32(len(v.ctrs) - 1)
			}
			pc = in.jump
		case opRepExit:
			c := v.ctrs[cur]
			v.log = append(v.log, rec{rep: true, id: in.rep, ctr: c.parent, hi: c.idx})
			cur = c.parent
			pc++
		case opMatch:
			if pos == int32(len(v.in)) && end < 0 {
				return true, nil
			}
			ok = false
		}
		if !ok {
			if len(v.choices) == 0 {
				return false, nil
			}
			c := v.choices[len(v.choices)-1]
			v.choices = v.choices[:len(v.choices)-1]
			pc, pos, cur, end = c.pc, c.pos, c.ctr, c.end
			v.ctrs, v.ends, v.log = v.ctrs[:c.nctrs], v.ends[:c.nends], v.log[:c.nlog]
		}
	}
}

// next is the index after the token tree at i.
func (v *vm) next(i int) int {
	if isOpen(v.in[i].Kind) {
		return int(v.pairs[i]) + 1
	}
	return i + 1
}

// fragEnd returns where fragment f starting at in[pos] ends, within [pos, end), or -1 when none
// starts there. stop lists the kinds that end an expr, ty, ... fragment at depth 0.
func (v *vm) fragEnd(f frag, stop *kinds, pos, end int) int {
	if pos >= end {
		if f == fVis {
			return pos
		}
		return -1
	}
	in := v.in
	k := in[pos].Kind
	switch f {
	case fTT:
		if in[pos].joint { // a `>>` is one token tree
			return pos + 2
		}
		return v.next(pos)
	case fIdent:
		if k == rustsrc.Ident || k.IsKeyword() && k != rustsrc.KwUnderscore {
			return pos + 1
		}
	case fLifetime:
		if k == rustsrc.Lifetime {
			return pos + 1
		}
	case fLiteral:
		// rustc takes a minus before any literal, even -true (quote's tests use it).
		if k == rustsrc.Minus && pos+1 < end {
			pos++
			k = in[pos].Kind
		}
		if k.IsLiteral() || k == rustsrc.KwTrue || k == rustsrc.KwFalse {
			return pos + 1
		}
	case fBlock:
		if k == rustsrc.LBrace {
			return v.next(pos)
		}
	case fVis:
		switch k {
		case rustsrc.KwPub:
			// pub(crate), pub(self), pub(super), pub(in path); not the tuple field type of pub (T).
			if pos+2 < end && in[pos+1].Kind == rustsrc.LParen {
				switch in[pos+2].Kind {
				case rustsrc.KwCrate, rustsrc.KwSelfValue, rustsrc.KwSuper, rustsrc.KwIn:
					return v.next(pos + 1)
				}
			}
			return pos + 1
		case rustsrc.KwCrate:
			if pos+1 >= end || in[pos+1].Kind != rustsrc.PathSep {
				return pos + 1
			}
		}
		return pos
	case fItem:
		return v.item(pos, end)
	case fMissing:
	default:
		return v.until(f, stop, pos, end)
	}
	return -1
}

// until matches an expr, stmt, pat, path, ty or meta: token trees until a stop kind at depth 0.
// ty and path count angle brackets (`->` is its own token, so it never closes one); the others
// count them only from a turbofish `::<` or a qualified path `<T as Tr>::` at the start, since
// elsewhere `<` may be a comparison.
func (v *vm) until(f frag, stop *kinds, pos, end int) int {
	i, angle := pos, 0
	if f == fExpr || f == fStmt {
		i = v.closureHead(pos, end)
	}
	angles := f == fTy || f == fPath
	for i < end {
		k := v.in[i].Kind
		if i > pos && angle == 0 && stop.has(k) {
			break
		}
		if angles || angle > 0 || i == pos || v.in[i-1].Kind == rustsrc.PathSep {
			angle = angleDepth(angle, k)
		}
		i = v.next(i)
	}
	return i
}

// closureHead skips the parameter list of a closure at pos (`|a, b|`, `move |x|`), whose commas
// would otherwise end the expression; it returns pos when there is none.
func (v *vm) closureHead(pos, end int) int {
	i := pos
	for i < end && (v.in[i].Kind == rustsrc.KwMove || v.in[i].Kind == rustsrc.KwAsync || v.in[i].Kind == rustsrc.KwStatic) {
		i++
	}
	if i >= end || v.in[i].Kind != rustsrc.Or {
		return pos
	}
	for j := i + 1; j < end; j = v.next(j) {
		if v.in[j].Kind == rustsrc.Or {
			return j + 1
		}
	}
	return pos
}

// item matches an item: up to and including a top-level `;`, or a top-level `{}` group that is
// not a `use a::{..}` tree and not in the header's generics (`Foo<{N}>`) or after its `=`
// (`const X: S = S { .. };`). Angle brackets are counted only before the `=`: after it, `<` may
// be a comparison.
func (v *vm) item(pos, end int) int {
	angle, init := 0, false
	for i := pos; i < end; i = v.next(i) {
		switch k := v.in[i].Kind; {
		case k == rustsrc.Semi:
			return i + 1
		case init:
		case k == rustsrc.LBrace && angle == 0 && (i == pos || v.in[i-1].Kind != rustsrc.PathSep):
			return v.next(i)
		case k == rustsrc.Eq && angle == 0:
			init = true
		default:
			angle = angleDepth(angle, k)
		}
	}
	return -1
}

// angleDepth is the angle-bracket depth after a token of kind k.
func angleDepth(depth int, k rustsrc.Kind) int {
	switch k {
	case rustsrc.Lt:
		return depth + 1
	case rustsrc.Shl:
		return depth + 2
	case rustsrc.Gt: // Expand split every >> in two
		return max(depth-1, 0)
	}
	return depth
}
