package macroexpand

import (
	"fmt"
	"strings"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// binding is what a metavariable matched: tokens at its own repetition depth, one binding per
// iteration at the levels above.
type binding struct {
	toks []Token
	seq  []binding
}

// bind turns the log of a successful match into one binding tree per metavariable. A
// repetition's count is recorded for every metavariable inside it, so one that matched zero
// times still has its (empty) sequence. The log is read backwards: a repetition's count comes
// after its iterations, so this way each sequence is made at its size before it is filled.
func (v *vm) bind(r *rule) ([]binding, error) {
	roots := make([]binding, len(r.metas))
	var path []int32
	for i := len(v.log) - 1; i >= 0; i-- {
		rc := v.log[i]
		path = path[:0]
		for c := rc.ctr; c >= 0; c = v.ctrs[c].parent {
			path = append(path, v.ctrs[c].idx)
		}
		if !rc.rep {
			descend(&roots[rc.id], path).toks = v.in[rc.lo:rc.hi]
			continue
		}
		// A hostile rule can hold many metavariables inside a repetition that runs often.
		s := r.reps[rc.id]
		if v.steps += s.hi - s.lo; v.steps > v.maxSteps {
			return nil, errSteps
		}
		for m := s.lo; m < s.hi; m++ {
			if b := descend(&roots[m], path); b.seq == nil {
				b.seq = make([]binding, rc.hi)
			}
		}
	}
	return roots, nil
}

// descend follows the iteration indexes of path, innermost first, from b, creating the
// iterations on the way. The pointer it returns is only good until the next descend.
func descend(b *binding, path []int32) *binding {
	for i := len(path) - 1; i >= 0; i-- {
		for int32(len(b.seq)) <= path[i] {
			b.seq = append(b.seq, binding{})
		}
		b = &b.seq[path[i]]
	}
	return b
}

// transcriber writes one rule's transcription, or only counts its tokens while out is nil.
type transcriber struct {
	r     *rule
	b     []binding
	idx   []int // the iteration of each enclosing transcriber repetition
	out   []Token
	n     int // tokens written or counted
	steps int
	lim   Limits
}

// transcribe runs the transcriber twice: outputs are often large, and growing the output slice
// (pointers to copy and scan) was most of the cost, so the first pass counts.
func (r *rule) transcribe(b []binding, steps int, lim Limits) ([]Token, error) {
	t := transcriber{r: r, b: b, steps: steps, lim: lim}
	if err := t.seq(r.trans); err != nil {
		return nil, err
	}
	t.out, t.n, t.steps = make([]Token, 0, t.n), 0, steps
	if err := t.seq(r.trans); err != nil {
		return nil, err
	}
	return finish(t.out), nil
}

func (t *transcriber) seq(nodes []node) error {
	for i := range nodes {
		n := &nodes[i]
		err := t.step(1)
		if err != nil {
			return err
		}
		switch n.kind {
		case nTok:
			err = t.emit(n.tok)
		case nGroup:
			if err = t.emit(n.tok); err == nil {
				if err = t.seq(n.sub); err == nil {
					err = t.emit(n.close)
				}
			}
		case nVar:
			err = t.variable(n.meta)
		case nRep:
			err = t.repetition(n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *transcriber) step(n int) error {
	if t.steps += n; t.steps > t.lim.MaxSteps {
		return fmt.Errorf("%w: transcription steps", ErrLimit)
	}
	return nil
}

func (t *transcriber) emit(toks ...Token) error {
	if t.n += len(toks); t.n > t.lim.MaxOutput {
		return fmt.Errorf("%w: more than %d output tokens", ErrLimit, t.lim.MaxOutput)
	}
	if t.out != nil {
		t.out = append(t.out, toks...)
	}
	return nil
}

// lookup finds metavariable m's binding for the current iterations and reports whether it is
// still a sequence there. The outer iterations select: like rustc, a metavariable may be used
// inside more repetitions than it was matched in (rustc only allows depth 0 ones there).
func (t *transcriber) lookup(m int) (*binding, bool, error) {
	b, depth := &t.b[m], t.r.metas[m].depth
	for lvl := 0; lvl < depth; lvl++ {
		if lvl == len(t.idx) {
			return b, true, nil
		}
		if t.idx[lvl] >= len(b.seq) {
			return nil, false, fmt.Errorf("%w: $%s has no iteration %d", ErrInvalid, t.r.metas[m].name, t.idx[lvl])
		}
		b = &b.seq[t.idx[lvl]]
	}
	return b, false, nil
}

func (t *transcriber) variable(m int) error {
	b, repeating, err := t.lookup(m)
	if err != nil {
		return err
	}
	if repeating {
		return fmt.Errorf("%w: $%s is still repeating at this depth", ErrInvalid, t.r.metas[m].name)
	}
	if t.r.metas[m].frag == fExpr && needsParens(b.toks) {
		if err := t.emit(Token{Kind: rustsrc.LParen, Text: "("}); err != nil {
			return err
		}
		if err := t.emit(b.toks...); err != nil {
			return err
		}
		return t.emit(Token{Kind: rustsrc.RParen, Text: ")"})
	}
	return t.emit(b.toks...)
}

// repetition repeats n once per iteration of the metavariables used inside it that still repeat
// at this depth; they must agree.
func (t *transcriber) repetition(n *node) error {
	if err := t.step(len(n.vars)); err != nil {
		return err
	}
	count, by := -1, 0
	for _, m := range n.vars {
		b, repeating, err := t.lookup(m)
		if err != nil {
			return err
		}
		if !repeating {
			continue
		}
		if count >= 0 && len(b.seq) != count {
			return fmt.Errorf("%w: $%s repeats %d times but $%s %d times", ErrInvalid,
				t.r.metas[by].name, count, t.r.metas[m].name, len(b.seq))
		}
		count, by = len(b.seq), m
	}
	if count < 0 {
		return fmt.Errorf("%w: a transcriber repetition uses no metavariable repeating at depth %d", ErrInvalid, len(t.idx)+1)
	}
	for i := 0; i < count; i++ {
		if i > 0 && n.sep != nil {
			if err := t.emit(*n.sep); err != nil {
				return err
			}
		}
		t.idx = append(t.idx, i)
		err := t.seq(n.sub)
		t.idx = t.idx[:len(t.idx)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// needsParens reports whether an expr fragment must be parenthesised to stay one operand: it is
// more than one token tree and holds an operator or `as` at depth 0. This is broader than binary
// operators alone: `$e.f()` with `$e = *x` must become `(*x).f()` too.
func needsParens(toks []Token) bool {
	depth, trees, op := 0, 0, false
	for _, t := range toks {
		switch {
		case isOpen(t.Kind):
			if depth == 0 {
				trees++
			}
			depth++
		case isClose(t.Kind):
			depth--
		case depth == 0:
			trees++
			op = op || isOperator(t.Kind)
		}
	}
	return trees > 1 && op
}

func isOperator(k rustsrc.Kind) bool {
	return k >= rustsrc.Plus && k <= rustsrc.Le || k == rustsrc.DotDot || k == rustsrc.DotDotEq || k == rustsrc.KwAs
}

// Render joins tokens into source text that rustsrc tokenises back to the same tokens. Spaces go
// between tokens except where leaving them out cannot change the lexing and reads better: inside
// brackets, before `,` `;` `?` and a type's `:`, in `{}`, calls and macro bangs, around `.` and `::`
// in paths and method chains. Two things cannot round-trip: $crate (one token here, `$` and `crate` in source) and a
// float right after `.` (rustsrc reads x.1.5 as a tuple index chain).
func Render(toks []Token) string {
	s, _ := RenderMarked(toks)
	return s
}

// RenderMarked is Render, also returning the byte ranges [start, end) of the runs of tokens
// marked Caller.
func RenderMarked(toks []Token) (string, [][2]int) {
	var b strings.Builder
	var marked [][2]int
	for i, t := range toks {
		if i > 0 && spaced(toks[i-1].Kind, t.Kind) {
			b.WriteByte(' ')
		}
		if t.Caller {
			if n := len(marked); n > 0 && marked[n-1][1] >= b.Len()-1 && i > 0 && toks[i-1].Caller {
				marked[n-1][1] = b.Len() + len(t.Text)
			} else {
				marked = append(marked, [2]int{b.Len(), b.Len() + len(t.Text)})
			}
		}
		b.WriteString(t.Text)
	}
	return b.String(), marked
}

func spaced(prev, next rustsrc.Kind) bool {
	word := func(k rustsrc.Kind) bool { return k == rustsrc.Ident || k.IsKeyword() }
	switch {
	case prev == rustsrc.LParen || prev == rustsrc.LBracket:
		return false
	case next == rustsrc.RParen || next == rustsrc.RBracket || next == rustsrc.Comma || next == rustsrc.Semi ||
		next == rustsrc.Question || next == rustsrc.RBrace && prev == rustsrc.LBrace:
		return false
	case next == rustsrc.Colon:
		return !(word(prev) || prev == rustsrc.RParen || prev == rustsrc.RBracket || prev == rustsrc.Gt)
	case next == rustsrc.LParen || next == rustsrc.LBracket:
		return !(prev == rustsrc.Ident || prev == rustsrc.KwSelfValue || prev == rustsrc.KwSelfType ||
			prev == rustsrc.Not || prev == rustsrc.Pound || prev == rustsrc.RParen || prev == rustsrc.RBracket || prev == rustsrc.Gt)
	case next == rustsrc.Not:
		return prev != rustsrc.Ident
	case next == rustsrc.Dot:
		return !(word(prev) || prev == rustsrc.RParen || prev == rustsrc.RBracket || prev == rustsrc.Question)
	case prev == rustsrc.Dot:
		return !word(next) && next != rustsrc.Int
	case next == rustsrc.PathSep:
		return !(word(prev) || prev == rustsrc.Gt)
	case prev == rustsrc.PathSep:
		return !(word(next) || next == rustsrc.Lt || next == rustsrc.LBrace || next == rustsrc.Star)
	}
	return true
}
