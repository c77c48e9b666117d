// Package macroexpand expands macro_rules! (macro-by-example) invocations statically and within
// bounds, so that code written by declarative macros (bitflags!, a crate's own impl_xxx! helpers,
// tt-munchers) can be read without compiling the crate. Compile reads one definition's rules,
// Macro.Expand matches one invocation's tokens against them and transcribes the first rule that
// matches; Tokens reads a range of a parsed file (doc comments become #[doc] attributes, as
// rustc passes them) and Render turns a result back into source text for rustsrc. Resolving which
// macro an invocation names, $crate and nested invocations are the caller's.
//
// Matching is a backtracking VM over the input token trees with a step budget (Limits). Fragments
// that would need a Rust parser (expr, ty, pat, path, stmt, meta, item) are matched by rustc's
// follow-set rules instead: at least one token tree, then token trees until the next one, at
// nesting and angle-bracket depth 0, is a token that may follow the fragment and that the matcher
// can take next. Known approximations:
//   - an expr ends early at a `,` inside generic arguments without a turbofish (`x as Foo<A, B>`)
//     or inside closure parameters that do not start the fragment;
//   - `>>` is split in two to close generics, but `<<`, `>=` and `>>=` are not;
//   - a fragment that rustc would fail to parse makes the rule fail, where rustc aborts the
//     expansion;
//   - matchers that rustc rejects as ambiguous (`$($a:ident)* $b:ident`) match, greedily with
//     backtracking.
//
// Over the 1514 crates of Debian's Rust packages, every invocation of a macro of the same crate
// that did not match was one of another macro of the same name (log's trace!, tokio::select!)
// or a compile-fail test.
package macroexpand

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// Token is one token of a macro's input or output: its kind and source text.
type Token struct {
	Kind rustsrc.Kind
	Text string
	// Caller is a mark for the caller's own use: Expand copies input tokens into its output
	// with their marks, and the tokens the macro's rules write have none, so a caller that marks
	// an invocation's input can tell its own code in the expansion from the macro's.
	Caller bool
	// joint marks the first `>` of a `>>` that Expand split in two, so that `Vec<Vec<u8>>` can
	// match `<$t:ty>`. doc marks the `#` of an attribute that Tokens made from a doc comment:
	// rustc ignores doc comments in matchers. Expand's output has neither set.
	joint, doc bool
}

// is reports whether t matches the literal token u of a matcher.
func (t Token) is(u Token) bool { return t.Kind == u.Kind && t.Text == u.Text && t.joint == u.joint }

// crateToken stands for $crate in a transcription; the caller replaces it by the defining crate.
var crateToken = Token{Kind: rustsrc.Ident, Text: "$crate"}

// Tokens returns the tokens of pf in [lo, hi) (token indexes, clamped to the file) as Tokens. As
// rustc does for macros, doc comments in the range (up to the token at hi) become attributes,
// `/// x` #[doc = " x"] and `//! x` #![doc = " x"]: matchers such as syn's
// `$($token:tt pub struct $name:ident #[$doc:meta])*` require them.
func Tokens(pf *rustsrc.ParsedFile, lo, hi int) []Token {
	lo, hi = max(lo, 0), min(hi, len(pf.Tokens))
	if lo >= hi {
		return nil
	}
	out := make([]Token, 0, hi-lo)
	for i := lo; i <= hi; i++ {
		gapLo, gapHi := 0, len(pf.Src)
		if i > 0 {
			gapLo = int(pf.Tokens[i-1].End)
		}
		if i < len(pf.Tokens) {
			gapHi = int(pf.Tokens[i].Off)
		}
		if gapLo < gapHi && bytes.IndexByte(pf.Src[gapLo:gapHi], '/') >= 0 {
			out = appendDocs(out, pf.Src[gapLo:gapHi])
		}
		if i < hi {
			out = append(out, Token{Kind: pf.Tokens[i].Kind, Text: pf.Text(pf.Tokens[i])})
		}
	}
	return out
}

// appendDocs appends the doc comments of gap, the whitespace and comments between two tokens,
// as attributes.
func appendDocs(out []Token, gap []byte) []Token {
	var s rustsrc.Scanner
	s.Init(gap, rustsrc.ScanComments)
	for t := s.Next(); t.Kind != rustsrc.EOF; t = s.Next() {
		if t.Kind != rustsrc.OuterDocComment && t.Kind != rustsrc.InnerDocComment {
			continue
		}
		text := string(gap[t.Off+3 : t.End]) // after ///, //!, /** or /*!
		if gap[t.Off+1] == '*' {
			text = strings.TrimSuffix(text, "*/")
		}
		out = append(out, Token{Kind: rustsrc.Pound, Text: "#", doc: true})
		if t.Kind == rustsrc.InnerDocComment {
			out = append(out, Token{Kind: rustsrc.Not, Text: "!"})
		}
		out = append(out, Token{Kind: rustsrc.LBracket, Text: "["}, Token{Kind: rustsrc.Ident, Text: "doc"},
			Token{Kind: rustsrc.Eq, Text: "="}, Token{Kind: rustsrc.Str, Text: quote(strings.TrimSuffix(text, "\r"))},
			Token{Kind: rustsrc.RBracket, Text: "]"})
	}
	return out
}

// quote writes s as a Rust string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Errors, for callers that count failures by cause; returned errors wrap one of them.
var (
	ErrNoMatch = errors.New("no rule matched")
	ErrLimit   = errors.New("limit exceeded")
	ErrInvalid = errors.New("invalid macro or input")
)

// Limits bound one expansion.
type Limits struct {
	MaxSteps  int // VM instructions, binding and transcription work, over all rules tried
	MaxOutput int // output tokens
}

// DefaultLimits lets `$($t:tt)*` take some 170 thousand tokens (three steps each), 25 times the
// largest invocation met in Debian's crates; a match that long allocates about 70 MB.
func DefaultLimits() Limits { return Limits{MaxSteps: 1 << 19, MaxOutput: 1 << 18} }

// maxNesting bounds the delimiter and repetition nesting of a definition, which Compile and the
// transcriber walk recursively. rustsrc's own parse depth is 128.
const maxNesting = 256

// Macro is a compiled macro_rules! definition.
type Macro struct {
	Name  string
	rules []rule
}

// rule is one `matcher => transcriber` arm.
type rule struct {
	prog  []inst    // the matcher, compiled for the VM
	metas []metaVar // the matcher's metavariables in source order
	reps  []span    // per matcher repetition, the metas declared inside it: metas[lo:hi]
	trans []node
}

type metaVar struct {
	name  string
	frag  frag
	depth int // enclosing repetitions in the matcher
}

type span struct{ lo, hi int }

// Compile reads the rules of `macro_rules! name { rules }`: body is the token list between the outer
// braces (or parens/brackets). Rules are `(matcher) => {transcriber}` with any delimiters, separated
// by `;` (tolerated missing).
func Compile(name string, body []Token) (*Macro, error) {
	pairs, err := pairTokens(body)
	if err != nil {
		return nil, fmt.Errorf("macro %s: %w", name, err)
	}
	m := &Macro{Name: name}
	for i := 0; i < len(body); {
		if body[i].doc {
			i = skipDoc(body, pairs, i)
			continue
		}
		if !isOpen(body[i].Kind) {
			return nil, fmt.Errorf("%w: macro %s rule %d: expected a delimited matcher, found %q", ErrInvalid, name, len(m.rules)+1, body[i].Text)
		}
		mc := int(pairs[i])
		t := mc + 2
		if t >= len(body) || body[mc+1].Kind != rustsrc.FatArrow || !isOpen(body[t].Kind) {
			return nil, fmt.Errorf("%w: macro %s rule %d: expected => and a delimited transcriber after the matcher", ErrInvalid, name, len(m.rules)+1)
		}
		tc := int(pairs[t])
		r, err := compileRule(body, pairs, i+1, mc, t+1, tc)
		if err != nil {
			return nil, fmt.Errorf("%w: macro %s rule %d: %v", ErrInvalid, name, len(m.rules)+1, err)
		}
		m.rules = append(m.rules, r)
		i = tc + 1
		if i < len(body) && body[i].Kind == rustsrc.Semi {
			i++
		}
	}
	if len(m.rules) == 0 {
		return nil, fmt.Errorf("%w: macro %s has no rules", ErrInvalid, name)
	}
	return m, nil
}

func compileRule(toks []Token, pairs []int32, mlo, mhi, tlo, thi int) (rule, error) {
	var r rule
	p := &ruleParser{toks: toks, pairs: pairs, r: &r, matcher: true, names: map[string]int{}}
	matcher, err := p.seq(mlo, mhi, 0, 0)
	if err != nil {
		return r, err
	}
	p.matcher = false
	if r.trans, err = p.seq(tlo, thi, 0, 0); err != nil {
		return r, err
	}
	r.prog = emit(r.prog, matcher, kinds{})
	r.prog = append(r.prog, inst{op: opMatch})
	return r, nil
}

// Expand matches input (the tokens inside the invocation's delimiters) against the rules in order
// and transcribes the first that matches. Zero fields of lim take DefaultLimits' values.
func (m *Macro) Expand(input []Token, lim Limits) ([]Token, error) {
	def := DefaultLimits()
	if lim.MaxSteps <= 0 {
		lim.MaxSteps = def.MaxSteps
	}
	if lim.MaxOutput <= 0 {
		lim.MaxOutput = def.MaxOutput
	}
	input = splitShr(input)
	pairs, err := pairTokens(input)
	if err != nil {
		return nil, fmt.Errorf("macro %s: input: %w", m.Name, err)
	}
	v := &vm{in: input, pairs: pairs, maxSteps: lim.MaxSteps}
	for i := range m.rules {
		r := &m.rules[i]
		ok, err := v.run(r.prog)
		var out []Token
		if err == nil && ok {
			var b []binding
			if b, err = v.bind(r); err == nil {
				out, err = r.transcribe(b, v.steps, lim)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("macro %s rule %d: %w", m.Name, i+1, err)
		}
		if ok {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: macro %s (%d rules)", ErrNoMatch, m.Name, len(m.rules))
}

// skipDoc returns the index after the doc attribute Tokens made at toks[i].
func skipDoc(toks []Token, pairs []int32, i int) int {
	if i++; i < len(toks) && toks[i].Kind == rustsrc.Not {
		i++
	}
	if i < len(toks) && toks[i].Kind == rustsrc.LBracket {
		i = int(pairs[i]) + 1
	}
	return i
}

// splitShr returns toks with every `>>` split into a joint `>` and a `>`, as rustc's parser splits
// it where a generic argument list ends; toks itself when it has none.
func splitShr(toks []Token) []Token {
	n := 0
	for _, t := range toks {
		if t.Kind == rustsrc.Shr {
			n++
		}
	}
	if n == 0 {
		return toks
	}
	out := make([]Token, 0, len(toks)+n)
	for _, t := range toks {
		if t.Kind == rustsrc.Shr {
			out = append(out, Token{Kind: rustsrc.Gt, Text: ">", joint: true, Caller: t.Caller}, Token{Kind: rustsrc.Gt, Text: ">", Caller: t.Caller})
			continue
		}
		out = append(out, t)
	}
	return out
}

// finish joins, in place, each joint `>` followed by a `>` back into `>>`, and clears the doc
// marks. Tokens move only after a join: rewriting every one would cost a write barrier each.
func finish(toks []Token) []Token {
	w := 0
	for r := 0; r < len(toks); r, w = r+1, w+1 {
		toks[r].doc = false
		if toks[r].joint {
			toks[r].joint = false
			if r+1 < len(toks) && toks[r+1].Kind == rustsrc.Gt {
				toks[r] = Token{Kind: rustsrc.Shr, Text: ">>", Caller: toks[r].Caller}
				toks[r+1].doc, toks[r+1].joint = false, false
				if w != r {
					toks[w] = toks[r]
				}
				r++
				continue
			}
		}
		if w != r {
			toks[w] = toks[r]
		}
	}
	return toks[:w]
}

// pairTokens maps each opening delimiter to its closing one; -1 elsewhere. Unbalanced lists are
// an error: rustsrc repairs a file's delimiters, but callers may pass any slice.
func pairTokens(toks []Token) ([]int32, error) {
	if len(toks) >= math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d tokens", ErrLimit, len(toks))
	}
	pairs := make([]int32, len(toks))
	var open []int32
	for i, t := range toks {
		pairs[i] = -1
		if isOpen(t.Kind) {
			open = append(open, int32(i))
			continue
		}
		if isClose(t.Kind) {
			if len(open) == 0 || closer(toks[open[len(open)-1]].Kind) != t.Kind {
				return nil, fmt.Errorf("%w: unbalanced %q at token %d", ErrInvalid, t.Text, i)
			}
			pairs[open[len(open)-1]] = int32(i)
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return nil, fmt.Errorf("%w: unclosed %q at token %d", ErrInvalid, toks[open[len(open)-1]].Text, open[len(open)-1])
	}
	return pairs, nil
}

func isOpen(k rustsrc.Kind) bool {
	return k == rustsrc.LParen || k == rustsrc.LBracket || k == rustsrc.LBrace
}

func isClose(k rustsrc.Kind) bool {
	return k == rustsrc.RParen || k == rustsrc.RBracket || k == rustsrc.RBrace
}

// closer is the closing delimiter of an opening one, EOF for other kinds.
func closer(k rustsrc.Kind) rustsrc.Kind {
	switch k {
	case rustsrc.LParen:
		return rustsrc.RParen
	case rustsrc.LBracket:
		return rustsrc.RBracket
	case rustsrc.LBrace:
		return rustsrc.RBrace
	}
	return rustsrc.EOF
}
