package callgraph

import (
	"testing"

	"github.com/cratewatch/cratewatch/cratefile"
)

// flagsCrate exports a bitflags!-style generator whose output calls its own crate through $crate
// and invokes a hidden helper macro of its crate.
var flagsCrate = fixtureCrate{name: "flags", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub fn make(v: u32) -> u32 { v }
#[macro_export]
macro_rules! flagset {
    ($(#[$m:meta])* pub struct $name:ident: $t:ty { $(const $f:ident = $v:expr;)* }) => {
        $(#[$m])*
        pub struct $name { bits: $t }
        impl $name {
            $(pub fn $f() -> Self { $name { bits: $crate::make($v) } })*
            pub fn all() -> Self { $crate::__flag_helper!($name, $($f)*) }
        }
    };
}
#[macro_export]
#[doc(hidden)]
macro_rules! __flag_helper {
    ($n:ident, $first:ident $($rest:ident)*) => { $n::$first() };
}
`}}

// appCrate invokes the dependency's macro under a renamed dependency, its own item-position
// generator, and an expression-position macro whose expansion is a method call.
var appCrate = fixtureCrate{name: "app", version: "0.1.0", deps: []cratefile.Dependency{dep("fl", "flags", "1")},
	files: map[string]string{"src/lib.rs": `
fl::flagset! {
    /// Access rights.
    pub struct Rights: u32 {
        const READ = 1;
        const WRITE = 2;
    }
}
macro_rules! impl_handle {
    ($t:ident) => {
        impl $t { pub fn raw(&self) -> u32 { helper() } }
    };
}
pub struct Handle;
fn helper() -> u32 { 0 }
impl_handle!(Handle);
pub fn use_it(h: &Handle) {
    h.raw();
    Rights::READ();
}
pub struct Parser;
impl Parser { pub fn ident(&mut self) -> u8 { 0 } }
pub struct Printer { parser: Parser }
macro_rules! parse {
    ($printer:ident, $method:ident) => { $printer.parser.$method() };
}
impl Printer {
    pub fn print(&mut self) -> u8 { let x = parse!(self, ident); x }
}
#[cfg(test)]
mod tests {
    impl_handle!(Printer);
}
`}}

// Invocations of macro_rules! macros are expanded before indexing: the crate's own (at item and
// expression position) and those a dependency exports, with $crate naming the dependency under
// the name the crate gives it and the dependency's helper macros found in its own crate.
// Functions an expansion writes, and its calls, are at the invocation's line.
func TestMacroExpansion(t *testing.T) {
	g := buildFixture(t, flagsCrate, appCrate)
	expectCallees(t, g, map[string]map[string]string{
		"app::Rights::READ":   {"flags::make": "exact"},
		"app::Rights::WRITE":  {"flags::make": "exact"},
		"app::Rights::all":    {"app::Rights::READ": "exact"},
		"app::Handle::raw":    {"app::helper": "exact"},
		"app::use_it":         {"app::Handle::raw": "exact", "app::Rights::READ": "exact"},
		"app::Printer::print": {"app::Parser::ident": "exact"},
	})
	if ids := g.Lookup("app::Printer::raw"); len(ids) != 0 {
		t.Errorf("the #[cfg(test)] invocation was expanded: %v", ids)
	}
	for path, line := range map[string]int32{"app::Rights::READ": 2, "app::Handle::raw": 16, "app::use_it": 17} {
		ids := g.Lookup(path)
		if len(ids) != 1 || g.Fns[ids[0]].Line != line {
			t.Errorf("%s: fns %v, want one at line %d", path, ids, line)
			continue
		}
	}
	// The call after the expansions keeps its own line and column.
	for _, e := range g.Callees(g.Lookup("app::use_it")[0]) {
		if g.Fns[e.To].Path == "app::Handle::raw" && (e.Line != 18 || e.Col != 7) {
			t.Errorf("h.raw() at %d:%d, want 18:7", e.Line, e.Col)
		}
	}
	if g.Stats.MacrosExpanded != 4 || g.Stats.MacrosFailed != 0 {
		t.Errorf("expanded %d, failed %d; want 4, 0", g.Stats.MacrosExpanded, g.Stats.MacrosFailed)
	}

	// Without expansion none of it exists.
	g = buildWith(t, &Builder{NoMacros: true}, flagsCrate, appCrate)
	for _, p := range []string{"app::Rights::READ", "app::Handle::raw"} {
		if ids := g.Lookup(p); len(ids) != 0 {
			t.Errorf("NoMacros: %s exists", p)
		}
	}
}

// A macro that does not match, expands without end, or invokes itself forever is left as
// written; the rest of the file is still indexed.
func TestMacroExpansionBounded(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
macro_rules! only_ident { ($x:ident) => { fn $x() {} }; }
macro_rules! forever { () => { forever!(); }; }
macro_rules! double { ($($t:tt)*) => { double!($($t)* $($t)*); }; }
only_ident!(1 + 2);
forever!();
double!(x);
pub fn target() {}
pub fn after() { target(); }
`}})
	expectCallees(t, g, map[string]map[string]string{"a::after": {"a::target": "exact"}})
	if g.Stats.MacrosFailed == 0 {
		t.Errorf("no failed expansion counted: %+v", g.Stats)
	}
}

// A trait method called by path (Trait::m(x), <T as Trait>::m(..)) on a value whose type is
// known runs that type's impl, or the trait's default where the impl does not override it;
// only an unknown type dispatches to every impl.
func TestTraitPathCallOnKnownType(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait Tok { fn to(&self); fn on(&self) -> bool { false } }
pub struct A; pub struct B;
impl Tok for A { fn to(&self) {} fn on(&self) -> bool { true } }
impl Tok for B { fn to(&self) {} }
pub enum E { X(A), Y(B) }
pub fn known(a: &A, e: &E) {
    Tok::to(a);
    match e { E::X(x) => Tok::to(x), E::Y(y) => <B as Tok>::on(y) }
}
impl E { pub fn f(&self) { if let E::X(x) = self { <A as Tok>::on(x); } } }
pub fn unknown<T>(v: T) { Tok::to(&v); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::known":   {"a::A::to": "exact", "a::Tok::on": "exact"},
		"a::E::f":    {"a::A::on": "exact"},
		"a::unknown": {"a::Tok::to": "exact", "a::A::to": "trait", "a::B::to": "trait"},
	})
}

// On a receiver of unknown type, impls of the traits nearly every type implements (Clone,
// From/Into, PartialEq, ...) are not approximate candidates; other methods still are.
func TestApproximateSkipsValueTraits(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct A;
impl Clone for A { fn clone(&self) -> A { A } }
impl From<u8> for A { fn from(_: u8) -> A { A } }
impl Into<u16> for A { fn into(self) -> u16 { 0 } }
impl A { pub fn go(&self) {} }
pub fn f<T>(x: T) { x.clone(); x.into(); x.go(); }
`}})
	expectCallees(t, g, map[string]map[string]string{"a::f": {"a::A::go": "approximate"}})
}

// Glob re-exports that re-export each other (libc's cfg_if! branches: pub use unix::*, and in
// unix pub use self::linux_like::*, ...) are followed breadth first, each path once: a lookup
// ends, and finds the shortest chain.
func TestLookupThroughCyclicGlobs(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "g", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub mod a {
    pub use self::b::*;
    pub use self::c::*;
    pub mod b { pub use super::*; pub use super::c::*; pub fn f() {} }
    pub mod c { pub use super::*; pub use super::b::*; pub mod d { pub fn h() {} } }
}
pub use a::*;
pub mod e { pub use crate::a::*; pub use crate::*; }
`}})
	for path, want := range map[string]string{"g::f": "g::a::b::f", "g::e::f": "g::a::b::f", "g::a::c::f": "g::a::b::f", "g::d::h": "g::a::c::d::h"} {
		if got := g.Lookup(path); len(got) != 1 || g.Fns[got[0]].Path != want {
			t.Errorf("Lookup(%s) = %v, want %s", path, got, want)
		}
	}
	if got := g.Lookup("g::e::a::b::c::missing"); len(got) != 0 {
		t.Errorf("Lookup of a missing fn = %v", got)
	}
}

// Names found through a cycle of glob imports resolve wherever the lookup starts: the root of a
// cycle caches its complete answer, the other members' answers are not kept past the query.
func TestResolveThroughGlobCycle(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "x", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub mod m { pub use super::n::*; pub fn f() {} pub fn g() { h(); } }
pub mod n { pub use super::m::*; pub use super::q::*; pub fn h() { f(); k(); } }
pub mod q { pub use super::n::*; pub fn k() { f(); } }
pub mod p { use super::q::*; pub fn call() { h(); f(); k(); } }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"x::m::g":    {"x::n::h": "exact"},
		"x::n::h":    {"x::m::f": "exact", "x::q::k": "exact"},
		"x::q::k":    {"x::m::f": "exact"},
		"x::p::call": {"x::n::h": "exact", "x::m::f": "exact", "x::q::k": "exact"},
	})
}

// Where named imports under different #[cfg]s give a name two definitions (#[cfg(windows)]
// use win as sys beside the unix one), both are linked and the other platform's edge is
// marked CfgOff. Globs of another platform (a cfg_if! branch, whose #[cfg] covers every item
// of the branch) are read only for names this platform's globs do not give, marked.
func TestCfgPlatformImports(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
macro_rules! cfg_if {
    ($(if #[cfg($m:meta)] { $($t:tt)* }) else *) => { $( #[cfg($m)] cfg_if! { @id $($t)* } )* };
    (@id $($t:tt)*) => { $($t)* };
}
cfg_if! {
    if #[cfg(windows)] {
        mod win { pub fn open() {} pub fn only_win() {} }
        pub use self::win::*;
    } else if #[cfg(unix)] {
        mod lin { pub fn open() {} }
        pub use self::lin::*;
    }
}
pub mod wimpl { pub fn go() {} }
pub mod limpl { pub fn go() {} }
#[cfg(windows)] use wimpl as sys;
#[cfg(unix)] use limpl as sys;
pub fn f() { open(); only_win(); sys::go(); }
`}})
	expectCalleesOff(t, g, "a::f", map[string]bool{"a::lin::open": false, "a::limpl::go": false,
		"a::wimpl::go": true, "a::win::only_win": true})
}

// **x with x: &T runs T's Deref (lazy_static!'s initialize: let _ = &**lazy;); *x with x: &T
// only reads through the reference.
func TestDoubleDeref(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct L; pub struct T;
impl std::ops::Deref for L { type Target = T; fn deref(&self) -> &T { &T } }
pub fn init(lazy: &L) { let _ = &**lazy; }
pub fn plain(r: &L) { let _ = &*r; }
pub fn owned(l: L) { let _ = &*l; }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::init": {"a::L::deref": "exact"}, "a::plain": {}, "a::owned": {"a::L::deref": "exact"},
	})
}
