package rustsrc

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"
	"unsafe"
)

// Kind is the kind of a lexical token.
type Kind uint8

// Token kinds. Keywords are kinds of their own so that the parser compares small integers; a raw
// identifier (r#type) is always Ident, never a keyword.
const (
	EOF     Kind = iota
	Illegal      // a byte sequence that starts no token (stray byte, invalid UTF-8, lone quote)

	// Trivia: only produced when the scanner runs with ScanComments.
	Comment         // // or /* */
	OuterDocComment // /// or /** */
	InnerDocComment // //! or /*! */

	Ident      // foo, _foo, r#type (raw flag set), non-ASCII XID identifiers
	Lifetime   // 'a, 'static, 'r#a
	Char       // 'a', '\n', '\u{1F600}'
	Byte       // b'a'
	Str        // "..."
	ByteStr    // b"..."
	CStr       // c"..."
	RawStr     // r"...", r#"..."#
	RawByteStr // br"...", br#"..."#
	RawCStr    // cr"...", cr#"..."#
	Int        // 1, 0x1f, 1_000u32, 0b1010
	Float      // 1.0, 1e10, 2.5E-3f64, 1.

	// Punctuation, longest match first in the scanner.
	Plus      // +
	Minus     // -
	Star      // *
	Slash     // /
	Percent   // %
	Caret     // ^
	Not       // !
	And       // &
	Or        // |
	AndAnd    // &&
	OrOr      // ||
	Shl       // <<
	Shr       // >>
	PlusEq    // +=
	MinusEq   // -=
	StarEq    // *=
	SlashEq   // /=
	PercentEq // %=
	CaretEq   // ^=
	AndEq     // &=
	OrEq      // |=
	ShlEq     // <<=
	ShrEq     // >>=
	Eq        // =
	EqEq      // ==
	Ne        // !=
	Gt        // >
	Lt        // <
	Ge        // >=
	Le        // <=
	At        // @
	Dot       // .
	DotDot    // ..
	DotDotDot // ...
	DotDotEq  // ..=
	Comma     // ,
	Semi      // ;
	Colon     // :
	PathSep   // ::
	RArrow    // ->
	FatArrow  // =>
	LArrow    // <-
	Pound     // #
	Dollar    // $
	Question  // ?
	Tilde     // ~
	LParen    // (
	RParen    // )
	LBracket  // [
	RBracket  // ]
	LBrace    // {
	RBrace    // }

	// Keywords (strict and reserved, 2015-2024 editions), plus the weak keywords the parser needs.
	keywordBeg
	KwAs
	KwAsync
	KwAwait
	KwBreak
	KwConst
	KwContinue
	KwCrate
	KwDyn
	KwElse
	KwEnum
	KwExtern
	KwFalse
	KwFn
	KwFor
	KwIf
	KwImpl
	KwIn
	KwLet
	KwLoop
	KwMatch
	KwMod
	KwMove
	KwMut
	KwPub
	KwRef
	KwReturn
	KwSelfValue // self
	KwSelfType  // Self
	KwStatic
	KwStruct
	KwSuper
	KwTrait
	KwTrue
	KwType
	KwUnsafe
	KwUse
	KwWhere
	KwWhile
	KwUnderscore // _ (a keyword-like token, not an identifier)
	keywordEnd

	numKinds
)

var kindNames = [numKinds]string{
	EOF: "EOF", Illegal: "ILLEGAL", Comment: "COMMENT", OuterDocComment: "OUTER_DOC", InnerDocComment: "INNER_DOC",
	Ident: "IDENT", Lifetime: "LIFETIME", Char: "CHAR", Byte: "BYTE", Str: "STR", ByteStr: "BYTE_STR",
	CStr: "C_STR", RawStr: "RAW_STR", RawByteStr: "RAW_BYTE_STR", RawCStr: "RAW_C_STR", Int: "INT", Float: "FLOAT",
	Plus: "+", Minus: "-", Star: "*", Slash: "/", Percent: "%", Caret: "^", Not: "!", And: "&", Or: "|",
	AndAnd: "&&", OrOr: "||", Shl: "<<", Shr: ">>", PlusEq: "+=", MinusEq: "-=", StarEq: "*=", SlashEq: "/=",
	PercentEq: "%=", CaretEq: "^=", AndEq: "&=", OrEq: "|=", ShlEq: "<<=", ShrEq: ">>=", Eq: "=", EqEq: "==",
	Ne: "!=", Gt: ">", Lt: "<", Ge: ">=", Le: "<=", At: "@", Dot: ".", DotDot: "..", DotDotDot: "...",
	DotDotEq: "..=", Comma: ",", Semi: ";", Colon: ":", PathSep: "::", RArrow: "->", FatArrow: "=>",
	LArrow: "<-", Pound: "#", Dollar: "$", Question: "?", Tilde: "~", LParen: "(", RParen: ")",
	LBracket: "[", RBracket: "]", LBrace: "{", RBrace: "}",
	KwAs: "as", KwAsync: "async", KwAwait: "await", KwBreak: "break", KwConst: "const", KwContinue: "continue",
	KwCrate: "crate", KwDyn: "dyn", KwElse: "else", KwEnum: "enum", KwExtern: "extern", KwFalse: "false",
	KwFn: "fn", KwFor: "for", KwIf: "if", KwImpl: "impl", KwIn: "in", KwLet: "let", KwLoop: "loop",
	KwMatch: "match", KwMod: "mod", KwMove: "move", KwMut: "mut", KwPub: "pub", KwRef: "ref",
	KwReturn: "return", KwSelfValue: "self", KwSelfType: "Self", KwStatic: "static", KwStruct: "struct",
	KwSuper: "super", KwTrait: "trait", KwTrue: "true", KwType: "type", KwUnsafe: "unsafe", KwUse: "use",
	KwWhere: "where", KwWhile: "while", KwUnderscore: "_",
}

// String returns the token's spelling for punctuation and keywords and an upper-case name otherwise.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// IsKeyword reports whether k is a keyword kind.
func (k Kind) IsKeyword() bool { return k > keywordBeg && k < keywordEnd }

// IsLiteral reports whether k is a character, string, byte, C string or numeric literal kind.
func (k Kind) IsLiteral() bool { return k >= Char && k <= Float }

// IsString reports whether k is one of the six string-like literal kinds (str, byte str, C str, raw).
func (k Kind) IsString() bool { return k >= Str && k <= RawCStr }

// IsComment reports whether k is a comment or doc comment.
func (k Kind) IsComment() bool { return k >= Comment && k <= InnerDocComment }

// keyword maps an identifier's bytes to its keyword kind, or Ident. The string conversion in a
// switch does not allocate.
func keyword(b []byte) Kind {
	if len(b) < 1 || len(b) > 8 {
		return Ident
	}
	switch string(b) {
	case "as":
		return KwAs
	case "async":
		return KwAsync
	case "await":
		return KwAwait
	case "break":
		return KwBreak
	case "const":
		return KwConst
	case "continue":
		return KwContinue
	case "crate":
		return KwCrate
	case "dyn":
		return KwDyn
	case "else":
		return KwElse
	case "enum":
		return KwEnum
	case "extern":
		return KwExtern
	case "false":
		return KwFalse
	case "fn":
		return KwFn
	case "for":
		return KwFor
	case "if":
		return KwIf
	case "impl":
		return KwImpl
	case "in":
		return KwIn
	case "let":
		return KwLet
	case "loop":
		return KwLoop
	case "match":
		return KwMatch
	case "mod":
		return KwMod
	case "move":
		return KwMove
	case "mut":
		return KwMut
	case "pub":
		return KwPub
	case "ref":
		return KwRef
	case "return":
		return KwReturn
	case "self":
		return KwSelfValue
	case "Self":
		return KwSelfType
	case "static":
		return KwStatic
	case "struct":
		return KwStruct
	case "super":
		return KwSuper
	case "trait":
		return KwTrait
	case "true":
		return KwTrue
	case "type":
		return KwType
	case "unsafe":
		return KwUnsafe
	case "use":
		return KwUse
	case "where":
		return KwWhere
	case "while":
		return KwWhile
	case "_":
		return KwUnderscore
	}
	return Ident
}

// Token flags.
const (
	// FlagRaw marks a raw identifier (r#type) or raw lifetime ('r#a).
	FlagRaw uint8 = 1 << iota
	// FlagUnterminated marks a string, char or block comment that reached end of input.
	FlagUnterminated
	// FlagBadEscape marks a literal with an escape the scanner could not read.
	FlagBadEscape
	// FlagUnclosed marks an opening delimiter that was never closed (see ParsedFile.Match).
	FlagUnclosed
	// FlagStray marks a closing delimiter without an opening one; the parser ignores it.
	FlagStray
)

// Token is one lexical token: a byte range of the source and its kind. It holds no text: use
// File.Bytes or File.Text. Offsets are int32, so a file is at most 2 GiB (the scanner refuses more).
type Token struct {
	Off   int32 // byte offset of the first byte
	End   int32 // byte offset just past the last byte
	Kind  Kind
	Flags uint8
}

// Len is the token's length in bytes.
func (t Token) Len() int { return int(t.End - t.Off) }

// MaxFileSize bounds the size of one source file the scanner accepts: offsets are int32.
const MaxFileSize = 1<<31 - 1

// File is one source file: its name, its bytes and a line table built on first use. The bytes must
// not change after NewFile: strings returned by Text share memory with them.
type File struct {
	Name  string
	Src   []byte
	lines []int32 // offsets of line starts; built lazily
}

// NewFile wraps src. It does not copy src.
func NewFile(name string, src []byte) *File {
	return &File{Name: name, Src: src}
}

// Bytes returns the token's bytes, sharing memory with the source.
func (f *File) Bytes(t Token) []byte { return f.Src[t.Off:t.End] }

// Text returns the token's text without copying: the string shares memory with File.Src, which is
// why Src must never be modified.
func (f *File) Text(t Token) string { return f.span(int(t.Off), int(t.End)) }

// span returns src[off:end] as a string without copying.
func (f *File) span(off, end int) string {
	if end <= off {
		return ""
	}
	return unsafe.String(&f.Src[off], end-off)
}

// Position is a human position in a file. Line and Column are 1-based; Column counts bytes.
type Position struct {
	Filename string `json:"file,omitempty"`
	Offset   int    `json:"offset"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

func (p Position) String() string {
	if p.Filename == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Position converts a byte offset to file:line:column. Offsets outside the file are clamped.
func (f *File) Position(off int) Position {
	if f.lines == nil {
		f.buildLines()
	}
	if off < 0 {
		off = 0
	}
	if off > len(f.Src) {
		off = len(f.Src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return int(f.lines[i]) > off }) - 1
	return Position{Filename: f.Name, Offset: off, Line: i + 1, Column: off - int(f.lines[i]) + 1}
}

// LineCount is the number of lines in the file (a final line without newline counts).
func (f *File) LineCount() int {
	if f.lines == nil {
		f.buildLines()
	}
	return len(f.lines)
}

func (f *File) buildLines() {
	lines := make([]int32, 1, len(f.Src)/32+1)
	for i, c := range f.Src {
		if c == '\n' {
			lines = append(lines, int32(i+1))
		}
	}
	f.lines = lines
}

// StringValue returns the value of a string-like literal token (str, byte str, C str, raw forms)
// with escapes decoded. Without escapes the result shares memory with the source. ok is false for
// other tokens and for unterminated or badly escaped literals (the raw text between the quotes is
// still returned).
func StringValue(f *File, t Token) (s string, ok bool) {
	if !t.Kind.IsString() || t.Flags&FlagUnterminated != 0 {
		return "", false
	}
	b := f.Src[t.Off:t.End]
	// Strip the prefix, hashes and quotes.
	i := 0
	for i < len(b) && b[i] != '"' && b[i] != '#' {
		i++
	}
	hashes := 0
	for i < len(b) && b[i] == '#' {
		hashes++
		i++
	}
	start, end := int(t.Off)+i+1, int(t.End)-hashes-1
	if start > end {
		return "", false
	}
	if t.Kind == RawStr || t.Kind == RawByteStr || t.Kind == RawCStr {
		return f.span(start, end), true
	}
	body := f.Src[start:end]
	if bytes.IndexByte(body, '\\') < 0 {
		return f.span(start, end), true
	}
	return unescape(body)
}

// unescape decodes Rust string escapes: \n \r \t \\ \0 \' \" \xNN \u{...} and line continuations.
func unescape(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	ok := true
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch b[i] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case '0':
			out = append(out, 0)
		case '\\', '\'', '"':
			out = append(out, b[i])
		case 'x':
			if i+2 < len(b) && isHexDigit(b[i+1]) && isHexDigit(b[i+2]) {
				out = append(out, byte(hexVal(b[i+1])<<4|hexVal(b[i+2])))
				i += 2
			} else {
				ok = false
			}
		case 'u':
			end := bytes.IndexByte(b[i:], '}')
			if i+1 < len(b) && b[i+1] == '{' && end > 2 && end <= 10 {
				var r rune
				for _, h := range b[i+2 : i+end] {
					if h != '_' {
						r = r<<4 | rune(hexVal(h))
					}
				}
				out = utf8.AppendRune(out, r)
				i += end
			} else {
				ok = false
			}
		case '\n', '\r':
			for i+1 < len(b) && isSpaceASCII(b[i+1]) {
				i++
			}
		default:
			ok = false
			out = append(out, '\\', b[i])
		}
	}
	return string(out), ok
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}
