package rustsrc

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// Mode controls what the scanner returns.
type Mode uint8

const (
	// ScanComments makes Next return comments and doc comments as tokens instead of skipping them.
	ScanComments Mode = 1 << iota
)

// Scanner turns Rust source into tokens, one call to Next at a time, without allocating. It never
// fails: bytes that start no token come back as Illegal tokens (a run of such bytes is one token),
// and unterminated literals and comments end at end of input with FlagUnterminated.
type Scanner struct {
	src  []byte
	off  int
	mode Mode
	prev Kind // kind of the last non-trivia token: a number right after '.' is a tuple index

	// ErrorCount counts Illegal tokens and tokens flagged unterminated or with a bad escape.
	ErrorCount int
}

// Init prepares s to scan src from its beginning. A UTF-8 byte order mark and a shebang line are
// skipped; `#![` at the start is an inner attribute, not a shebang.
func (s *Scanner) Init(src []byte, mode Mode) {
	*s = Scanner{src: src, mode: mode, prev: EOF}
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		s.off = 3
	}
	if bytes.HasPrefix(src[s.off:], []byte("#!")) {
		i := s.off + 2
		for i < len(src) && isSpaceASCII(src[i]) {
			i++
		}
		if i >= len(src) || src[i] != '[' {
			nl := bytes.IndexByte(src[s.off:], '\n')
			if nl < 0 {
				s.off = len(src)
			} else {
				s.off += nl
			}
		}
	}
}

// Offset is the scanner's current byte offset.
func (s *Scanner) Offset() int { return s.off }

func isSpaceASCII(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isPatternSpace reports Rust's non-ASCII whitespace (Pattern_White_Space).
func isPatternSpace(r rune) bool {
	return r == 0x85 || r == 0x200E || r == 0x200F || r == 0x2028 || r == 0x2029
}

func isIdentStartASCII(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentContASCII(c byte) bool {
	return isIdentStartASCII(c) || c >= '0' && c <= '9'
}

func isIdentStartRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
}

func isIdentContRune(r rune) bool {
	return isIdentStartRune(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc)
}

// identStartAt reports whether an identifier starts at i, and the width of its first character.
func (s *Scanner) identStartAt(i int) (bool, int) {
	if i >= len(s.src) {
		return false, 0
	}
	c := s.src[i]
	if c < utf8.RuneSelf {
		return isIdentStartASCII(c), 1
	}
	r, n := utf8.DecodeRune(s.src[i:])
	return r != utf8.RuneError && isIdentStartRune(r), n
}

// identEnd returns the end of the identifier continuing at i.
func (s *Scanner) identEnd(i int) int {
	for i < len(s.src) {
		c := s.src[i]
		if c < utf8.RuneSelf {
			if !isIdentContASCII(c) {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s.src[i:])
		if r == utf8.RuneError || !isIdentContRune(r) {
			return i
		}
		i += n
	}
	return i
}

func (s *Scanner) at(i int) byte {
	if i < len(s.src) {
		return s.src[i]
	}
	return 0
}

// Next returns the next token; at end of input it returns an EOF token (repeatedly).
func (s *Scanner) Next() Token {
	for {
		t := s.next()
		if t.Flags&(FlagUnterminated|FlagBadEscape) != 0 || t.Kind == Illegal {
			s.ErrorCount++
		}
		if t.Kind.IsComment() {
			if s.mode&ScanComments == 0 {
				continue
			}
			return t
		}
		s.prev = t.Kind
		return t
	}
}

func (s *Scanner) tok(start int, k Kind) Token {
	return Token{Off: int32(start), End: int32(s.off), Kind: k}
}

func (s *Scanner) next() Token {
	src := s.src
	// Whitespace.
	for s.off < len(src) {
		c := src[s.off]
		if isSpaceASCII(c) {
			s.off++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(src[s.off:])
			if isPatternSpace(r) {
				s.off += n
				continue
			}
		}
		break
	}
	start := s.off
	if s.off >= len(src) {
		return Token{Off: int32(start), End: int32(start), Kind: EOF}
	}
	c := src[s.off]
	switch {
	case isIdentStartASCII(c):
		return s.identOrPrefixed(start)
	case c >= '0' && c <= '9':
		return s.number(start)
	case c >= utf8.RuneSelf:
		if ok, _ := s.identStartAt(start); ok {
			s.off = s.identEnd(start)
			return s.tok(start, Ident)
		}
		return s.illegal(start)
	}
	s.off++
	switch c {
	case '"':
		return s.quoted(start, Str, '"')
	case '\'':
		return s.charOrLifetime(start)
	case '/':
		switch s.at(s.off) {
		case '/':
			return s.lineComment(start)
		case '*':
			return s.blockComment(start)
		case '=':
			s.off++
			return s.tok(start, SlashEq)
		}
		return s.tok(start, Slash)
	case '+':
		return s.op2(start, Plus, '=', PlusEq)
	case '*':
		return s.op2(start, Star, '=', StarEq)
	case '%':
		return s.op2(start, Percent, '=', PercentEq)
	case '^':
		return s.op2(start, Caret, '=', CaretEq)
	case '!':
		return s.op2(start, Not, '=', Ne)
	case '-':
		switch s.at(s.off) {
		case '=':
			s.off++
			return s.tok(start, MinusEq)
		case '>':
			s.off++
			return s.tok(start, RArrow)
		}
		return s.tok(start, Minus)
	case '&':
		switch s.at(s.off) {
		case '&':
			s.off++
			return s.tok(start, AndAnd)
		case '=':
			s.off++
			return s.tok(start, AndEq)
		}
		return s.tok(start, And)
	case '|':
		switch s.at(s.off) {
		case '|':
			s.off++
			return s.tok(start, OrOr)
		case '=':
			s.off++
			return s.tok(start, OrEq)
		}
		return s.tok(start, Or)
	case '<':
		switch s.at(s.off) {
		case '<':
			s.off++
			return s.op2(start, Shl, '=', ShlEq)
		case '=':
			s.off++
			return s.tok(start, Le)
		case '-':
			s.off++
			return s.tok(start, LArrow)
		}
		return s.tok(start, Lt)
	case '>':
		switch s.at(s.off) {
		case '>':
			s.off++
			return s.op2(start, Shr, '=', ShrEq)
		case '=':
			s.off++
			return s.tok(start, Ge)
		}
		return s.tok(start, Gt)
	case '=':
		switch s.at(s.off) {
		case '=':
			s.off++
			return s.tok(start, EqEq)
		case '>':
			s.off++
			return s.tok(start, FatArrow)
		}
		return s.tok(start, Eq)
	case '.':
		if s.at(s.off) == '.' {
			s.off++
			switch s.at(s.off) {
			case '.':
				s.off++
				return s.tok(start, DotDotDot)
			case '=':
				s.off++
				return s.tok(start, DotDotEq)
			}
			return s.tok(start, DotDot)
		}
		return s.tok(start, Dot)
	case ':':
		return s.op2(start, Colon, ':', PathSep)
	case '@':
		return s.tok(start, At)
	case ',':
		return s.tok(start, Comma)
	case ';':
		return s.tok(start, Semi)
	case '#':
		return s.tok(start, Pound)
	case '$':
		return s.tok(start, Dollar)
	case '?':
		return s.tok(start, Question)
	case '~':
		return s.tok(start, Tilde)
	case '(':
		return s.tok(start, LParen)
	case ')':
		return s.tok(start, RParen)
	case '[':
		return s.tok(start, LBracket)
	case ']':
		return s.tok(start, RBracket)
	case '{':
		return s.tok(start, LBrace)
	case '}':
		return s.tok(start, RBrace)
	}
	s.off = start
	return s.illegal(start)
}

// op2 returns long if the next byte is c, else short.
func (s *Scanner) op2(start int, short Kind, c byte, long Kind) Token {
	if s.at(s.off) == c {
		s.off++
		return s.tok(start, long)
	}
	return s.tok(start, short)
}

// illegal consumes a run of bytes that start no token (ASCII control bytes, stray '`' and '\\',
// invalid UTF-8, non-identifier symbols) as one token, so garbage input costs one token per run.
func (s *Scanner) illegal(start int) Token {
	i := start
	for i < len(s.src) {
		c := s.src[i]
		if c < utf8.RuneSelf {
			if c < ' ' && !isSpaceASCII(c) || c == '`' || c == '\\' || c == 0x7f {
				i++
				continue
			}
			break
		}
		r, n := utf8.DecodeRune(s.src[i:])
		if r != utf8.RuneError && (isIdentStartRune(r) || isPatternSpace(r)) {
			break
		}
		i += n
	}
	if i == start {
		i++
	}
	s.off = i
	return s.tok(start, Illegal)
}

// identOrPrefixed scans an identifier, keyword, raw identifier, or a prefixed literal
// (b'x', b"..", br#".."#, c"..", cr"..", r"..", r#".."#).
func (s *Scanner) identOrPrefixed(start int) Token {
	c := s.src[start]
	n1 := s.at(start + 1)
	switch c {
	case 'r':
		if n1 == '"' || n1 == '#' && s.rawStringAhead(start+1) {
			s.off = start + 1
			return s.rawString(start, RawStr)
		}
		if n1 == '#' {
			if ok, _ := s.identStartAt(start + 2); ok {
				s.off = s.identEnd(start + 2)
				t := s.tok(start, Ident)
				t.Flags |= FlagRaw
				return t
			}
		}
	case 'b':
		switch n1 {
		case '\'':
			s.off = start + 2
			return s.charBody(start, Byte)
		case '"':
			s.off = start + 2
			return s.quoted(start, ByteStr, '"')
		case 'r':
			if n2 := s.at(start + 2); n2 == '"' || n2 == '#' && s.rawStringAhead(start+2) {
				s.off = start + 2
				return s.rawString(start, RawByteStr)
			}
		}
	case 'c':
		switch n1 {
		case '"':
			s.off = start + 2
			return s.quoted(start, CStr, '"')
		case 'r':
			if n2 := s.at(start + 2); n2 == '"' || n2 == '#' && s.rawStringAhead(start+2) {
				s.off = start + 2
				return s.rawString(start, RawCStr)
			}
		}
	}
	s.off = s.identEnd(start + 1)
	return s.tok(start, keyword(s.src[start:s.off]))
}

// rawStringAhead reports whether hashes at i are followed by a quote (r##" but not r#ident).
func (s *Scanner) rawStringAhead(i int) bool {
	for i < len(s.src) && s.src[i] == '#' {
		i++
	}
	return s.at(i) == '"'
}

// rawString scans from s.off, positioned at the hashes or quote after the prefix.
func (s *Scanner) rawString(start int, k Kind) Token {
	hashes := 0
	for s.at(s.off) == '#' {
		hashes++
		s.off++
	}
	s.off++ // opening quote
	for {
		q := bytes.IndexByte(s.src[s.off:], '"')
		if q < 0 {
			s.off = len(s.src)
			t := s.tok(start, k)
			t.Flags |= FlagUnterminated
			return t
		}
		s.off += q + 1
		n := 0
		for n < hashes && s.at(s.off+n) == '#' {
			n++
		}
		if n == hashes {
			s.off += n
			return s.tok(start, k)
		}
	}
}

// quoted scans an escaped string body up to the closing quote; s.off is just past the opening one.
func (s *Scanner) quoted(start int, k Kind, q byte) Token {
	src := s.src
	for i := s.off; i < len(src); i++ {
		switch src[i] {
		case q:
			s.off = i + 1
			return s.tok(start, k)
		case '\\':
			i++
		}
	}
	s.off = len(src)
	t := s.tok(start, k)
	t.Flags |= FlagUnterminated
	return t
}

// charOrLifetime decides between 'a' (char) and 'a (lifetime) after the quote at start.
func (s *Scanner) charOrLifetime(start int) Token {
	i := start + 1
	if i >= len(s.src) {
		t := s.tok(start, Char)
		t.Flags |= FlagUnterminated
		return t
	}
	if s.src[i] == '\\' {
		return s.charBody(start, Char)
	}
	_, n := utf8.DecodeRune(s.src[i:])
	if s.at(i+n) == '\'' {
		s.off = i + n + 1
		return s.tok(start, Char)
	}
	raw := false
	if s.src[i] == 'r' && s.at(i+1) == '#' {
		if ok, _ := s.identStartAt(i + 2); ok {
			raw = true
			i += 2
		}
	}
	if ok, _ := s.identStartAt(i); ok {
		s.off = s.identEnd(i)
		t := s.tok(start, Lifetime)
		if raw {
			t.Flags |= FlagRaw
		}
		return t
	}
	if ok := s.src[i] >= '0' && s.src[i] <= '9'; ok {
		// '1abc: not valid Rust, but lexed as a lifetime-like token so the rest of the line survives.
		s.off = s.identEnd(i)
		t := s.tok(start, Lifetime)
		t.Flags |= FlagBadEscape
		return t
	}
	return s.charBody(start, Char)
}

// maxCharLen bounds how far a char literal may run looking for its closing quote: '\u{10FFFF}' is
// the longest plain one, but underscores may pad it ('\u{1_F_6_0_2}').
const maxCharLen = 32

// charBody scans a char or byte literal body with escapes; s.off is just past the opening quote
// (for Char, the caller passes start at the quote and s.off may not be set yet).
func (s *Scanner) charBody(start int, k Kind) Token {
	i := start + 1
	if k == Byte {
		i = start + 2
	}
	limit := i + maxCharLen
	for i < len(s.src) && i < limit {
		switch s.src[i] {
		case '\'':
			if i == start+1 || k == Byte && i == start+2 {
				// An empty literal '' : take both quotes so the next quote does not pair with it.
				s.off = i + 1
				t := s.tok(start, k)
				t.Flags |= FlagBadEscape
				return t
			}
			s.off = i + 1
			return s.tok(start, k)
		case '\\':
			i += 2
			continue
		case '\n':
			i = limit
			continue
		}
		i++
	}
	// No closing quote nearby: a lone quote. Return it alone so the rest is lexed normally.
	s.off = start + 1
	if k == Byte {
		s.off = start + 2
	}
	t := s.tok(start, k)
	t.Flags |= FlagUnterminated
	return t
}

func (s *Scanner) lineComment(start int) Token {
	k := Comment
	switch s.at(start + 2) {
	case '/':
		if s.at(start+3) != '/' {
			k = OuterDocComment
		}
	case '!':
		k = InnerDocComment
	}
	nl := bytes.IndexByte(s.src[start:], '\n')
	if nl < 0 {
		s.off = len(s.src)
	} else {
		s.off = start + nl
	}
	return s.tok(start, k)
}

// blockComment scans a nested block comment with an explicit depth counter (no recursion).
func (s *Scanner) blockComment(start int) Token {
	k := Comment
	switch s.at(start + 2) {
	case '*':
		if c := s.at(start + 3); c != '*' && c != '/' {
			k = OuterDocComment
		}
	case '!':
		k = InnerDocComment
	}
	depth := 1
	src := s.src
	i := start + 2
	for i < len(src) {
		j := bytes.IndexAny(src[i:], "*/")
		if j < 0 {
			break
		}
		i += j
		if src[i] == '*' && i+1 < len(src) && src[i+1] == '/' {
			depth--
			i += 2
			if depth == 0 {
				s.off = i
				return s.tok(start, k)
			}
			continue
		}
		if src[i] == '/' && i+1 < len(src) && src[i+1] == '*' {
			depth++
			i += 2
			continue
		}
		i++
	}
	s.off = len(src)
	t := s.tok(start, k)
	t.Flags |= FlagUnterminated
	return t
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number scans integer and float literals with suffixes and exponents. After a '.' token the
// number is a tuple index: x.0.1 is x . 0 . 1, never x . 0.1.
func (s *Scanner) number(start int) Token {
	src := s.src
	i := start
	k := Int
	if src[i] == '0' && (s.at(i+1) == 'x' || s.at(i+1) == 'o' || s.at(i+1) == 'b') {
		hex := src[i+1] == 'x'
		i += 2
		for i < len(src) && (src[i] == '_' || (hex && isHexDigit(src[i])) || (!hex && isDigit(src[i]))) {
			i++
		}
		s.off = s.identEnd(i)
		return s.tok(start, Int)
	}
	for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
		i++
	}
	if s.prev == Dot {
		s.off = i
		return s.tok(start, Int)
	}
	if s.at(i) == '.' && s.at(i+1) != '.' {
		if ok, _ := s.identStartAt(i + 1); !ok {
			k = Float
			i++
			for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
				i++
			}
		}
	}
	if c := s.at(i); c == 'e' || c == 'E' {
		j := i + 1
		if s.at(j) == '+' || s.at(j) == '-' {
			j++
		}
		for s.at(j) == '_' {
			j++
		}
		if isDigit(s.at(j)) {
			k = Float
			i = j
			for i < len(src) && (isDigit(src[i]) || src[i] == '_') {
				i++
			}
		}
	}
	end := s.identEnd(i)
	if suf := src[i:end]; string(suf) == "f32" || string(suf) == "f64" || string(suf) == "f16" || string(suf) == "f128" {
		k = Float
	}
	s.off = end
	return s.tok(start, k)
}

// Tokenize appends the non-comment tokens of src to dst (without the final EOF) and returns it with
// the scanner's error count. At most maxTokens tokens are produced (<= 0: no limit); the returned
// truncated offset is where scanning stopped, or -1 when the whole input was scanned.
func Tokenize(src []byte, dst []Token, maxTokens int) (toks []Token, errors int, truncated int) {
	var s Scanner
	s.Init(src, 0)
	if dst == nil {
		n := len(src)/5 + 16
		if maxTokens > 0 {
			n = min(n, maxTokens)
		}
		dst = make([]Token, 0, n)
	}
	for {
		t := s.Next()
		if t.Kind == EOF {
			return dst, s.ErrorCount, -1
		}
		if maxTokens > 0 && len(dst) >= maxTokens {
			return dst, s.ErrorCount, int(t.Off)
		}
		dst = append(dst, t)
	}
}
