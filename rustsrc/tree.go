package rustsrc

// maxRepairLookback bounds how deep in the open-delimiter stack a mismatched closer may look for its
// partner, so a file of stray closers costs linear time.
const maxRepairLookback = 8

func isOpen(k Kind) bool  { return k == LParen || k == LBracket || k == LBrace }
func isClose(k Kind) bool { return k == RParen || k == RBracket || k == RBrace }

func closerOf(k Kind) Kind {
	switch k {
	case LParen:
		return RParen
	case LBracket:
		return RBracket
	}
	return RBrace
}

// matchDelimiters fills match (len(toks)) and sets FlagUnclosed/FlagStray on toks, with an explicit
// stack instead of recursion. A closer whose opener is a few levels down closes the openers above it
// by force (they get FlagUnclosed and match the closer's index); a closer with no opener nearby is
// stray. Openers left at the end match the token after them. It reports each repaired region to skip.
func matchDelimiters(toks []Token, match []int32, stack []int32, skip func(Skip)) []int32 {
	stack = stack[:0]
	for i := range toks {
		k := toks[i].Kind
		match[i] = -1
		switch {
		case isOpen(k):
			stack = append(stack, int32(i))
		case isClose(k):
			found := -1
			for d := len(stack) - 1; d >= 0 && d >= len(stack)-maxRepairLookback; d-- {
				if closerOf(toks[stack[d]].Kind) == k {
					found = d
					break
				}
			}
			if found < 0 {
				toks[i].Flags |= FlagStray
				skip(Skip{Reason: SkipUnmatched, Pos: toks[i].Off, End: toks[i].End})
				continue
			}
			for d := len(stack) - 1; d > found; d-- {
				o := stack[d]
				toks[o].Flags |= FlagUnclosed
				match[o] = int32(i)
				skip(Skip{Reason: SkipUnclosed, Pos: toks[o].Off, End: toks[i].Off})
			}
			o := stack[found]
			match[o] = int32(i)
			match[i] = o
			stack = stack[:found]
		}
	}
	// An opener still open at the end closes at once (an empty group): extending it to the end
	// of the file would swallow every item after a single typo.
	for _, o := range stack {
		toks[o].Flags |= FlagUnclosed
		match[o] = o + 1
		skip(Skip{Reason: SkipUnclosed, Pos: toks[o].Off, End: toks[o].End})
	}
	return stack
}

// group returns, for the opening delimiter at i, the end of its contents (exclusive) and the index
// of the token after the group. An unclosed group ends where it was closed by force, and that
// token is left to the enclosing group.
func (p *ParsedFile) group(i int) (inner, next int) {
	m := int(p.Match[i])
	if m < 0 || m <= i {
		return i + 1, i + 1
	}
	if p.Tokens[i].Flags&FlagUnclosed != 0 {
		return m, m
	}
	return m, m + 1
}
