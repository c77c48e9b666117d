package macroexpand

import (
	"fmt"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// node is one element of a matcher or transcriber tree.
type node struct {
	kind  nodeKind
	tok   Token  // nTok: the token; nGroup: the opening delimiter
	close Token  // nGroup: the closing delimiter
	sub   []node // nGroup, nRep
	meta  int    // nMeta, nVar: index in rule.metas
	frag  frag   // nMeta
	sep   *Token // nRep: the separator, if any
	op    rustsrc.Kind
	rep   int   // nRep in a matcher: index in rule.reps
	vars  []int // nRep in a transcriber: the metas used inside, whose counts drive it
}

type nodeKind uint8

const (
	nTok   nodeKind = iota
	nGroup          // a delimited group
	nMeta           // $name:frag in a matcher
	nVar            // $name in a transcriber
	nRep            // $( ... ) sep? op
)

// frag is a fragment specifier.
type frag uint8

const (
	fTT frag = iota
	fIdent
	fLifetime
	fLiteral
	fBlock
	fVis
	fItem
	fMeta
	fPath
	fTy
	fPat // pat and pat_param: see follows
	fExpr
	fStmt
	// fMissing matches nothing: rustc accepted a matcher's $x without a fragment specifier
	// before the 2024 edition (a lint) and failed only when matching reached it.
	fMissing
)

var frags = map[string]frag{
	"tt": fTT, "ident": fIdent, "lifetime": fLifetime, "literal": fLiteral, "block": fBlock,
	"vis": fVis, "item": fItem, "meta": fMeta, "path": fPath, "ty": fTy, "pat": fPat,
	"pat_param": fPat, "expr": fExpr, "expr_2021": fExpr, "stmt": fStmt,
}

// follow is rustc's follow set of f: the kinds that, met at depth 0, may end the fragment. pat's
// set differs from pat_param's only by `|` (a 2021 pat takes or-patterns), and a `|` only ends a
// fragment when the matcher also expects it next, which a 2021 `$p:pat |` never does: so one set
// serves both. Fragments that end by their own shape have none.
func (f frag) follow() (set kinds) {
	var ks []rustsrc.Kind
	switch f {
	case fExpr, fStmt:
		ks = []rustsrc.Kind{rustsrc.FatArrow, rustsrc.Comma, rustsrc.Semi}
	case fPat:
		ks = []rustsrc.Kind{rustsrc.FatArrow, rustsrc.Comma, rustsrc.Eq, rustsrc.Or, rustsrc.KwIf, rustsrc.KwIn}
	case fPath, fTy:
		ks = []rustsrc.Kind{rustsrc.LBrace, rustsrc.LBracket, rustsrc.Comma, rustsrc.FatArrow, rustsrc.Colon,
			rustsrc.Eq, rustsrc.Gt, rustsrc.Semi, rustsrc.Or, rustsrc.KwAs, rustsrc.KwWhere}
	case fMeta:
		return kinds{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	}
	for _, k := range ks {
		set.add(k)
	}
	return set
}

// kinds is a set of token kinds.
type kinds [4]uint64

func (s *kinds) add(k rustsrc.Kind)      { s[k/64] |= 1 << (k % 64) }
func (s *kinds) has(k rustsrc.Kind) bool { return s[k/64]&(1<<(k%64)) != 0 }

func (s kinds) or(t kinds) kinds {
	for i := range s {
		s[i] |= t[i]
	}
	return s
}

func (s kinds) and(t kinds) kinds {
	for i := range s {
		s[i] &= t[i]
	}
	return s
}

// ruleParser reads one rule's matcher, then its transcriber, into trees.
type ruleParser struct {
	toks    []Token
	pairs   []int32
	r       *rule
	matcher bool
	names   map[string]int // metavariable name to index in r.metas
	used    []int          // transcriber: metas in order of use, for nRep.vars
}

// seq reads toks[lo:hi]; reps is the number of enclosing repetitions.
func (p *ruleParser) seq(lo, hi, depth, reps int) ([]node, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("nesting deeper than %d", maxNesting)
	}
	var out []node
	for i := lo; i < hi; {
		t := p.toks[i]
		switch {
		case isOpen(t.Kind):
			c := int(p.pairs[i])
			sub, err := p.seq(i+1, c, depth+1, reps)
			if err != nil {
				return nil, err
			}
			out = append(out, node{kind: nGroup, tok: t, close: p.toks[c], sub: sub})
			i = c + 1
		case t.Kind == rustsrc.Dollar && i+1 < hi:
			var err error
			if out, i, err = p.dollar(out, i+1, hi, depth, reps); err != nil {
				return nil, err
			}
		case t.Kind == rustsrc.Dollar && p.matcher:
			return nil, fmt.Errorf("$ at the end of a matcher group")
		case t.doc && p.matcher:
			// rustc skips doc comments in a matcher (rust-lang/rust#95267 keeps it so).
			i = skipDoc(p.toks[:hi], p.pairs, i)
		case t.Kind == rustsrc.Shr && p.matcher:
			// Expand splits the input's `>>` in two.
			out = append(out, node{kind: nTok, tok: Token{Kind: rustsrc.Gt, Text: ">", joint: true}},
				node{kind: nTok, tok: Token{Kind: rustsrc.Gt, Text: ">"}})
			i++
		default:
			out = append(out, node{kind: nTok, tok: t})
			i++
		}
	}
	return out, nil
}

// dollar reads what follows a `$` at toks[i] and appends it to out.
func (p *ruleParser) dollar(out []node, i, hi, depth, reps int) ([]node, int, error) {
	t := p.toks[i]
	switch {
	case t.Kind == rustsrc.LParen:
		return p.repetition(out, i, hi, depth, reps)
	case t.Kind == rustsrc.KwCrate:
		return append(out, node{kind: nTok, tok: crateToken}), i + 1, nil
	case t.Kind == rustsrc.Ident || t.Kind.IsKeyword():
		if !p.matcher {
			if m, ok := p.names[t.Text]; ok {
				p.used = append(p.used, m)
				return append(out, node{kind: nVar, meta: m}), i + 1, nil
			}
			// rustc leaves an unknown $name as written.
			return append(out, node{kind: nTok, tok: p.toks[i-1]}, node{kind: nTok, tok: t}), i + 1, nil
		}
		f, next := fMissing, i+1
		if i+2 < hi && p.toks[i+1].Kind == rustsrc.Colon {
			var ok bool
			if f, ok = frags[p.toks[i+2].Text]; !ok {
				return nil, 0, fmt.Errorf("$%s: unknown fragment specifier %q", t.Text, p.toks[i+2].Text)
			}
			next = i + 3
		}
		if _, dup := p.names[t.Text]; dup {
			return nil, 0, fmt.Errorf("duplicate metavariable $%s", t.Text)
		}
		p.names[t.Text] = len(p.r.metas)
		p.r.metas = append(p.r.metas, metaVar{name: t.Text, frag: f, depth: reps})
		return append(out, node{kind: nMeta, meta: len(p.r.metas) - 1, frag: f}), next, nil
	case p.matcher:
		return nil, 0, fmt.Errorf("unexpected %q after $", t.Text)
	}
	return append(out, node{kind: nTok, tok: p.toks[i-1]}), i, nil
}

// repetition reads `( ... ) sep? op` at toks[i]. As in rustc, a first token that is an operator
// is the operator, so `$(a)+*` repeats with + and then expects a literal *.
func (p *ruleParser) repetition(out []node, i, hi, depth, reps int) ([]node, int, error) {
	c := int(p.pairs[i])
	metaLo, usedLo := len(p.r.metas), len(p.used)
	sub, err := p.seq(i+1, c, depth+1, reps+1)
	if err != nil {
		return nil, 0, err
	}
	n := node{kind: nRep, sub: sub}
	j := c + 1
	switch {
	case j < hi && isRepOp(p.toks[j].Kind):
		n.op = p.toks[j].Kind
		j++
	case j+1 < hi && !isOpen(p.toks[j].Kind) && !isClose(p.toks[j].Kind) && p.toks[j].Kind != rustsrc.Dollar &&
		isRepOp(p.toks[j+1].Kind) && p.toks[j+1].Kind != rustsrc.Question:
		sep := p.toks[j]
		n.sep, n.op = &sep, p.toks[j+1].Kind
		j += 2
	default:
		return nil, 0, fmt.Errorf("expected a separator and *, + or ? after $(...)")
	}
	if p.matcher {
		n.rep = len(p.r.reps)
		p.r.reps = append(p.r.reps, span{metaLo, len(p.r.metas)})
	} else {
		// Nested repetitions share the backing array: used only grows.
		n.vars = p.used[usedLo:len(p.used):len(p.used)]
	}
	return append(out, n), j, nil
}

func isRepOp(k rustsrc.Kind) bool {
	return k == rustsrc.Star || k == rustsrc.Plus || k == rustsrc.Question
}

// first returns the kinds of the tokens that can start seq, and whether seq can match nothing.
// Only literal tokens, delimiters and the `{` of a block fragment are known.
func first(seq []node) (set kinds, empty bool) {
	for _, n := range seq {
		switch n.kind {
		case nTok, nGroup:
			set.add(n.tok.Kind)
			return set, false
		case nMeta:
			if n.frag == fBlock {
				set.add(rustsrc.LBrace)
				return set, false
			}
			if n.frag != fVis {
				return set, false
			}
		case nRep:
			sub, empty := first(n.sub)
			if set = set.or(sub); n.op == rustsrc.Plus && !empty {
				return set, false
			}
		}
	}
	return set, true
}

// emit compiles a matcher sequence; after holds the kinds that may follow it within its group.
func emit(prog []inst, seq []node, after kinds) []inst {
	// next[i] holds what may follow seq[i], gathered from the end so that the work stays linear.
	next := make([]kinds, len(seq))
	for i, cur := len(seq)-1, after; i >= 0; i-- {
		next[i] = cur
		if f, empty := first(seq[i : i+1]); empty {
			cur = cur.or(f)
		} else {
			cur = f
		}
	}
	for i, n := range seq {
		switch n.kind {
		case nTok:
			prog = append(prog, inst{op: opTok, tok: n.tok})
		case nGroup:
			prog = append(prog, inst{op: opOpen, tok: n.tok})
			prog = emit(prog, n.sub, kinds{})
			prog = append(prog, inst{op: opClose})
		case nMeta:
			prog = append(prog, inst{op: opMeta, meta: int32(n.meta), frag: n.frag, stop: next[i].and(n.frag.follow())})
		case nRep:
			// After an iteration come the separator or another iteration, or what follows the
			// repetition.
			body := next[i]
			switch {
			case n.op == rustsrc.Question:
			case n.sep != nil:
				body.add(n.sep.Kind)
			default:
				f, _ := first(n.sub)
				body = body.or(f)
			}
			prog = append(prog, inst{op: opRepHead})
			loop := len(prog)
			prog = append(prog, inst{op: opRepLoop, rop: n.op})
			if n.sep != nil {
				prog = append(prog, inst{op: opSep, tok: *n.sep})
			}
			prog = emit(prog, n.sub, body)
			prog = append(prog, inst{op: opRepNext, jump: int32(loop)})
			prog[loop].jump = int32(len(prog))
			prog = append(prog, inst{op: opRepExit, rep: int32(n.rep)})
		}
	}
	return prog
}
