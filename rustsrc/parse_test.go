package rustsrc

import (
	"fmt"
	"strings"
	"testing"
)

func parse(t *testing.T, src string) *ParsedFile {
	t.Helper()
	return Parse(NewFile("test.rs", []byte(src)), nil)
}

// itemSummary renders items as "kind name" with parent names, e.g. "fn f in impl Foo".
func itemSummary(pf *ParsedFile) []string {
	var out []string
	for _, it := range pf.Items {
		s := it.Kind.String() + " " + it.Name
		if it.Kind == ItemImpl {
			s += it.SelfName
			if it.TraitName != "" {
				s += ":" + it.TraitName
			}
		}
		if it.Parent != None {
			par := pf.Items[it.Parent]
			s += " in " + par.Kind.String() + " " + par.Name + par.SelfName
		}
		out = append(out, s)
	}
	return out
}

func callSummary(pf *ParsedFile) []string {
	var out []string
	for _, c := range pf.Calls {
		s := strings.Join(c.Path, "::")
		if c.QSelf != "" {
			s = "<" + c.QSelf
			if c.QTrait != "" {
				s += " as " + c.QTrait
			}
			s += ">::" + strings.Join(c.Path, "::")
		}
		if c.Kind == CallMethod {
			s = c.Receiver + "." + s
		}
		if c.Turbofish {
			s += "<>"
		}
		if c.Fn != None {
			s += " @" + pf.Items[c.Fn].Name
		}
		if c.Macro != None {
			s += " !" + strings.Join(pf.Macros[c.Macro].Path, "::")
		}
		out = append(out, s)
	}
	return out
}

func checkList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

func TestParseItems(t *testing.T) {
	src := `
#![allow(dead_code)]
//! crate docs
use std::collections::HashMap;
extern crate serde as sd;
extern crate libc;
mod file_mod;
#[path = "other/x.rs"]
mod renamed;
pub(crate) mod inline {
    pub fn f() {}
    mod deeper { fn g() {} }
}
pub unsafe fn raw() {}
const fn cf() -> u8 { 1 }
async fn af() {}
pub extern "C" fn exported(x: i32) -> i32 { x }
#[no_mangle]
pub unsafe extern "system" fn sys() {}
struct S<T> where T: Copy { a: T }
struct Tuple(u8, pub u16);
struct Unit;
enum E { A, B(u8), C { x: i32 } }
union U { a: u32, b: f32 }
type Alias<T> = Vec<T>;
const MAX: usize = compute(3);
static mut COUNTER: u32 = 0;
pub trait Tr: Clone {
    type Out;
    const K: u8;
    fn required(&self);
    fn provided(&self) -> u8 { self.required(); 1 }
}
unsafe trait Marker {}
impl<T: Clone> Tr for S<T> {
    type Out = ();
    const K: u8 = 2;
    fn required(&self) {}
}
unsafe impl Marker for &'static mut Unit {}
impl<'a, T> S<T> where T: Fn(u8) -> u8 { fn method(&'a mut self) {} fn assoc() {} }
impl !Send for Unit {}
extern "C" {
    fn abs(x: i32) -> i32;
    static errno: i32;
}
unsafe extern "C" { pub safe fn sqrt(x: f64) -> f64; }
macro_rules! my_macro { ($x:expr) => { $x + 1 }; }
lazy_static::lazy_static! { static ref M: HashMap<u8, u8> = HashMap::new(); }
`
	pf := parse(t, src)
	checkList(t, "items", itemSummary(pf), []string{
		"use ", "extern crate serde", "extern crate libc", "mod file_mod", "mod renamed", "mod inline",
		"fn f in mod inline", "mod deeper in mod inline", "fn g in mod deeper",
		"fn raw", "fn cf", "fn af", "fn exported", "fn sys",
		"struct S", "struct Tuple", "struct Unit", "enum E", "union U", "type Alias", "const MAX", "static COUNTER",
		"trait Tr", "type Out in trait Tr", "const K in trait Tr", "fn required in trait Tr", "fn provided in trait Tr",
		"trait Marker", "impl S:Tr", "type Out in impl S", "const K in impl S", "fn required in impl S",
		"impl Unit:Marker", "impl S", "fn method in impl S", "fn assoc in impl S", "impl Unit:Send",
		"extern block ", "fn abs in extern block ", "static errno in extern block ",
		"extern block ", "fn sqrt in extern block ",
		"macro_rules my_macro", "macro call lazy_static",
	})
	byName := map[string]Item{}
	for _, it := range pf.Items {
		byName[it.Kind.String()+" "+it.Name] = it
	}
	if len(pf.InnerAttrs) != 1 || pf.InnerAttrs[0].Path != "allow" {
		t.Errorf("inner attrs %+v", pf.InnerAttrs)
	}
	if it := byName["extern crate serde"]; it.Alias != "sd" {
		t.Errorf("alias %q", it.Alias)
	}
	if it := byName["mod renamed"]; len(it.Attrs) != 1 || it.Attrs[0].Path != "path" || it.Attrs[0].Value != "other/x.rs" || it.Inline {
		t.Errorf("mod renamed %+v", it)
	}
	if it := byName["mod inline"]; !it.Inline || it.Vis != "pub(crate)" {
		t.Errorf("mod inline %+v", it)
	}
	if it := byName["fn raw"]; !it.Unsafe || it.Vis != "pub" {
		t.Errorf("fn raw %+v", it)
	}
	if !byName["fn cf"].Const || !byName["fn af"].Async {
		t.Error("const/async fn flags")
	}
	if it := byName["fn exported"]; !it.Extern || it.ABI != "C" {
		t.Errorf("fn exported %+v", it)
	}
	if it := byName["fn sys"]; it.ABI != "system" || !it.Unsafe || len(it.Attrs) != 1 || it.Attrs[0].Path != "no_mangle" {
		t.Errorf("fn sys %+v", it)
	}
	if !byName["trait Marker"].Unsafe {
		t.Error("unsafe trait")
	}
	var impls []Item
	for _, it := range pf.Items {
		if it.Kind == ItemImpl {
			impls = append(impls, it)
		}
	}
	if impls[0].SelfType != "S<T>" || impls[0].Trait != "Tr" {
		t.Errorf("impl 0 %q for %q", impls[0].Trait, impls[0].SelfType)
	}
	if !impls[1].Unsafe || impls[1].SelfType != "&'static mut Unit" || impls[1].SelfName != "Unit" {
		t.Errorf("impl 1 %+v", impls[1])
	}
	if !impls[3].Negative || impls[3].TraitName != "Send" {
		t.Errorf("impl 3 %+v", impls[3])
	}
	if !byName["fn method"].HasSelf || byName["fn assoc"].HasSelf || !byName["fn required"].HasSelf {
		t.Error("HasSelf")
	}
	for _, it := range pf.Items {
		if it.Name == "required" && pf.Items[it.Parent].Kind == ItemTrait && (it.BodyStart != 0 || it.BodyEnd != 0) {
			t.Errorf("declaration has a body %+v", it)
		}
	}
	if it := byName["fn abs"]; it.Parent == None || pf.Items[it.Parent].ABI != "C" {
		t.Errorf("foreign fn %+v", it)
	}
	if len(pf.Skipped) != 0 {
		t.Errorf("skipped %+v", pf.Skipped)
	}
	checkList(t, "calls", callSummary(pf), []string{
		"compute @MAX", "self.required @provided", "HashMap::new !lazy_static::lazy_static",
	})
}

func TestParseUseTrees(t *testing.T) {
	pf := parse(t, `
use std::{collections::{HashMap, hash_map::Entry as E}, io::{self, Read as _}, fmt::*};
pub use crate::inner::Thing;
pub(crate) use super::sibling as sib;
use ::core::mem;
use self::a::{b::{self}, c};
fn f() { use std::fs::File; }
`)
	var got []string
	for _, u := range pf.Uses {
		s := strings.Join(u.Path, "::")
		if u.Glob {
			s += "::*"
		}
		if u.Alias != "" {
			s += " as " + u.Alias
		}
		if u.Vis != "" {
			s = u.Vis + " " + s
		}
		if u.Scope != None {
			s += " in " + pf.Items[u.Scope].Name
		}
		s += " =" + u.Name()
		got = append(got, s)
	}
	checkList(t, "uses", got, []string{
		"std::collections::HashMap =HashMap", "std::collections::hash_map::Entry as E =E", "std::io =io",
		"std::io::Read as _ =_", "std::fmt::* =", "pub crate::inner::Thing =Thing",
		"pub(crate) super::sibling as sib =sib", "core::mem =mem", "self::a::b =b", "self::a::c =c",
		"std::fs::File in f =File",
	})
}

func TestParseCalls(t *testing.T) {
	pf := parse(t, `
fn main() {
    let v = Vec::<u8>::with_capacity(10);
    a::b::c(1, 2);
    Self::assoc();
    <T as Trait>::method(&x);
    <Vec<u8>>::new();
    x.m();
    x.collect::<Vec<_>>();
    self.field.call(3);
    foo().bar();
    println!("{}", y.len());
    let f: Box<dyn Fn(u8) -> u8> = Box::new(|z| z + 1);
    if a < b { c() }
    let t = x.0.1;
    nested::<u8>();
    fn inner() { helper(); }
    after();
    let r = unsafe { ffi::call() };
    #[cfg(feature = "x")]
    gated();
    format!("{}", vec![Item::new()].len());
}
`)
	checkList(t, "calls", callSummary(pf), []string{
		"Vec::with_capacity<> @main", "a::b::c @main", "Self::assoc @main", "<T as Trait>::method @main",
		"<Vec<u8>>::new @main", "x.m @main", "x.collect<> @main", ".call @main", "foo @main", ".bar @main",
		"y.len @main !println", "Box::new @main", "c @main", "nested<> @main",
		"helper @inner", "after @main", "ffi::call @main", "gated @main",
		"Item::new @main !vec", ".len @main !format",
	})
	if len(pf.Unsafe) != 1 || pf.Unsafe[0].Fn == None || pf.Items[pf.Unsafe[0].Fn].Name != "main" {
		t.Errorf("unsafe blocks %+v", pf.Unsafe)
	}
	var macros []string
	for _, m := range pf.Macros {
		s := strings.Join(m.Path, "::")
		if m.Parent != None {
			s += " in " + strings.Join(pf.Macros[m.Parent].Path, "::")
		}
		macros = append(macros, s)
	}
	checkList(t, "macros", macros, []string{"println", "format", "vec in format"})
	var lets []string
	for _, l := range pf.Lets {
		lets = append(lets, fmt.Sprintf("%s:%s:%v", l.Name, l.Type, l.FromInit))
	}
	checkList(t, "lets", lets, []string{"v:Vec:true", "f:Box:false"})
}

func TestParseLetHints(t *testing.T) {
	pf := parse(t, `fn f() {
    let file = std::fs::File::open("x");
    let mut map: HashMap<String, u8> = Default::default();
    let p = Point { x: 1 };
    let n = compute();
    let ref r: &mut Vec<u8> = w;
}`)
	var lets []string
	for _, l := range pf.Lets {
		lets = append(lets, fmt.Sprintf("%s:%s:%v", l.Name, l.Type, l.FromInit))
	}
	checkList(t, "lets", lets, []string{"file:std::fs::File:true", "map:HashMap:false", "p:Point:true", "r:Vec:false"})

	pf = parse(t, `fn g<T: Tr>(&self, a: &mut Foo, #[attr] b: Vec<u8>, (c, d): (u8, u8), e: impl Read, f: &'a dyn io::Write, mut g: T) {}`)
	lets = nil
	for _, l := range pf.Lets {
		lets = append(lets, fmt.Sprintf("%s:%s:%v", l.Name, l.Type, l.Param))
	}
	checkList(t, "params", lets, []string{"a:Foo:true", "b:Vec:true", "e:Read:true", "f:io::Write:true", "g:T:true"})
}

func TestParseStringLiterals(t *testing.T) {
	pf := parse(t, `fn f() { let a = "he\x6clo\n"; let b = r#"raw "x""#; let c = b"\xff"; let d = "plain"; }`)
	var got []string
	for _, tk := range pf.Tokens {
		if tk.Kind.IsString() {
			v, ok := StringValue(pf.File, tk)
			got = append(got, fmt.Sprintf("%s=%q/%v@%s", tk.Kind, v, ok, pf.Position(int(tk.Off))))
		}
	}
	checkList(t, "strings", got, []string{
		`STR="hello\n"/true@test.rs:1:18`, `RAW_STR="raw \"x\""/true@test.rs:1:40`,
		`BYTE_STR="\xff"/true@test.rs:1:62`, `STR="plain"/true@test.rs:1:79`,
	})
}

func TestParseRecovers(t *testing.T) {
	src := "fn ok1() { a(); }\n" +
		"fn broken( { b(); \n" + // unclosed paren closed by force
		"fn ok2() { c(); }\n" +
		"} } ]\n" + // stray closers
		"garbage tokens here;\n" +
		"fn ok3() { d(); }\n"
	pf := parse(t, src)
	var names []string
	for _, it := range pf.Items {
		if it.Kind == ItemFn {
			names = append(names, it.Name)
		}
	}
	if !strings.Contains(strings.Join(names, ","), "ok1") || !strings.Contains(strings.Join(names, ","), "ok3") {
		t.Errorf("fns %v", names)
	}
	reasons := map[SkipReason]int{}
	for _, s := range pf.Skipped {
		reasons[s.Reason]++
	}
	if reasons[SkipUnmatched] == 0 || reasons[SkipUnexpected] == 0 {
		t.Errorf("skips %v", reasons)
	}
	calls := strings.Join(callSummary(pf), ",")
	if !strings.Contains(calls, "a @ok1") || !strings.Contains(calls, "d @ok3") {
		t.Errorf("calls %s", calls)
	}
}

func TestParseDeepNesting(t *testing.T) {
	depth := 100000
	src := "fn f() " + strings.Repeat("{", depth) + "g();" + strings.Repeat("}", depth) + "\n" +
		strings.Repeat("mod m { ", 500) + "fn h() {}" + strings.Repeat(" }", 500) + "\n" +
		"fn last() { z(); }"
	pf := Parse(NewFile("deep.rs", []byte(src)), &Config{MaxDepth: 64})
	deep := 0
	for _, s := range pf.Skipped {
		if s.Reason == SkipTooDeep {
			deep++
		}
	}
	if deep == 0 {
		t.Error("no SkipTooDeep")
	}
	if calls := strings.Join(callSummary(pf), ","); !strings.Contains(calls, "g @f") || !strings.Contains(calls, "z @last") {
		t.Errorf("calls %s", calls)
	}
}

func TestParseTokenLimit(t *testing.T) {
	src := strings.Repeat("fn a() { b(); }\n", 1000)
	pf := Parse(NewFile("big.rs", []byte(src)), &Config{MaxTokens: 100})
	if len(pf.Tokens) != 100 || len(pf.Skipped) == 0 || pf.Skipped[len(pf.Skipped)-1].Reason != SkipTooManyTokens {
		t.Errorf("tokens %d skipped %+v", len(pf.Tokens), pf.Skipped)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleUnit))
	for _, s := range []string{"fn f( {", "impl<T for", "use a::{b::{", "<<<::f()", "mod m { mod n {", "#[a] #", "x!{y!(z![", "::!(0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		pf := Parse(NewFile("fuzz.rs", src), &Config{MaxDepth: 16})
		for _, it := range pf.Items {
			if it.Parent != None && (it.Parent < 0 || int(it.Parent) >= len(pf.Items)) {
				t.Fatalf("bad parent %d", it.Parent)
			}
		}
		for _, c := range pf.Calls {
			if c.Pos < 0 || int(c.Pos) > len(src) || len(c.Path) == 0 {
				t.Fatalf("bad call %+v", c)
			}
		}
		for _, s := range pf.Skipped {
			if s.Pos > s.End || int(s.End) > len(src) {
				t.Fatalf("bad skip %+v", s)
			}
		}
	})
}

func TestParseEditionAndConstGenerics(t *testing.T) {
	pf := parse(t, `
mod async;
pub fn async() { async::spawn(); }
type HexString = arrayvec::ArrayString<{ 2 * OUTBYTES }>;
impl<'a, T, const TAG: u32> Implicit<'a, T, { TAG }> { fn new() -> Self { make() } }
fn to_hex(&self) -> ArrayVec<Range<f64>, { MAX + 1 }> { hex() }
fn c() { check!('\\u{1_F_6_0_2}'); }
`)
	checkList(t, "items", itemSummary(pf), []string{
		"mod async", "fn async", "type HexString", "impl Implicit", "fn new in impl Implicit", "fn to_hex", "fn c",
	})
	checkList(t, "calls", callSummary(pf), []string{"async::spawn @async", "make @new", "hex @to_hex"})
	if len(pf.Skipped) != 0 {
		t.Errorf("skipped %+v", pf.Skipped)
	}
}

// adversarial returns n bytes of hostile input: deep nesting, stray and mismatched delimiters,
// invalid UTF-8 and long runs of angle brackets, ending in unterminated literals and comments
// (which run to the end of the input, so they can only come last).
func adversarial(n int) []byte {
	parts := []string{
		strings.Repeat("mod m { ", 1000) + strings.Repeat("}", 1000), strings.Repeat("{", 5000),
		strings.Repeat("(]", 2000), "fn f<" + strings.Repeat("<", 3000) + "> {",
		"\xff\xfe\xfd garbage \x00\x01", "'a 'b' '\\u{", strings.Repeat("}", 7000),
		"use a::{" + strings.Repeat("b::{", 2000), "x.0.1.2.3" + strings.Repeat(".m()", 1000),
		"impl<T for", "<<<<::f()", "r####\"x\"###\"####",
	}
	tail := "'\\u{ r####\" /* /* \"unterminated"
	var b strings.Builder
	for i := 0; b.Len() < n-len(tail); i++ {
		b.WriteString(parts[i%len(parts)])
		b.WriteByte('\n')
	}
	return []byte(b.String()[:n-len(tail)] + tail)
}

func TestParseAdversarialBounded(t *testing.T) {
	src := adversarial(4 << 20)
	pf := Parse(NewFile("hostile.rs", src), &Config{MaxTokens: 200_000})
	if len(pf.Tokens) > 200_000 {
		t.Errorf("%d tokens beyond the limit", len(pf.Tokens))
	}
	reasons := map[SkipReason]bool{}
	for _, s := range pf.Skipped {
		reasons[s.Reason] = true
		if s.Pos > s.End || int(s.End) > len(src) {
			t.Fatalf("bad skip %+v", s)
		}
	}
	for _, r := range []SkipReason{SkipLexError, SkipUnmatched, SkipUnclosed, SkipTooDeep, SkipTooManyTokens} {
		if pf.SkipCounts[r] == 0 {
			t.Errorf("no skip for %v", r)
		}
	}
	if len(pf.Skipped) > MaxSkips || !reasons[SkipLexError] {
		t.Errorf("%d skips listed", len(pf.Skipped))
	}
}

func TestParseAttributes(t *testing.T) {
	pf := parse(t, `
#[cfg(all(unix, feature = "x"))]
#[proc_macro_derive(Serialize, attributes(serde))]
pub fn derive(input: TokenStream) -> TokenStream { input }
#[unsafe(no_mangle)]
pub extern "C" fn hook() {}
#[cfg(test)]
mod tests {
    #![allow(unused)]
    #[test] fn t() {}
}
`)
	derive := pf.Items[0]
	if len(derive.Attrs) != 2 || derive.Attrs[0].Path != "cfg" || derive.Attrs[1].Path != "proc_macro_derive" {
		t.Fatalf("attrs %+v", derive.Attrs)
	}
	var args []string
	for _, tk := range pf.Tokens[derive.Attrs[0].ArgsStart:derive.Attrs[0].ArgsEnd] {
		args = append(args, pf.Text(tk))
	}
	if got := strings.Join(args, " "); got != `all ( unix , feature = "x" )` {
		t.Errorf("cfg args %q", got)
	}
	if a := pf.Items[1].Attrs; len(a) != 1 || a[0].Path != "no_mangle" || !a[0].Unsafe {
		t.Errorf("unsafe(no_mangle) %+v", a)
	}
	mod := pf.Items[2]
	if len(mod.Attrs) != 2 || mod.Attrs[0].Path != "cfg" || !mod.Attrs[1].Inner || mod.Attrs[1].Path != "allow" {
		t.Errorf("mod attrs %+v", mod.Attrs)
	}
	if a := pf.Items[3].Attrs; len(a) != 1 || a[0].Path != "test" || pf.Items[3].Parent != 2 {
		t.Errorf("test fn %+v", pf.Items[3])
	}
	if p := pf.Position(int(derive.Pos)); p.Line != 4 || p.Column != 1 {
		t.Errorf("derive at %v", p)
	}
}

func TestItemAt(t *testing.T) {
	src := `mod a { fn f() { let s = "in f"; } }
const C: &str = "in C";
fn g() { fn inner() { "in inner"; } "in g"; }`
	pf := parse(t, src)
	for lit, want := range map[string]string{`"in f"`: "f", `"in C"`: "C", `"in inner"`: "inner", `"in g"`: "g", "mod": "a"} {
		i := pf.ItemAt(int32(strings.Index(src, lit)))
		if i == None || pf.Items[i].Name != want {
			t.Errorf("%s: item %d", lit, i)
		}
	}
	if pf.ItemAt(int32(len(src))) != None {
		t.Error("end of file inside an item")
	}
}

func TestParseItemsInsideItemMacros(t *testing.T) {
	pf := parse(t, `
cfg_if::cfg_if! {
    if #[cfg(unix)] {
        mod unix;
        pub use self::unix::*;
    } else {
        fn fallback() { slow(); }
    }
}
cfg_net! {
    pub async fn connect(addr: A) -> io::Result<TcpStream> { TcpStream::connect_addr(addr).await }
}
thread_local! { static CELL: RefCell<u8> = RefCell::new(0); }
lazy_static! { static ref M: Mutex<u8> = Mutex::new(0); }
`)
	checkList(t, "items", itemSummary(pf), []string{
		"macro call cfg_if", "mod unix", "use ", "fn fallback", "macro call cfg_net", "fn connect",
		"macro call thread_local", "static CELL", "macro call lazy_static",
	})
	checkList(t, "calls", callSummary(pf), []string{
		"slow @fallback", "TcpStream::connect_addr @connect", "RefCell::new @CELL", "Mutex::new !lazy_static",
	})
	if len(pf.Uses) != 1 || strings.Join(pf.Uses[0].Path, "::") != "self::unix" || !pf.Uses[0].Glob {
		t.Errorf("uses %+v", pf.Uses)
	}
}

func TestParseMacroNonItemsNotSkipped(t *testing.T) {
	pf := parse(t, `
lazy_static! { pub static ref RE: Regex = Regex::new("x").unwrap(); }
const_cstr! { pub FIRST = "first"; }
peg::parser! { grammar g() for str { pub rule number() -> u32 = n:$(['0'..='9']+) { n.parse().unwrap() } } }
fn after() { z(); }
`)
	if len(pf.Skipped) != 0 {
		t.Errorf("skipped %+v", pf.Skipped)
	}
	calls := strings.Join(callSummary(pf), ",")
	for _, want := range []string{"Regex::new !lazy_static", "z @after"} {
		if !strings.Contains(calls, want) {
			t.Errorf("calls %s: no %s", calls, want)
		}
	}
}

func TestParseMacroNestedNonItems(t *testing.T) {
	pf := parse(t, `
newtype_enum! { impl debug Tag { EndOfContent = 0x0, Boolean = 0x1 } }
paste! { mod m { fn [<a b c>]() {} } }
fn real() { junk; }
struct S;
garbage here;
`)
	if len(pf.Skipped) != 1 || pf.Position(int(pf.Skipped[0].Pos)).Line != 6 {
		t.Errorf("skipped %+v", pf.Skipped)
	}
}

// Impl paths that start with a path keyword still name their trait and self type.
func TestImplNamesAfterPathKeywords(t *testing.T) {
	pf := parse(t, `impl crate::a::Tr for super::S {}
impl self::m::Tr2 for crate::T<u8> {}
impl<T> ::core::fmt::Debug for self::U<T> {}`)
	want := []string{"impl S:Tr", "impl T:Tr2", "impl U:Debug"}
	if got := itemSummary(pf); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
