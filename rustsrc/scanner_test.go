package rustsrc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// lex returns "KIND:text" for every token of src, comments included.
func lex(src string) []string {
	var s Scanner
	s.Init([]byte(src), ScanComments)
	var out []string
	for {
		t := s.Next()
		if t.Kind == EOF {
			return out
		}
		out = append(out, t.Kind.String()+":"+src[t.Off:t.End])
	}
}

func TestScannerTokens(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // tokens joined by spaces
	}{
		{"char vs lifetime", `'a' 'a 'static '\n' '\u{1F600}' '\'' 'é'`,
			`CHAR:'a' LIFETIME:'a LIFETIME:'static CHAR:'\n' CHAR:'\u{1F600}' CHAR:'\'' CHAR:'é'`},
		{"lifetime in generics", `fn f<'a>(x: &'a str) -> &'a str`,
			`fn:fn IDENT:f <:< LIFETIME:'a >:> (:( IDENT:x ::: &:& LIFETIME:'a IDENT:str ):) ->:-> &:& LIFETIME:'a IDENT:str`},
		{"raw lifetime", `'r#fn`, `LIFETIME:'r#fn`},
		{"raw strings", `r"a\b" r#"x "quoted" y"# r##"has "# inside"## br#"b"# cr"c"`,
			`RAW_STR:r"a\b" RAW_STR:r#"x "quoted" y"# RAW_STR:r##"has "# inside"## RAW_BYTE_STR:br#"b"# RAW_C_STR:cr"c"`},
		{"strings", `"a\"b" b"by\x00" c"cs" "multi
line"`, `STR:"a\"b" BYTE_STR:b"by\x00" C_STR:c"cs" STR:"multi
line"`},
		{"byte char", `b'a' b'\'' b'\\'`, `BYTE:b'a' BYTE:b'\'' BYTE:b'\\'`},
		{"raw ident", `r#type r#match r`, `IDENT:r#type IDENT:r#match IDENT:r`},
		{"idents not prefixes", `b c br cr rb bx`, `IDENT:b IDENT:c IDENT:br IDENT:cr IDENT:rb IDENT:bx`},
		{"range vs float", `1..2 1.0 1. 1...2 1..=2`,
			`INT:1 ..:.. INT:2 FLOAT:1.0 FLOAT:1. INT:1 ...:... INT:2 INT:1 ..=:..= INT:2`},
		{"tuple index", `x.0.1 t.0 .1`, `IDENT:x .:. INT:0 .:. INT:1 IDENT:t .:. INT:0 .:. INT:1`},
		{"method on int", `1.max(2)`, `INT:1 .:. IDENT:max (:( INT:2 ):)`},
		{"numbers", `0x1F_u8 0o777 0b1010_1010i32 1_000u64 1e10 2.5E-3f64 1f32 3e+5 0xe5 1_f64`,
			`INT:0x1F_u8 INT:0o777 INT:0b1010_1010i32 INT:1_000u64 FLOAT:1e10 FLOAT:2.5E-3f64 FLOAT:1f32 FLOAT:3e+5 INT:0xe5 FLOAT:1_f64`},
		{"nested comments", `a /* x /* y */ z */ b`, `IDENT:a COMMENT:/* x /* y */ z */ IDENT:b`},
		{"doc comments", "/// outer\n//! inner\n//// plain\n/** block doc */ /*! inner block */ /**/ /*** x */",
			`OUTER_DOC:/// outer INNER_DOC://! inner COMMENT://// plain OUTER_DOC:/** block doc */ INNER_DOC:/*! inner block */ COMMENT:/**/ COMMENT:/*** x */`},
		{"punctuation", `+ - * / % ^ ! & | && || << >> += -= *= /= %= ^= &= |= <<= >>= = == != > < >= <= @ . .. ... ..= , ; : :: -> => <- # $ ? ~ ( ) [ ] { }`,
			`+:+ -:- *:* /:/ %:% ^:^ !:! &:& |:| &&:&& ||:|| <<:<< >>:>> +=:+= -=:-= *=:*= /=:/= %=:%= ^=:^= &=:&= |=:|= <<=:<<= >>=:>>= =:= ==:== !=:!= >:> <:< >=:>= <=:<= @:@ .:. ..:.. ...:... ..=:..= ,:, ;:; ::: ::::: ->:-> =>:=> <-:<- #:# $:$ ?:? ~:~ (:( ):) [:[ ]:] {:{ }:}`},
		{"keywords", `fn Self self _ _x union`, `fn:fn Self:Self self:self _:_ IDENT:_x IDENT:union`},
		{"unicode ident", `let π = 3; let 变量 = 1;`, `let:let IDENT:π =:= INT:3 ;:; let:let IDENT:变量 =:= INT:1 ;:;`},
		{"shebang", "#!/usr/bin/env run-cargo-script\nfn main(){}", `fn:fn IDENT:main (:( ):) {:{ }:}`},
		{"inner attr not shebang", "#![allow(x)]", `#:# !:! [:[ IDENT:allow (:( IDENT:x ):) ]:]`},
		{"illegal run", "a \x00\x01` b", "IDENT:a ILLEGAL:\x00\x01` IDENT:b"},
		{"lone quote", `' x`, `CHAR:' IDENT:x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(lex(tc.src), " ")
			if got != tc.want {
				t.Errorf("lex(%q)\n got: %s\nwant: %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestScannerUnterminated(t *testing.T) {
	for _, src := range []string{`"abc`, `r#"abc"`, `/* a /* b */`, `b"x`, `'\u{12`} {
		var s Scanner
		s.Init([]byte(src), ScanComments)
		for t := s.Next(); t.Kind != EOF; t = s.Next() {
		}
		if s.ErrorCount == 0 {
			t.Errorf("%q: no error counted", src)
		}
	}
}

func TestScannerInvalidUTF8(t *testing.T) {
	src := "fn a() { \xff\xfe \"\xff\" }"
	toks := lex(src)
	joined := strings.Join(toks, " ")
	if !strings.Contains(joined, "ILLEGAL:\xff\xfe") || !strings.Contains(joined, "STR:\"\xff\"") {
		t.Errorf("got %q", joined)
	}
}

func TestPosition(t *testing.T) {
	src := "fn a() {}\n\n  let x = \"é\";\nz"
	f := NewFile("lib.rs", []byte(src))
	toks, _, _ := Tokenize(f.Src, nil, 0)
	var z Token
	for _, tk := range toks {
		if f.Text(tk) == "z" {
			z = tk
		}
	}
	if p := f.Position(int(z.Off)); p.Line != 4 || p.Column != 1 || p.String() != "lib.rs:4:1" {
		t.Errorf("z at %v", p)
	}
	if p := f.Position(strings.Index(src, "let")); p.Line != 3 || p.Column != 3 {
		t.Errorf("let at %v", p)
	}
	if f.LineCount() != 4 {
		t.Errorf("LineCount %d", f.LineCount())
	}
}

func TestTokenizeLimit(t *testing.T) {
	src := []byte(strings.Repeat("a ", 100))
	toks, _, trunc := Tokenize(src, nil, 10)
	if len(toks) != 10 || trunc != 20 {
		t.Errorf("got %d tokens, truncated at %d", len(toks), trunc)
	}
}

// FuzzScanner checks that the scanner always advances, covers the input in order, and never panics.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"'a' 'b", `r##"x"#`, "/* /* */", "b'", "0x", "1e", "x.0.1", "\xff'", "#!", "'\\u{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var s Scanner
		s.Init(src, ScanComments)
		last := int32(0)
		for n := 0; ; n++ {
			tk := s.Next()
			if tk.Off < last || tk.End < tk.Off || int(tk.End) > len(src) {
				t.Fatalf("bad token %+v after %d", tk, last)
			}
			if tk.Kind == EOF {
				break
			}
			if tk.End == tk.Off {
				t.Fatalf("empty token %+v", tk)
			}
			if tk.Kind.IsString() {
				StringValue(NewFile("fuzz.rs", src), tk)
			}
			last = tk.End
			if n > len(src)+1 {
				t.Fatal("more tokens than bytes")
			}
		}
		_ = utf8.Valid(src)
	})
}
