package macroexpand

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/rustsrc"
)

// lex tokenises src; ok is false when the scanner met bytes it could not read.
func lex(src string) (toks []Token, ok bool) {
	f := rustsrc.NewFile("input.rs", []byte(src))
	raw, errs, _ := rustsrc.Tokenize(f.Src, nil, 0)
	toks = make([]Token, len(raw))
	for i, t := range raw {
		toks[i] = Token{Kind: t.Kind, Text: f.Text(t)}
	}
	return toks, errs == 0
}

// sourceTokens is toks as rustsrc reads them from source: $crate is two tokens there.
func sourceTokens(toks []Token) []Token {
	var out []Token
	for _, t := range toks {
		if t == crateToken {
			out = append(out, Token{Kind: rustsrc.Dollar, Text: "$"}, Token{Kind: rustsrc.KwCrate, Text: "crate"})
			continue
		}
		out = append(out, t)
	}
	return out
}

// compileFile compiles every macro_rules! of src the way the call graph will: through
// rustsrc.Parse and Tokens.
func compileFile(t testing.TB, src string) map[string]*Macro {
	t.Helper()
	pf := rustsrc.Parse(rustsrc.NewFile("lib.rs", []byte(src)), nil)
	ms := map[string]*Macro{}
	for _, it := range pf.Items {
		if it.Kind != rustsrc.ItemMacroRules {
			continue
		}
		mc := pf.Macros[it.Macro]
		m, err := Compile(it.Name, Tokens(pf, int(mc.Open)+1, int(mc.Close)))
		if err != nil {
			t.Fatalf("compile %s: %v", it.Name, err)
		}
		ms[it.Name] = m
	}
	return ms
}

// bitflags is bitflags 1.3's two macros, reduced: the entry rule with its tt-muncher tail and
// the impl macro's constants and per-flag methods (in 1.3 they sit in the Debug impl's
// __BitFlags trait), attributes kept through the nested repetition.
const bitflags = `
#[macro_export(local_inner_macros)]
macro_rules! bitflags {
    (
        $(#[$outer:meta])*
        $vis:vis struct $BitFlags:ident: $T:ty {
            $(
                $(#[$inner:ident $($args:tt)*])*
                const $Flag:ident = $value:expr;
            )*
        }

        $($t:tt)*
    ) => {
        $(#[$outer])*
        #[derive(Copy, PartialEq, Eq, Clone, PartialOrd, Ord, Hash)]
        $vis struct $BitFlags($T);

        __impl_bitflags! {
            $BitFlags: $T {
                $(
                    $(#[$inner $($args)*])*
                    $Flag = $value;
                )*
            }
        }

        bitflags! {
            $($t)*
        }
    };
    () => {};
}

#[macro_export(local_inner_macros)]
#[doc(hidden)]
macro_rules! __impl_bitflags {
    (
        $BitFlags:ident: $T:ty {
            $(
                $(#[$attr:ident $($args:tt)*])*
                $Flag:ident = $value:expr;
            )*
        }
    ) => {
        impl $BitFlags {
            $(
                $(#[$attr $($args)*])*
                pub const $Flag: Self = Self { bits: $value };
            )*

            #[inline]
            pub const fn bits(&self) -> $T { self.bits }

            #[inline]
            pub fn from_bits(bits: $T) -> $crate::_core::option::Option<Self> {
                if (bits & !Self::all().bits()) == 0 {
                    $crate::_core::option::Option::Some(Self { bits })
                } else {
                    $crate::_core::option::Option::None
                }
            }
        }

        impl __BitFlags for $BitFlags {
            $(
                #[inline]
                $(#[$attr $($args)*])*
                fn $Flag(&self) -> bool {
                    self.bits & Self::$Flag.bits == Self::$Flag.bits
                }
            )*
        }
    };
}
`

// others are real-world shapes: rustc-demangle's parse!, vec!, a tt-muncher, a map literal, and
// one macro per fragment kind.
const others = `
macro_rules! parse {
    ($printer:ident, $method:ident $(($($arg:expr),*))*) => {
        match $printer.parser {
            Ok(ref mut parser) => match parser.$method($($($arg),*)*) {
                Ok(x) => x,
                Err(err) => {
                    $printer.print(err)?;
                    $printer.parser = Err(err);
                    return Ok(());
                }
            }
            Err(_) => return $printer.print("?"),
        }
    };
}

macro_rules! try_parse {
    (self, $method:ident) => { self.parser.$method()? };
    ($p:ident, $method:ident) => { $p.parser.$method()? };
    ($p:ident, $method:ident ($($arg:expr),*)) => { $p.parser.$method($($arg),*)? };
}

macro_rules! myvec {
    ($elem:expr; $n:expr) => { $crate::vec::from_elem($elem, $n) };
    ($($x:expr),* $(,)?) => { <[_]>::into_vec(Box::new([$($x),*])) };
}

macro_rules! munch {
    () => {};
    (fn $name:ident; $($rest:tt)*) => { register($name); munch!($($rest)*); };
    ($head:tt $($rest:tt)*) => { skip(stringify!($head)); munch!($($rest)*); };
}

macro_rules! map {
    ($($k:expr => $v:expr),* $(,)?) => {{
        let mut m = HashMap::new();
        $( m.insert($k, $v); )*
        m
    }};
}

macro_rules! typed {
    ($name:ident : $t:ty { $($body:tt)* }) => { let $name: $t = <$t>::default(); $($body)* };
}

macro_rules! impls {
    ($($p:path),+ => $t:ty) => { $( impl $p for $t {} )+ };
}

macro_rules! consts {
    ($($v:vis const $name:ident : &$l:lifetime str = $lit:literal;)*) => {
        $( $v const $name: &$l str = $lit; )*
    };
    ($($n:ident = $x:literal),*) => { $( const $n: i64 = $x; )* };
}

macro_rules! arms {
    ($($($p:pat_param)|+ => $e:expr),*) => { match x { $( $($p)|+ => $e, )* _ => {} } };
}

macro_rules! arm21 {
    ($p:pat => $e:expr) => { if let $p = x { $e } };
}

macro_rules! items {
    ($($i:item)*) => { $( #[cfg(test)] $i )* };
}

macro_rules! attrs {
    ($(#[$m:meta])* $b:block) => { $( #[$m] )* fn f() $b };
}

macro_rules! stmts {
    ($($s:stmt);*) => { $( $s; )* };
}

macro_rules! ops {
    ($e:expr) => { $e * 2 + $e.abs() };
}

macro_rules! closures {
    ($($f:expr),*) => { $( call($f); )* };
}

macro_rules! tail {
    ($($x:expr),* ; $y:ident) => { $y($($x),*) };
    ($($x:ident)+ ? $($z:ident)?) => { $($x)+ $(last($z))? };
}

macro_rules! depths {
    ($v:ident <- $($x:expr),*) => { $( $v.push($x); )* };
    ($($a:ident [$($b:ident)*])*) => { $( $( $a.$b(); )* )* };
}

// shr holds matchers a >> in the input must be split for: beef's impl_eq! and tokio's
// generate_addr_of_methods!, reduced; and a tt that must take >> whole.
macro_rules! shr {
    ($($ptr:ty => <$with:ty>,)*) => { $( impl PartialEq<$with> for Cow<$ptr> {} )* };
    ($a:tt $op:tt $b:tt) => { $a $op $b };
    (impl<$($gen:ident)*> $struct_name:ty {$(
        fn $fn_name:ident(self: NonNull<Self>) -> NonNull<$field_type:ty> { &self$(.$field_name:tt)+ }
    )*}) => {
        impl<$($gen)*> $struct_name {$(
            unsafe fn $fn_name(me: NonNull<Self>) -> NonNull<$field_type> { addr_of_mut!((*me) $(.$field_name)+) }
        )*}
    };
}

macro_rules! nested {
    ($($outer:ident: [$($inner:ident),*]);*) => { $( fn $outer() { $( $inner($outer); )* } )* };
}
`

// expandTests are expansions of the macros of bitflags and others, the wants written as source.
var expandTests = []struct {
	macro, input, want string
}{
	{"bitflags", `
			#[derive(Default)]
			pub struct Flags: u32 {
				#[doc = "a"]
				const A = 0b0001;
				const B = 0b0010;
				const AB = Self::A.bits | Self::B.bits;
			}
			struct Other: u8 { const X = 1; }`,
		`#[derive(Default)] #[derive(Copy, PartialEq, Eq, Clone, PartialOrd, Ord, Hash)] pub struct Flags(u32); ` +
			`__impl_bitflags! { Flags: u32 { #[doc = "a"] A = 0b0001; B = 0b0010; AB = (Self::A.bits | Self::B.bits); } } ` +
			`bitflags! { struct Other: u8 { const X = 1; } }`},
	{"bitflags", ``, ``},
	{"__impl_bitflags", `Flags: u32 { #[doc = "a"] #[cfg(x)] A = 1; AB = Self::A.bits | 2; }`,
		`impl Flags { #[doc = "a"] #[cfg(x)] pub const A: Self = Self { bits: 1 }; pub const AB: Self = Self { bits: (Self::A.bits | 2) }; ` +
			`#[inline] pub const fn bits(&self) -> u32 { self.bits } ` +
			`#[inline] pub fn from_bits(bits: u32) -> $crate::_core::option::Option<Self> { if (bits & !Self::all().bits()) == 0 { $crate::_core::option::Option::Some(Self { bits }) } else { $crate::_core::option::Option::None } } } ` +
			`impl __BitFlags for Flags { ` +
			`#[inline] #[doc = "a"] #[cfg(x)] fn A(&self) -> bool { self.bits & Self::A.bits == Self::A.bits } ` +
			`#[inline] fn AB(&self) -> bool { self.bits & Self::AB.bits == Self::AB.bits } }`},
	{"parse", `self, ident`,
		`match self.parser { Ok(ref mut parser) => match parser.ident() { Ok(x) => x, Err(err) => { self.print(err)?; self.parser = Err(err); return Ok(()); } } Err(_) => return self.print("?"), }`},
	{"parse", `self, opt_integer_62(b's')`,
		`match self.parser { Ok(ref mut parser) => match parser.opt_integer_62(b's') { Ok(x) => x, Err(err) => { self.print(err)?; self.parser = Err(err); return Ok(()); } } Err(_) => return self.print("?"), }`},
	{"try_parse", `self, hex_nibbles`, `self.parser.hex_nibbles()?`},
	{"try_parse", `printer, ident`, `printer.parser.ident()?`},
	{"try_parse", `p, skip(1, n + 1)`, `p.parser.skip(1, (n + 1))?`},
	{"myvec", `0u8; len * 2`, `$crate::vec::from_elem(0u8, (len * 2))`},
	{"myvec", `1, a + b, f(x, y), s.len(),`, `<[_]>::into_vec(Box::new([1, (a + b), f(x, y), s.len()]))`},
	{"myvec", ``, `<[_]>::into_vec(Box::new([]))`},
	{"munch", `fn a; x fn b;`, `register(a); munch!(x fn b;);`},
	{"munch", `x fn b;`, `skip(stringify!(x)); munch!(fn b;);`},
	{"munch", ``, ``},
	{"map", `"a" => 1, "b" => f(2), k => v + 1,`,
		`{ let mut m = HashMap::new(); m.insert("a", 1); m.insert("b", f(2)); m.insert(k, (v + 1)); m }`},
	{"typed", `m: HashMap<K, Vec<V>> { m.clear(); }`,
		`let m: HashMap<K, Vec<V>> = <HashMap<K, Vec<V>>>::default(); m.clear();`},
	{"impls", `std::fmt::Debug, Clone, Into<Vec<u8>> => Foo<'a, T>`,
		`impl std::fmt::Debug for Foo<'a, T> {} impl Clone for Foo<'a, T> {} impl Into<Vec<u8>> for Foo<'a, T> {}`},
	{"consts", `pub(crate) const A: &'static str = "a"; const B: &'a str = r"b";`,
		`pub(crate) const A: &'static str = "a"; const B: &'a str = r"b";`},
	{"consts", `a = -1, b = 2.5, c = true, d = -false`, `const a: i64 = -1; const b: i64 = 2.5; const c: i64 = true; const d: i64 = -false;`},
	{"shr", `str => <String>, [T] => <Vec<Vec<T>>>, Vec<Vec<u8>> => <u8>,`,
		`impl PartialEq<String> for Cow<str> {} impl PartialEq<Vec<Vec<T>>> for Cow<[T]> {} impl PartialEq<u8> for Cow<Vec<Vec<u8>>> {}`},
	{"shr", `x >> y`, `x >> y`},
	{"shr", `impl<> Trailer { fn owned(self: NonNull<Self>) -> NonNull<linked_list::Pointers<Header>> { &self.owned.0 } }`,
		`impl<> Trailer { unsafe fn owned(me: NonNull<Self>) -> NonNull<linked_list::Pointers<Header>> { addr_of_mut!((*me).owned.0) } }`},
	{"arms", `Some(1) | None => 0, Ok(x) if x > 1 => x`,
		`match x { Some(1) | None => 0, Ok(x) if x > 1 => x, _ => {} }`},
	{"arm21", `Some(1) | None => f()`, `if let Some(1) | None = x { f() }`},
	{"items", `fn a() -> u8 { 1 } struct S; const X: S = S { a: 1 }; use a::{b, c}; impl<T: Tr<A = u8>> S { }`,
		`#[cfg(test)] fn a() -> u8 { 1 } #[cfg(test)] struct S; #[cfg(test)] const X: S = S { a: 1 }; #[cfg(test)] use a::{b, c}; #[cfg(test)] impl<T: Tr<A = u8>> S { }`},
	{"attrs", `#[inline] #[cfg(feature = "x")] { g() }`, `#[inline] #[cfg(feature = "x")] fn f() { g() }`},
	{"stmts", `let x = 1; x.f(); foo!(a, b)`, `let x = 1; x.f(); foo!(a, b);`},
	{"ops", `a - b`, `(a - b) * 2 + (a - b).abs()`},
	{"ops", `*x`, `(*x) * 2 + (*x).abs()`},
	{"ops", `f(x)`, `f(x) * 2 + f(x).abs()`},
	{"closures", `|a, b| a + b, move |x| x, HashMap::<K, V>::new(), <Vec<u8, A> as Tr>::f()`,
		`call((|a, b| a + b)); call((move |x| x)); call((HashMap::<K, V>::new())); call((<Vec<u8, A> as Tr>::f()));`},
	{"tail", `1, f(2) ; g`, `g(1, f(2))`},
	{"tail", `; g`, `g()`},
	{"tail", `a b ? c`, `a b last(c)`},
	{"tail", `a ?`, `a`},
	{"depths", `v <- 1, x`, `v.push(1); v.push(x);`},
	{"depths", `a [x y] b [] c [z]`, `a.x(); a.y(); c.z();`},
	{"nested", `a: [x, y]; b: []`, `fn a() { x(a); y(a); } fn b() { }`},
}

func TestExpand(t *testing.T) {
	ms := compileFile(t, bitflags+others)
	for _, tc := range expandTests {
		in, _ := lex(tc.input)
		out, err := ms[tc.macro].Expand(in, DefaultLimits())
		if err != nil {
			t.Errorf("%s!(%s): %v", tc.macro, tc.input, err)
			continue
		}
		if want, _ := lex(tc.want); !slices.Equal(sourceTokens(out), want) {
			t.Errorf("%s!(%s)\n got %s\nwant %s", tc.macro, tc.input, Render(out), tc.want)
		}
		if back, _ := lex(Render(out)); !slices.Equal(back, sourceTokens(out)) {
			t.Errorf("%s!(%s): Render(out) = %s reads back as other tokens", tc.macro, tc.input, Render(out))
		}
	}
}

func TestRender(t *testing.T) {
	for _, src := range []string{
		`self.parser.hex_nibbles()?`,
		`#[inline] pub const fn bits(& self) -> u32 { self.bits }`,
		`let m: HashMap < K, Vec < V >> = < HashMap < K, Vec < V >> >::default();`,
		`x.0 .1 .await; a![1]; f(- 1, ! x); r#type::< T >::f() {}`,
	} {
		toks, _ := lex(src)
		if got := Render(toks); got != src {
			t.Errorf("Render(lex(%s)) = %s", src, got)
		}
	}
}

func TestErrors(t *testing.T) {
	ms := compileFile(t, others+`
macro_rules! cubic {
    ($($a:tt)* $($b:tt)* $($c:tt)* !) => {};
}
macro_rules! blowup {
    ($($x:tt)*) => { $( $x $x $x $x )* };
}
macro_rules! norep { ($x:ident) => { $( $x )* }; }
macro_rules! counts { ($($a:ident)* ; $($b:ident)*) => { $( $a $b )* }; }
macro_rules! shallow { ($($a:ident)*) => { $a }; }
macro_rules! nofrag { ($a) => {}; (y) => {}; }
`)
	tests := []struct {
		macro, input string
		lim          Limits
		want         error
		msg          string
	}{
		{"try_parse", `1, 2`, Limits{}, ErrNoMatch, "3 rules"},
		{"impls", `Clone =>`, Limits{}, ErrNoMatch, ""},
		{"tail", `?`, Limits{}, ErrNoMatch, ""}, // + needs one iteration
		{"nofrag", `x`, Limits{}, ErrNoMatch, "2 rules"},
		{"cubic", strings.Repeat("x ", 300), Limits{}, ErrLimit, "matcher steps"},
		{"blowup", strings.Repeat("x ", 100), Limits{MaxOutput: 50}, ErrLimit, "more than 50 output tokens"},
		{"norep", `x`, Limits{}, ErrInvalid, "uses no metavariable repeating at depth 1"},
		{"counts", `x y ; z`, Limits{}, ErrInvalid, "$a repeats 2 times but $b 1 times"},
		{"shallow", `x y`, Limits{}, ErrInvalid, "$a is still repeating"},
		{"map", `(a => b`, Limits{}, ErrInvalid, "unclosed"},
		{"map", `a => b]`, Limits{}, ErrInvalid, "unbalanced"},
	}
	for _, tc := range tests {
		in, _ := lex(tc.input)
		_, err := ms[tc.macro].Expand(in, tc.lim)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s!(%.20s): error %v, want %v with %q", tc.macro, tc.input, err, tc.want, tc.msg)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ body, msg string }{
		{``, "no rules"},
		{`($x:expression) => {}`, `unknown fragment specifier "expression"`},
		{`($x:ident $x:tt) => {}`, "duplicate metavariable $x"},
		{`($($x:ident)) => {}`, "expected a separator and *, + or ?"},
		{`($($x:ident),?) => {}`, "expected a separator and *, + or ?"},
		{`($x:ident) {}`, "expected => and a delimited transcriber"},
		{`x => {}`, "expected a delimited matcher"},
		{`(a $) => {}`, "$ at the end"},
		{`($ 1) => {}`, `unexpected "1" after $`},
		{`(a)) => {}`, "unbalanced"},
		{strings.Repeat("(", 300) + strings.Repeat(")", 300) + ` => {}`, "nesting deeper than 256"},
	} {
		body, _ := lex(tc.body)
		_, err := Compile("m", body)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Compile(%.40s): %v, want %q", tc.body, err, tc.msg)
		}
	}
}

// FuzzExpand compiles a macro body and expands an input with it, both as source text. Neither may
// panic or overrun the limits, and what Render writes must read back as the output's tokens.
func FuzzExpand(f *testing.F) {
	pf := rustsrc.Parse(rustsrc.NewFile("lib.rs", []byte(bitflags+others)), nil)
	bodies := map[string]string{}
	for _, it := range pf.Items {
		if it.Kind == rustsrc.ItemMacroRules {
			mc := pf.Macros[it.Macro]
			bodies[it.Name] = string(pf.Src[pf.Tokens[mc.Open].End:pf.Tokens[mc.Close].Off])
		}
	}
	for _, tc := range expandTests {
		f.Add(bodies[tc.macro], tc.input)
	}
	f.Add(`($($a:tt)* $($b:tt)* !) => {}`, strings.Repeat("x ", 50))
	f.Add(`($($($x:ident),*);*) => { $($( $x )*)* }`, `a, b; c`)
	lim := Limits{MaxSteps: 1 << 14, MaxOutput: 1 << 12}
	f.Add("(/// ignored\n$($x:ident)*) => { /** kept */ $(f($x);)* }", "/// a doc\na //! inner\nb")
	// Through rustsrc.Parse and Tokens, as the call graph reads them: doc comments included.
	read := func(src string) ([]Token, bool) {
		pf := rustsrc.Parse(rustsrc.NewFile("fuzz.rs", []byte(src)), nil)
		return Tokens(pf, 0, len(pf.Tokens)), pf.SkipCounts[rustsrc.SkipLexError] == 0
	}
	f.Fuzz(func(t *testing.T, body, input string) {
		bt, cleanBody := read(body)
		m, err := Compile("m", bt)
		if err != nil {
			return
		}
		in, cleanInput := read(input)
		out, err := m.Expand(in, lim)
		if err != nil {
			return
		}
		if len(out) > lim.MaxOutput {
			t.Fatalf("%d output tokens", len(out))
		}
		if !cleanBody || !cleanInput || numberAfterDot(out) {
			return
		}
		// A newline first: "#!x" at the very start of a file is a shebang line.
		src := "\n" + Render(out)
		if back, _ := lex(src); !slices.Equal(back, sourceTokens(out)) {
			t.Fatalf("Render gives %q, which reads back as\n%v\nnot\n%v", src, back, sourceTokens(out))
		}
	})
}

// numberAfterDot reports whether a float or suffixed integer follows a `.`: rustsrc reads the
// digits there as a tuple index, so such output does not round-trip through source.
func numberAfterDot(toks []Token) bool {
	for i := 1; i < len(toks); i++ {
		if toks[i-1].Kind == rustsrc.Dot && (toks[i].Kind == rustsrc.Float ||
			toks[i].Kind == rustsrc.Int && strings.Trim(toks[i].Text, "0123456789_") != "") {
			return true
		}
	}
	return false
}

func BenchmarkExpandBitflags(b *testing.B) {
	ms := compileFile(b, bitflags)
	var src strings.Builder
	src.WriteString("#[derive(Default)] pub struct Flags: u32 {\n")
	for i := range 32 {
		fmt.Fprintf(&src, "#[doc = \"flag %d\"] const F%d = 1 << %d;\n", i, i, i)
	}
	src.WriteString("}")
	outer, _ := lex(src.String())
	b.ReportAllocs()
	for b.Loop() {
		out, err := ms["bitflags"].Expand(outer, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		// The nested __impl_bitflags! { .. } invocation, as the call graph will expand it.
		open := slices.IndexFunc(out, func(t Token) bool { return t.Kind == rustsrc.LBrace })
		pairs, _ := pairTokens(out)
		inner, err := ms["__impl_bitflags"].Expand(out[open+1:pairs[open]], DefaultLimits())
		if err != nil || len(inner) < 32*20 {
			b.Fatal(err, len(inner))
		}
	}
}

// TestDocComments expands invocations read through Tokens, which turns doc comments into the
// #[doc] attributes rustc passes to macros, and checks that a matcher's doc comments are ignored.
func TestDocComments(t *testing.T) {
	src := `
macro_rules! define_keywords {
    ($($token:tt pub struct $name:ident #[$doc:meta])*) => {
        $( #[$doc] pub struct $name; impl Token for $name { fn display() -> &'static str { $token } } )*
    };
}
macro_rules! arrays {
    ($(#[doc = $ctor:literal] #[doc = $mdn:literal] $name:ident: $ty:ident,)*) => ($( #[doc = $ctor] pub type $name = Vec<$ty>; )*);
}
macro_rules! features {
    ($( $name:ident {
        mask: $mask:expr,
        /// ignored by the matcher, as by rustc
        aarch64_apple: $apple:expr,
    } ),+ ,) => { $( pub const $name: u32 = $mask; )+ };
}
define_keywords! {
    "as" pub struct As /// ` + "`as`" + `
    "async" pub struct Async /** "quoted" \ */
}
arrays! {
    /// Int8Array()
    /// https://developer.mozilla.org/
    Int8Array: i8,
}
features! {
    // a plain comment
    NEON { mask: 1 << 0, aarch64_apple: true, },
}
`
	want := map[string]string{
		"define_keywords": "#[doc = \" `as`\"] pub struct As; impl Token for As { fn display() -> &'static str { \"as\" } } " +
			`#[doc = " \"quoted\" \\ "] pub struct Async; impl Token for Async { fn display() -> &'static str { "async" } }`,
		"arrays":   `#[doc = " Int8Array()"] pub type Int8Array = Vec<i8>;`,
		"features": `pub const NEON: u32 = (1 << 0);`,
	}
	ms := compileFile(t, src)
	pf := rustsrc.Parse(rustsrc.NewFile("lib.rs", []byte(src)), nil)
	if got := Tokens(pf, -3, 0); got != nil {
		t.Errorf("Tokens(pf, -3, 0) = %v", got)
	}
	if got := Tokens(pf, len(pf.Tokens)-1, 1<<30); len(got) != 1 || got[0].Text != "}" {
		t.Errorf("Tokens of the last token = %v", got)
	}
	for _, it := range pf.Items {
		if it.Kind != rustsrc.ItemMacroCall {
			continue
		}
		mc := pf.Macros[it.Macro]
		name := mc.Path[len(mc.Path)-1]
		out, err := ms[name].Expand(Tokens(pf, int(mc.Open)+1, int(mc.Close)), DefaultLimits())
		if err != nil {
			t.Errorf("%s!: %v", name, err)
			continue
		}
		if w, _ := lex(want[name]); !slices.Equal(out, w) {
			t.Errorf("%s!\n got %s\nwant %s", name, Render(out), want[name])
		}
	}
}

// Marks on input tokens survive into the expansion; tokens the rules write carry none, and
// RenderMarked reports where the marked ones are.
func TestCallerMarks(t *testing.T) {
	body, _ := lex(`($e:expr) => { f(&$e) };`)
	m, err := Compile("wrap", body)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := lex(`a.b()`)
	for i := range in {
		in[i].Caller = true
	}
	out, err := m.Expand(in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	text, marked := RenderMarked(out)
	if len(marked) != 1 || text[marked[0][0]:marked[0][1]] != "a.b()" {
		t.Fatalf("%q: marked %v", text, marked)
	}
}
