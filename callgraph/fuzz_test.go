package callgraph

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/cratewatch/cratewatch/cratefile"
	"github.com/cratewatch/cratewatch/rustsrc"
)

// FuzzBuild links two crates of arbitrary source, one depending on the other: whatever the
// source, building and querying terminate without panicking and edges stay in bounds.
func FuzzBuild(f *testing.F) {
	for _, src := range vulnCrate.files {
		f.Add(src, "use vuln::*; pub fn f() { helper(); Danger::insert_many(); }")
	}
	f.Add("mod a { pub use super::*; pub use crate::a::*; } pub use a::*;", "use vuln::a::a::a::b; fn f() { b(); }")
	f.Add("pub trait T { fn m(&self) { self.m() } } impl<X> T for X {}", "fn g<Q: vuln::T>(q: Q) { q.m(); <Q as vuln::T>::m(&q); }")
	f.Add("pub struct S { pub f: Box<S> } impl std::ops::Deref for S { type Target = S; fn deref(&self) -> &S { self } }\n"+
		"impl S { pub fn m(&self) -> Option<S> { None } } impl std::ops::Add for S { type Output = S; fn add(self, o: S) -> S { o } }\n"+
		"pub type A = S; pub trait T: U<X<Y>> + Sized { } pub struct P(S, <u8 as Q>::R);",
		"use vuln::*; fn g(a: A, b: &mut S) -> Result<(), ()> { let c = a.f.m()?.f; c.m().unwrap().m(); for x in a + b.f { x.m(); } (b.m().f).f.m(); Ok(()) }")
	f.Add("struct S<T: A<B<C>>> where T: <D { f: T<", "fn f() { let x = S::<<T>::new(); x.a::<<>(); for in { } a + ; }")
	f.Add("macro_rules! Token { [&] => { $crate::t::And }; $($r => { x };)* }\npub mod t { pub struct And; }\n"+
		"#[derive(Clone, PartialEq)] pub enum E { A(t::And), B { f: Token![&] } }\n#[cfg(windows)] #[path = \"w.rs\"] mod imp;",
		"#[cfg(not(unix))] fn f(e: vuln::E, v: Vec<(u8, vuln::E)>) { match e { vuln::E::A(x) | vuln::E::B { f: x, .. } if true => x.clone(), _ => {} }; "+
			"if let Some((a, b)) = v.iter().enumerate().next() { b.1.clone(); } let (p, q) = (v, \"s\"); "+
			"p.iter().map(|(n, x)| x.clone()).fold(0, |acc, y| { y.eq(&acc) }); let z = match q { _ => vec![1] }?; <Token![&]>::default().x(); "+
			"#[cfg(any(windows, all(target_os = \"linux\", not(feature = \"x\"))))] { z.push(1) } }")
	f.Add("pub trait B { fn a(&self) -> &[u8]; fn f(&self) -> u8 { self.a()[0] } }\n"+
		"impl B for [u8] { fn a(&self) -> &[u8] { self } fn f(&self) -> u8 { 1 } } impl<T: Copy> B for [T] { fn a(&self) -> &[u8] { &[] } }\n"+
		"pub struct M; impl std::ops::Index<usize> for M { type Output = u8; fn index(&self, i: usize) -> &u8 { &0 } }",
		"use vuln::B; fn g<I: Iterator<Item = (u8, vuln::M)>, A: AsRef<[u8]>>(mut i: I, a: A) { let a = a.as_ref(); a.f(); i.next(); "+
			"let x = (1.5f32 * 2.0).powf(0.5).max(1e3); (x - (a[1..][0] as f32)).ceil(); \"s\".chars().next(); b\"x\"[..].a(); "+
			"vuln::M[0].f(); let m = [[1u8; 2]; 3]; m[0][1].x(); (0x1f32 * y[..]).z(); let a = a; for a in a.iter() { a.f() } }")
	f.Add("pub use core::ops::Deref as __D; pub struct L; pub static L: L = L; pub const C: &'static L = &L;\n"+
		"impl __D for L { type Target = u8; fn deref(&self) -> &u8 { &0 } } impl Default for L { fn default() -> Self { L } }",
		"use vuln::{L, C}; impl vuln::__D for X { type Target = L; } struct X; fn f() -> L { L.x(); C.y(); Default::default() }\n"+
			"fn g(k: u8) -> X { X { k, ..Default::default() } } fn h() { ..Default::default(); Default::default() }")
	f.Fuzz(func(t *testing.T, lib, app string) {
		b := &Builder{}
		for _, c := range []struct{ name, src string }{{"vuln", lib}, {"app", app}} {
			fsys := fstest.MapFS{"src/lib.rs": &fstest.MapFile{Data: []byte(c.src)}}
			cr, err := rustsrc.LoadCrate(rustsrc.CrateInput{Name: c.name, Version: "1.0.0", FS: fsys,
				Roots: []rustsrc.Root{{Path: "src/lib.rs", Target: rustsrc.TargetLib}}}, rustsrc.DefaultCrateLimits())
			if err != nil {
				t.Fatal(err)
			}
			b.Add(Source{Crate: cr, Deps: []cratefile.Dependency{dep("vuln", "vuln", "1")}})
		}
		g, err := b.Link(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range g.Edges() {
			if e.From < 0 || int(e.From) >= len(g.Fns) || e.To < 0 || int(e.To) >= len(g.Fns) {
				t.Fatalf("edge out of bounds: %+v", e)
			}
		}
		for i := range g.Fns {
			r := g.TransitiveCallers([]int32{int32(i)}, EdgeApprox)
			for _, fn := range r.Order {
				r.Path(fn)
			}
			g.Lookup(g.Fns[i].Path)
		}
	})
}
