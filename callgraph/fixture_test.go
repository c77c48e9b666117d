package callgraph

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cratewatch/cratewatch/advisory"

	"github.com/cratewatch/cratewatch/cratefile"
	"github.com/cratewatch/cratewatch/rustsrc"
)

// fixtureCrate is a crate written in the test: files and manifest dependencies.
type fixtureCrate struct {
	name, version string
	files         map[string]string
	deps          []cratefile.Dependency
	features      map[string][]string // the manifest's [features]; nil: unknown
}

func dep(name, pkg, req string) cratefile.Dependency {
	return cratefile.Dependency{Name: name, Package: pkg, Req: req}
}

func buildFixture(t testing.TB, crates ...fixtureCrate) *Graph {
	t.Helper()
	return buildWith(t, &Builder{}, crates...)
}

func buildWith(t testing.TB, b *Builder, crates ...fixtureCrate) *Graph {
	t.Helper()
	for _, fc := range crates {
		fsys := fstest.MapFS{}
		for p, src := range fc.files {
			fsys[p] = &fstest.MapFile{Data: []byte(src)}
		}
		c, err := rustsrc.LoadCrate(rustsrc.CrateInput{Name: fc.name, Version: fc.version, FS: fsys,
			Roots: rustsrc.DefaultRoots(fsys)}, rustsrc.DefaultCrateLimits())
		if err != nil {
			t.Fatal(err)
		}
		b.Add(Source{Crate: c, Deps: fc.deps, Features: fc.features})
	}
	g, err := b.Link(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The vulnerable crate: insert_many is defined in a private module and re-exported, reached from
// a glob re-export, a trait impl and a public module.
var vulnCrate = fixtureCrate{name: "vuln", version: "1.2.0", files: map[string]string{
	"src/lib.rs": `
mod inner;
pub use inner::Danger;
pub use inner::helpers::*;
pub mod api {
    pub fn entry() { crate::inner::Danger::insert_many(); }
}
pub trait Sink {
    fn put(&self);
    fn twice(&self) { self.put(); self.put(); }
}
pub fn harmless() {}
`,
	"src/inner.rs": `
pub mod helpers {
    pub fn helper() { super::Danger::insert_many(); }
}
pub struct Danger;
impl Danger {
    pub fn insert_many() {}
    pub fn safe(&self) { }
}
impl crate::Sink for Danger {
    fn put(&self) { Self::insert_many(); }
}
`}}

func fixtureCorpus(t testing.TB) *Graph {
	return buildFixture(t,
		fixtureCrate{name: "vuln", version: "1.0.0", files: map[string]string{"src/lib.rs": "pub fn old() {}"}},
		vulnCrate,
		fixtureCrate{name: "vuln", version: "2.0.0", files: map[string]string{"src/lib.rs": "pub fn new() {}"}},
		// A renamed dependency, a re-exported type, a glob re-export, a generic with a trait bound
		// and a call inside a macro.
		fixtureCrate{name: "app", version: "0.1.0", deps: []cratefile.Dependency{dep("v", "vuln", "^1.1")},
			files: map[string]string{"src/lib.rs": `
use v::Danger;
pub fn via_reexport() { Danger::insert_many(); }
pub fn via_glob_reexport() { v::helper(); }
fn generic<T: v::Sink>(x: T) { x.put(); }
pub fn via_macro() { println!("{:?}", v::api::entry()); }
pub fn via_default(d: &Danger) { v::Sink::twice(d); }
pub fn top() { via_reexport(); }
`}},
		// extern crate ... as, and a glob import of the dependency.
		fixtureCrate{name: "legacy", version: "0.3.0", deps: []cratefile.Dependency{dep("vuln", "vuln", "1")},
			files: map[string]string{"src/lib.rs": `
extern crate vuln as vv;
mod m {
    use vv::*;
    pub fn call() { helper(); }
}
pub fn run() { m::call(); }
#[cfg(windows)]
pub fn win() { vv::helper(); }
`}},
		// Depends on the vulnerable version and uses it, but never calls insert_many.
		fixtureCrate{name: "bystander", version: "1.0.0", deps: []cratefile.Dependency{dep("vuln", "vuln", "1.2")},
			files: map[string]string{"src/lib.rs": `
use vuln::Danger;
pub fn fine() { let d: Danger = Danger; d.safe(); vuln::harmless(); }
`}},
		// Depends on a version without the function.
		fixtureCrate{name: "modern", version: "1.0.0", deps: []cratefile.Dependency{dep("vuln", "vuln", "2")},
			files: map[string]string{"src/lib.rs": "pub fn f() { vuln::new(); }"}},
	)
}

func fnPaths(g *Graph, ids []int32) []string {
	var out []string
	for _, id := range ids {
		c := g.CrateOf(id)
		out = append(out, g.Fns[id].Path+"@"+c.Version)
	}
	slices.Sort(out)
	return out
}

func TestLookupThroughReexports(t *testing.T) {
	g := fixtureCorpus(t)
	for _, p := range []string{"vuln::Danger::insert_many", "vuln::inner::Danger::insert_many"} {
		got := fnPaths(g, g.Lookup(p))
		if !slices.Equal(got, []string{"vuln::inner::Danger::insert_many@1.2.0"}) {
			t.Errorf("Lookup(%s) = %v", p, got)
		}
	}
	if got := fnPaths(g, g.Lookup("vuln::helper")); !slices.Equal(got, []string{"vuln::inner::helpers::helper@1.2.0"}) {
		t.Errorf("Lookup through a glob re-export = %v", got)
	}
	if got := g.Lookup("vuln::nothing"); len(got) != 0 {
		t.Errorf("Lookup of a missing path = %v", fnPaths(g, got))
	}
}

func TestTransitiveCallers(t *testing.T) {
	g := fixtureCorpus(t)
	targets := g.Lookup("vuln::Danger::insert_many")
	r := g.TransitiveCallers(targets, EdgeApprox)
	var reached []string
	for _, fn := range r.Order {
		reached = append(reached, g.Fns[fn].Path)
	}
	slices.Sort(reached)
	want := []string{
		"app::generic", "app::top", "app::via_default", "app::via_glob_reexport", "app::via_macro", "app::via_reexport",
		"legacy::m::call", "legacy::run", "legacy::win",
		"vuln::Sink::twice", "vuln::api::entry", "vuln::inner::Danger::put", "vuln::inner::helpers::helper",
	}
	if !slices.Equal(reached, want) {
		t.Errorf("transitive callers\n got %v\nwant %v", reached, want)
	}
	for _, fn := range r.Order {
		if strings.HasPrefix(g.Fns[fn].Path, "bystander") || strings.HasPrefix(g.Fns[fn].Path, "modern") {
			t.Errorf("%s should not reach insert_many", g.Fns[fn].Path)
		}
	}
	// The shortest path from app::top goes through via_reexport, and ends at the target.
	top := g.Lookup("app::top")[0]
	path := r.Path(top)
	if len(path) != 2 || g.Fns[path[0].To].Path != "app::via_reexport" || path[1].To != targets[0] {
		t.Errorf("path from app::top = %v", path)
	}
	if path[0].Line != 8 || path[0].Kind != EdgeExact {
		t.Errorf("first hop = %+v, want line 8, exact", path[0])
	}
	// The generic fn reaches the target only through the trait implementation.
	gen := g.Lookup("app::generic")[0]
	if p := r.Path(gen); len(p) == 0 || p[0].Kind != EdgeTrait {
		t.Errorf("generic's first hop = %+v, want a trait edge", p)
	}
}

func TestDirectCallers(t *testing.T) {
	g := fixtureCorpus(t)
	safe := g.Lookup("vuln::Danger::safe")
	if len(safe) != 1 {
		t.Fatalf("Lookup(vuln::Danger::safe) = %v", safe)
	}
	var callers []string
	for _, e := range g.Callers(safe[0]) {
		callers = append(callers, g.Fns[e.From].Path+":"+e.Kind.String())
	}
	if !slices.Equal(callers, []string{"bystander::fine:exact"}) {
		t.Errorf("callers of safe = %v", callers)
	}
	// modern links to vuln 2.0.0, the newest version its requirement admits.
	if got := fnPaths(g, calleesOf(g, g.Lookup("modern::f")[0])); !slices.Equal(got, []string{"vuln::new@2.0.0"}) {
		t.Errorf("modern::f calls %v", got)
	}
}

func calleesOf(g *Graph, fn int32) []int32 {
	var out []int32
	for _, e := range g.Callees(fn) {
		out = append(out, e.To)
	}
	return out
}

func TestApproximateEdges(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct X; pub struct Y;
impl X { pub fn go(&self) {} }
impl Y { pub fn go(&self) {} pub fn make() -> Y { Y } }
pub fn unknown(v: Vec<u8>) { for z in list() { z.go(); } v.len(); make_any().go(); }
fn list() -> Vec<X> { Vec::new() }
pub fn known() { let y = Y::make(); y.go(); }
fn make_any() -> X { X }
`}})
	kinds := map[string]string{}
	for _, fn := range g.Lookup("a::unknown") {
		for _, e := range g.Callees(fn) {
			kinds[g.Fns[e.To].Path] = e.Kind.String()
		}
	}
	// z's type is the element type of list()'s Vec<X>; make_any's return type is X.
	want := map[string]string{"a::X::go": "exact", "a::make_any": "exact", "a::list": "exact"}
	if !mapsEqual(kinds, want) {
		t.Errorf("unknown's edges = %v, want %v", kinds, want)
	}
	kinds = map[string]string{}
	for _, e := range g.Callees(g.Lookup("a::known")[0]) {
		kinds[g.Fns[e.To].Path] = e.Kind.String()
	}
	if want := map[string]string{"a::Y::go": "exact", "a::Y::make": "exact"}; !mapsEqual(kinds, want) {
		t.Errorf("known's edges = %v, want %v", kinds, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

const fixtureAdvisory = "```toml\n" + `[advisory]
id = "RUSTSEC-2099-0001"
package = "vuln"
date = "2099-01-01"
[affected.functions]
"vuln::Danger::insert_many" = ["< 1.3.0"]
[versions]
patched = [">= 1.3.0"]
` + "```\n\n# insert_many overflows\n\nDetails.\n"

func TestReachAdvisory(t *testing.T) {
	g := fixtureCorpus(t)
	a, err := advisory.ParseRustSec("crates/vuln/RUSTSEC-2099-0001.md", []byte(fixtureAdvisory))
	if err != nil {
		t.Fatal(err)
	}
	r := g.ReachAdvisory(a)
	var reaching, not []string
	for _, f := range r.Reaching {
		reaching = append(reaching, f.Crate+"@"+f.Version)
		if f.Path[len(f.Path)-1].Callee != "vuln::inner::Danger::insert_many" {
			t.Errorf("%s: path ends at %v", f.Crate, f.Path)
		}
		// legacy::win reaches it as near as legacy::m::call, but only on Windows.
		if f.Crate == "legacy" && (f.Function != "legacy::m::call" || f.OtherPlatform) {
			t.Errorf("legacy is shown from %s (other platform: %v), want the Linux path from legacy::m::call", f.Function, f.OtherPlatform)
		}
	}
	for _, c := range r.NotReaching {
		not = append(not, c.Crate+"@"+c.Version)
	}
	if !slices.Equal(reaching, []string{"app@0.1.0", "legacy@0.3.0"}) || !slices.Equal(not, []string{"bystander@1.0.0"}) {
		t.Errorf("reaching %v, not reaching %v", reaching, not)
	}
	if vs := r.Vulnerable; len(vs) != 2 { // 1.0.0 and 1.2.0; 2.0.0 is patched
		t.Errorf("vulnerable versions %v", vs)
	}
	var buf strings.Builder
	if err := WriteOpenVEX(&buf, []*AdvisoryReach{r}, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	var vex struct {
		Statements []struct {
			Status, Justification string
			Products              []struct {
				ID string `json:"@id"`
			}
		}
	}
	if err := json.Unmarshal([]byte(buf.String()), &vex); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range vex.Statements {
		got[s.Products[0].ID] = s.Status + "/" + s.Justification
	}
	want := map[string]string{"pkg:cargo/app@0.1.0": "affected/", "pkg:cargo/legacy@0.3.0": "affected/",
		"pkg:cargo/bystander@1.0.0": "not_affected/vulnerable_code_not_in_execute_path"}
	if !mapsEqual(got, want) {
		t.Errorf("OpenVEX statements %v", got)
	}
	buf.Reset()
	if err := WriteSARIF(&buf, []*AdvisoryReach{r}); err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(buf.String()), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != 2 {
		t.Fatalf("SARIF: %s", buf.String())
	}
	loc := sarif.Runs[0].Results[0].Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "app-0.1.0/src/lib.rs" || loc.Region.StartLine != 3 {
		t.Errorf("SARIF location %+v", loc)
	}
}

func TestExportNeo4j(t *testing.T) {
	g := fixtureCorpus(t)
	dir := t.TempDir()
	if err := ExportNeo4j(g, dir); err != nil {
		t.Fatal(err)
	}
	count := func(name string) [][]string {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return recs
	}
	if n := len(count("functions.csv")) - 1; n != len(g.Fns) {
		t.Errorf("functions.csv has %d rows for %d functions", n, len(g.Fns))
	}
	calls := count("calls.csv")
	if len(calls)-1 != len(g.Edges()) || calls[0][0] != ":START_ID(Function)" || calls[0][5] != "other_platform:boolean" {
		t.Errorf("calls.csv has %d rows for %d edges, header %v", len(calls)-1, len(g.Edges()), calls[0])
	}
	off := 0
	for _, r := range calls[1:] {
		if r[5] == "true" {
			off++
		}
	}
	if off != 1 { // legacy::win's call, under #[cfg(windows)]
		t.Errorf("calls.csv marks %d calls as another platform's, want 1", off)
	}
	deps := count("depends_on.csv")
	if len(deps)-1 != g.Stats.DepsLinked {
		t.Errorf("depends_on.csv has %d rows, %d deps linked", len(deps)-1, g.Stats.DepsLinked)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "constraints.cypher")); err != nil || !strings.Contains(string(b), "FOR (f:Function) REQUIRE f.id IS UNIQUE") {
		t.Errorf("constraints.cypher: %v %s", err, b)
	}
}

func TestCfgTestExcluded(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{
		"src/lib.rs": `
pub fn target() {}
pub fn real() { target(); }
#[cfg(test)]
mod tests { #[test] fn t() { super::target(); } }
#[cfg(test)]
mod more;
`,
		"src/more.rs": "fn t2() { crate::target(); }"}})
	var callers []string
	for _, e := range g.Callers(g.Lookup("a::target")[0]) {
		callers = append(callers, g.Fns[e.From].Path)
	}
	if !slices.Equal(callers, []string{"a::real"}) {
		t.Errorf("callers %v, want only a::real", callers)
	}
}

// calleeKinds maps the callees of the fn at path to their edge kinds.
func calleeKinds(t *testing.T, g *Graph, path string) map[string]string {
	t.Helper()
	fns := g.Lookup(path)
	if len(fns) == 0 {
		t.Fatalf("Lookup(%s) found nothing", path)
	}
	out := map[string]string{}
	for _, fn := range fns {
		for _, e := range g.Callees(fn) {
			out[g.Fns[e.To].Path] = e.Kind.String()
		}
	}
	return out
}

// expectCalleesOff checks which callees of fn path are reached only by another platform's
// calls (Edge.CfgOff).
func expectCalleesOff(t *testing.T, g *Graph, path string, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, fn := range g.Lookup(path) {
		for _, e := range g.Callees(fn) {
			got[g.Fns[e.To].Path] = e.CfgOff
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("%s calls (callee: other platform) %v, want %v", path, got, want)
	}
}

func TestReceiverInference(t *testing.T) {
	dc := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Conn;
impl Conn { pub fn send(&self, b: u8) {} pub fn close(self) {} }
pub fn connect() -> std::io::Result<Conn> { Ok(Conn) }
pub trait Shape { fn area(&self) -> u32; fn twice(&self) -> u32 { self.area() } }
pub trait Named: Shape { fn name(&self) -> u32; }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")}, files: map[string]string{"src/lib.rs": `
use d::{Conn, Shape};
pub struct Inner { n: u8 }
impl Inner { pub fn go(&self) -> Other { Other } pub fn send(&self, a: u8, b: u8) {} }
pub struct Other;
impl Other { pub fn done(&self) {} pub fn send(&self, b: u8) {} }
pub struct Outer { inner: Inner, boxed: Box<Other>, conn: Option<Conn> }
impl Outer {
    pub fn new() -> Self { Outer { inner: Inner { n: 0 }, boxed: Box::new(Other), conn: None } }
    pub fn fields(&self) { self.inner.go(); self.boxed.done(); }
    pub fn chain(&mut self) { self.inner.go().done(); self.conn.as_ref().unwrap().send(1); }
}
pub struct Wrap(Inner);
impl std::ops::Deref for Wrap { type Target = Inner; fn deref(&self) -> &Inner { &self.0 } }
pub struct Sq;
impl Shape for Sq { fn area(&self) -> u32 { 4 } }
pub fn params(a: &mut Inner, b: Box<Other>, w: &Wrap, s: &Sq) { a.go(); b.done(); w.go(); s.twice(); }
pub fn generic<T: Shape>(t: &T, n: &dyn d::Named) { t.area(); n.area(); }
pub fn lets() -> std::io::Result<()> {
    let o = Outer::new();
    o.fields();
    let c = d::connect()?;
    c.send(1);
    let i: Inner = Inner { n: 1 };
    i.go().done();
    Ok(())
}
pub fn arity(x: Vec<u8>) { x.each(|z| z.send(1)); }
pub trait Fresh { fn fresh(&self) {} }
impl<T: Shape> Fresh for T { fn fresh(&self) {} }
impl Sq { fn refresh(&self) {} }
impl Other { fn refresh(&self) {} }
// Known types without the method: only blanket impls and trait default methods are candidates.
pub fn known(o: &Other, v: Vec<u8>, s: &[u8]) { o.fresh(); o.send2(); v.refresh(); s.refresh(); }
`}}
	g := buildFixture(t, dc, app)
	cases := []struct {
		fn   string
		want map[string]string
	}{
		{"a::Outer::fields", map[string]string{"a::Inner::go": "exact", "a::Other::done": "exact"}},
		{"a::Outer::chain", map[string]string{"a::Inner::go": "exact", "a::Other::done": "exact", "d::Conn::send": "exact"}},
		// w.go() calls Wrap's Deref::deref, then Inner::go.
		{"a::params", map[string]string{"a::Inner::go": "exact", "a::Other::done": "exact", "a::Wrap::deref": "exact",
			"d::Shape::twice": "exact"}},
		{"a::generic", map[string]string{"d::Shape::area": "exact", "a::Sq::area": "trait"}},
		{"a::lets", map[string]string{"a::Outer::new": "exact", "a::Outer::fields": "exact", "d::connect": "exact",
			"d::Conn::send": "exact", "a::Inner::go": "exact", "a::Other::done": "exact"}},
		// An unknown receiver: candidates take one argument, not Inner::send's two.
		{"a::arity", map[string]string{"a::Other::send": "approximate", "d::Conn::send": "approximate"}},
		{"a::known", map[string]string{"a::T::fresh": "approximate", "a::Fresh::fresh": "approximate"}},
	}
	for _, tc := range cases {
		if got := calleeKinds(t, g, tc.fn); !mapsEqual(got, tc.want) {
			t.Errorf("%s calls %v, want %v", tc.fn, got, tc.want)
		}
	}
}

func TestImplicitCalls(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::ops::{Add, Sub, AddAssign};
#[derive(Clone, Copy)]
pub struct V(f64);
impl Add for V { type Output = V; fn add(self, o: V) -> V { V(self.0 + o.0) } }
impl Sub for V { type Output = V; fn sub(self, o: V) -> V { V(self.0 - o.0) } }
impl AddAssign for V { fn add_assign(&mut self, o: V) {} }
impl PartialEq for V { fn eq(&self, o: &V) -> bool { true } }
pub struct Bag { items: Vec<u8> }
pub struct BagIter;
impl Iterator for BagIter { type Item = u8; fn next(&mut self) -> Option<u8> { None } }
impl IntoIterator for Bag { type Item = u8; type IntoIter = BagIter; fn into_iter(self) -> BagIter { BagIter } }
pub fn ops(a: V, b: V, n: f64) -> V {
    let mut c = a + b;
    c += a;
    let same = a == b;
    let _x = n * 2.0 + n;
    c - a
}
pub fn loops(b: Bag, it: BagIter) {
    for x in b {}
    for y in it {}
}
`}})
	if got, want := calleeKinds(t, g, "a::ops"), map[string]string{"a::V::add": "exact", "a::V::add_assign": "exact",
		"a::V::eq": "exact", "a::V::sub": "exact"}; !mapsEqual(got, want) {
		t.Errorf("ops calls %v, want %v", got, want)
	}
	if got, want := calleeKinds(t, g, "a::loops"), map[string]string{"a::Bag::into_iter": "exact", "a::BagIter::next": "exact"}; !mapsEqual(got, want) {
		t.Errorf("loops calls %v, want %v", got, want)
	}
}

func TestApproximateVisibility(t *testing.T) {
	dc := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Open; struct Hidden; pub(crate) struct Inner;
impl Open { pub fn poke(&self) {} fn quiet(&self) {} }
impl Hidden { pub fn poke(&self) {} }
impl Inner { pub fn poke(&self) {} }
pub trait Touch { fn touch(&self); }
pub trait Tap { fn tap(&self); }
impl Touch for Open { fn touch(&self) {} }
impl Tap for Open { fn tap(&self) {} }
impl Touch for Box<u8> { fn touch(&self) {} }
impl Touch for Hidden { fn touch(&self) {} }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")}, files: map[string]string{"src/lib.rs": `
use d::Touch;
use d::Tap as _;
pub fn f(xs: Vec<u8>) { xs.each(|x| { x.poke(); x.quiet(); x.touch(); x.tap(); }); }
mod m { pub fn g(xs: Vec<u8>) { xs.each(|x| x.touch()); } }
`}}
	g := buildFixture(t, dc, app)
	// Hidden and Inner cannot be named outside d, quiet is private (a Box can be); Touch is not in
	// scope in m.
	if got, want := calleeKinds(t, g, "a::f"), map[string]string{"d::Open::poke": "approximate",
		"d::Open::touch": "approximate", "d::Open::tap": "approximate", "d::Box::touch": "approximate"}; !mapsEqual(got, want) {
		t.Errorf("f calls %v, want %v", got, want)
	}
	if got := g.Lookup("a::m::g"); len(got) != 1 || len(g.Callees(got[0])) != 0 {
		t.Errorf("m::g has callees: %v", calleeKinds(t, g, "a::m::g"))
	}
}

// A dependency's own type that shares a std type's name is not std's: a Vec from the prelude
// never reaches bumpalo-style inherent methods, only trait impls a crate writes for Vec.
func TestStdTypeNotShadowedByNamesake(t *testing.T) {
	dc := fixtureCrate{name: "bump", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Vec { n: u8 }
impl Vec { pub fn push(&mut self, x: u8) {} pub fn len(&self) -> usize { 0 } }
impl IntoIterator for Vec { type Item = u8; type IntoIter = std::vec::IntoIter<u8>; fn into_iter(self) -> Self::IntoIter { todo!() } }
pub trait Sum { fn total(&self) -> u32; }
impl Sum for std::vec::Vec<u32> { fn total(&self) -> u32 { 0 } }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("bump", "bump", "1")}, files: map[string]string{"src/lib.rs": `
use bump::Sum;
pub fn uses_std() -> u32 {
    let mut v: Vec<u32> = Vec::new();
    v.push(1);
    Vec::new().into_iter();
    v.total()
}
pub mod elsewhere {
    pub fn no_trait(v: Vec<u32>) -> u32 { v.total() }
}
`}}
	g := buildFixture(t, dc, app)
	got := calleeKinds(t, g, "a::uses_std")
	if _, bad := got["bump::Vec::into_iter"]; bad {
		t.Fatalf("std Vec::into_iter linked to the dependency's IntoIterator for its own Vec: %v", got)
	}
	if _, bad := got["bump::Vec::push"]; bad {
		t.Fatalf("std Vec::push linked to the dependency's own Vec: %v", got)
	}
	if got["bump::Vec::total"] == "" && got["bump::Sum::total"] == "" {
		t.Fatalf("the trait impl for std Vec is not reached: %v", got)
	}
	// Without Sum in scope, v.total() is not Sum's (it would not compile as that call).
	if got := calleeKinds(t, g, "a::elsewhere::no_trait"); len(got) != 0 {
		t.Errorf("a trait impl for a std type reached without the trait in scope: %v", got)
	}
}

// A receiver typed by a generic parameter's bounds (after ?Sized and lifetimes) or impl Trait:
// a corpus trait dispatches as usual; a std trait reaches the visible impls of it whose trait
// arguments can match (AsRef<[u8]>, not AsRef<str>), as trait edges.
func TestGenericBoundReceivers(t *testing.T) {
	dc := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Buf;
impl AsRef<[u8]> for Buf { fn as_ref(&self) -> &[u8] { &[] } }
pub struct Name;
impl AsRef<str> for Name { fn as_ref(&self) -> &str { "" } }
pub struct Counter;
impl Iterator for Counter { type Item = u8; fn next(&mut self) -> Option<u8> { None } }
pub trait Shape { fn area(&self) -> u32; }
impl Shape for Buf { fn area(&self) -> u32 { 1 } }
pub struct Pt;
impl Into<crate::Pt> for Name { fn into(self) -> Pt { Pt } }
pub struct Quat<T>(T);
impl<T> Into<[T; 4]> for Quat<T> { fn into(self) -> [T; 4] { todo!() } }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")}, files: map[string]string{"src/lib.rs": `
use d::Shape;
pub fn bytes<'a, B: ?Sized + 'a + AsRef<[u8]>>(b: &'a B) -> usize { b.as_ref().len() }
pub fn iter(mut it: impl Iterator<Item = u8>) { it.next(); }
pub fn shape<T>(s: &T) -> u32 where T: ?Sized + Shape { s.area() }
pub fn conv<P: Into<d::Pt>>(p: P) { p.into(); }
pub fn arr<A: Into<[u8; 4]>>(a: A) { a.into(); }
`}}
	g := buildFixture(t, dc, app)
	expectCallees(t, g, map[string]map[string]string{
		"a::bytes": {"d::Buf::as_ref": "trait"},
		"a::iter":  {"d::Counter::next": "trait"},
		"a::shape": {"d::Shape::area": "exact", "d::Buf::area": "trait"},
		"a::conv":  {"d::Name::into": "trait"},
		"a::arr":   {"d::Quat::into": "trait"},
	})
}

// Pattern bindings are typed from their expression: the patterns of let, if let, while let,
// let-else and match arms (Some/Ok/Err, enum tuple and struct variants, tuples, alternatives),
// for loops over std collections and iterators, closure parameters of iterator, collection,
// Option and Result methods; each only in its scope.
func TestPatternBindings(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::collections::HashMap;
pub struct Item;
impl Item { pub fn go(&self) {} }
pub struct Fail;
impl Fail { pub fn report(&self) {} }
pub struct Other;
impl Other { pub fn go(&self) {} pub fn report(&self) {} pub fn push(&self, i: Item) {} }
pub struct Store { items: Vec<Item>, byname: HashMap<String, Item>, pair: (u8, Item) }
impl Store {
    fn find(&self) -> Option<&Item> { None }
    fn load(&self) -> Result<Item, Fail> { Err(Fail) }
    pub fn patterns(&self) {
        if let Some(x) = self.find() { x.go(); }
        while let Ok(y) = self.load() { y.go(); }
        if let Err(e) = self.load() { e.report(); }
        let Some(w) = self.items.first() else { return };
        w.go();
    }
    pub fn loops(&self) {
        for i in &self.items { i.go(); }
        for (k, v) in self.byname.iter() { v.go(); }
        for (n, it) in self.items.iter().enumerate() { it.go(); }
        self.pair.1.go();
    }
    pub fn closures(&self) {
        self.items.iter().filter(|x| true).for_each(|x| x.go());
        self.load().map_err(|f| f.report());
        self.find().map(|i| i.go());
        self.items.iter().fold(0, |acc, i| { i.go(); acc });
    }
    pub fn scoped(&self, x: &Other) {
        if let Some(x) = self.find() { x.go(); }
        x.report();
    }
    fn ev(&self) -> Ev { Ev::Hit(Item) }
    fn two(&self) -> (Item, Fail) { (Item, Fail) }
    pub fn matches(&self) {
        match self.ev() {
            Ev::Hit(i) => i.go(),
            Ev::Miss { why, .. } => { why.report(); }
            Ev::Both(_, f) | Ev::Both(_, f) if true => f.report(),
        }
        if let Ev::Miss { why: w, .. } = self.ev() { w.report(); }
        let (a, b) = self.two();
        a.go();
        b.report();
    }
    pub fn branches(&self) {
        let v = match self.ev() { Ev::Miss { .. } => unreachable!(), Ev::Hit(i) | Ev::Both(i, _) => i };
        v.go();
        let f = if true { let x = 1; self.load().unwrap_err() } else { Fail };
        f.report();
    }
    pub fn literals(&self) {
        "x".shout();
        let (p, q) = (self.find().unwrap(), Fail);
        p.go();
        q.report();
        let v = self.items.iter().collect::<Vec<&Item>>();
        v.first().unwrap().go();
        let mut w = vec![];
        w.push(Item);
        vec![1].push(2);
    }
    pub fn tried(&self) -> Result<(), Fail> {
        let y = if true { self.load() } else if false { self.load() } else { self.load() }?;
        y.go();
        Ok(())
    }
}
pub enum Ev { Hit(Item), Miss { why: Fail, n: u8 }, Both(Item, Fail) }
pub trait Shout { fn shout(&self); }
impl Shout for str { fn shout(&self) {} }
impl Shout for Item { fn shout(&self) {} }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::Store::patterns": {"a::Store::find": "exact", "a::Store::load": "exact",
			"a::Item::go": "exact", "a::Fail::report": "exact"},
		"a::Store::loops": {"a::Item::go": "exact"},
		"a::Store::closures": {"a::Store::find": "exact", "a::Store::load": "exact",
			"a::Item::go": "exact", "a::Fail::report": "exact"},
		"a::Store::scoped": {"a::Store::find": "exact", "a::Item::go": "exact",
			"a::Other::report": "exact"},
		"a::Store::branches": {"a::Store::ev": "exact", "a::Store::load": "exact", "a::Item::go": "exact",
			"a::Fail::report": "exact"},
		"a::Store::literals": {"a::Store::find": "exact", "a::str::shout": "exact", "a::Item::go": "exact",
			"a::Fail::report": "exact"},
		"a::Store::tried": {"a::Store::load": "exact", "a::Item::go": "exact"},
		"a::Store::matches": {"a::Store::ev": "exact", "a::Store::two": "exact", "a::Item::go": "exact",
			"a::Fail::report": "exact"},
	})
}

// Structs that share a name in different modules keep their own fields: self.bar is typed by the
// Bar the impl is for, a parameter's field by the Bar its type names.
func TestNamesakeStructFields(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Low;
impl Low { pub fn tick(&self) {} }
pub struct High;
impl High { pub fn tick(&self) {} }
pub mod outer {
    pub struct Bar { pub bar: super::inner::Bar }
    impl Bar { pub fn run(&self) { self.bar.bar.tick(); } }
}
pub mod inner {
    pub struct Bar { pub bar: super::Low }
}
pub mod other {
    pub struct Bar { pub bar: super::High }
    pub fn use_it(b: &Bar) { b.bar.tick(); }
}
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::outer::Bar::run": {"a::Low::tick": "exact"},
		"a::other::use_it":   {"a::High::tick": "exact"},
	})
}

// expectCallees checks the callees (path: edge kind) of each function.
func expectCallees(t *testing.T, g *Graph, want map[string]map[string]string) {
	t.Helper()
	for fn, w := range want {
		if got := calleeKinds(t, g, fn); !mapsEqual(got, w) {
			t.Errorf("%s calls %v, want %v", fn, got, w)
		}
	}
}

// A lookup-table macro in type position (syn's Token![&], defined by a macro_rules! nested in
// another macro's body) stands for the path its rule expands to; when that type is itself out of
// sight, the receiver is still a known type: only blanket impls stay candidates.
func TestTypeMacros(t *testing.T) {
	syn := fixtureCrate{name: "syn", version: "1.0.0", files: map[string]string{"src/lib.rs": `
macro_rules! export_token_macro {
    ($($await_rule:tt)*) => {
        #[macro_export]
        macro_rules! Token {
            [&]   => { $crate::token::And };
            $($await_rule => { $crate::token::Await };)*
            [fn]  => { $crate::token::Fn };
        }
    };
}
export_token_macro! {[await]}
pub mod token { pub struct And; impl And { pub fn span(&self) {} } }
pub trait ToTokens { fn to_tokens(&self); }
pub struct Ident;
impl ToTokens for Ident { fn to_tokens(&self) {} }
impl ToTokens for token::And { fn to_tokens(&self) {} }
impl<T: ToTokens> ToTokens for Box<T> { fn to_tokens(&self) {} }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("syn", "syn", "1")}, files: map[string]string{"src/lib.rs": `
use syn::{Token, ToTokens};
pub struct Sig { and: Token![&], fn_token: Token![fn], boxed: Box<syn::Ident> }
impl Sig {
    pub fn print(&self) { self.and.span(); self.and.to_tokens(); self.fn_token.to_tokens(); }
    // Method lookup tries the Box itself first, as autoderef does.
    pub fn boxed(&self) { self.boxed.to_tokens(); }
    // A qualified path call's type: <Token![&]>::default() is a token::And.
    pub fn qualified(&self) { <Token![&]>::default().span(); <syn::token::And as Default>::default().span(); }
}
`}}
	g := buildFixture(t, syn, app)
	expectCallees(t, g, map[string]map[string]string{
		"a::Sig::print":     {"syn::token::And::span": "exact", "syn::And::to_tokens": "exact"},
		"a::Sig::boxed":     {"syn::Box::to_tokens": "exact"},
		"a::Sig::qualified": {"syn::token::And::span": "exact"},
	})
}

// A fn and an imported type may share a name (they live in different namespaces): syn's
// fn Ident beside pub use proc_macro2::Ident.
func TestFnAndTypeNamesakes(t *testing.T) {
	dc := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
mod ident { pub struct Ident; impl Ident { pub fn span(&self) {} } }
pub use crate::ident::Ident;
#[allow(non_snake_case)]
pub fn Ident() -> Ident { ident::Ident }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")}, files: map[string]string{"src/lib.rs": `
pub fn f(i: &d::Ident) { i.span(); }
`}}
	expectCallees(t, buildFixture(t, dc, app), map[string]map[string]string{
		"a::f": {"d::ident::Ident::span": "exact"},
	})
}

// A named type the source does not define (a macro writes it) is still a definite type: its
// methods are not every visible method of that name.
func TestUndefinedNamedType(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
macro_rules! STRUCT { ($name:ident) => { pub struct $name; } }
STRUCT!{COORD}
pub struct Other;
impl Other { pub fn shift(&self) {} }
pub fn f(c: COORD) { let z = COORD { x: 0 }; z.shift(); c.shift(); }
`}})
	expectCallees(t, g, map[string]map[string]string{"a::f": {}})
}

// A trait's crate can implement it for another crate's type: the method is found on that type
// where the trait is in scope.
func TestThirdCrateTraitImpl(t *testing.T) {
	pm := fixtureCrate{name: "pm", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Ident;
impl Ident { pub fn span(&self) {} }
`}}
	qu := fixtureCrate{name: "qu", version: "1.0.0", deps: []cratefile.Dependency{dep("pm", "pm", "1")}, files: map[string]string{"src/lib.rs": `
pub trait ToTokens { fn to_tokens(&self); }
impl ToTokens for pm::Ident { fn to_tokens(&self) {} }
pub struct Other;
impl ToTokens for Other { fn to_tokens(&self) {} }
`}}
	app := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("pm", "pm", "1"), dep("qu", "qu", "1")},
		files: map[string]string{"src/lib.rs": `
use qu::ToTokens;
pub fn f(i: &pm::Ident) { i.to_tokens(); }
`}}
	expectCallees(t, buildFixture(t, pm, qu, app), map[string]map[string]string{
		"a::f": {"qu::Ident::to_tokens": "exact"},
	})
}

// The generic parameters of an impl (impl<S: StateID> Repr<S>) and of a struct (struct Timed<B>
// where B: StateID) type the fn parameters and the fields written with them.
func TestImplAndStructBounds(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait StateID { fn to_usize(self) -> usize; }
impl StateID for u32 { fn to_usize(self) -> usize { 0 } }
pub struct Other;
impl Other { pub fn to_usize(&self) -> usize { 0 } }
pub struct Repr<T, S> { trans: T, start: S }
impl<T: AsRef<[u8]>, S: StateID> Repr<T, S> {
    pub fn state(&self, id: S) -> usize { id.to_usize() }
    pub fn first(&self) -> usize { self.start.to_usize() }
}
pub struct Timed<B> where B: StateID { bar: B }
impl<B: StateID> Timed<B> { pub fn len(&self) -> usize { self.bar.to_usize() } }
`}})
	want := map[string]string{"a::StateID::to_usize": "exact", "a::u32::to_usize": "trait"}
	expectCallees(t, g, map[string]map[string]string{"a::Repr::state": want, "a::Repr::first": want, "a::Timed::len": want})
}

// #[derive]s of std traits write methods: calls of them on the type resolve (x.clone(), a == b,
// S::default()); a generic bound or an unknown receiver does not reach them.
func TestDerivedMethods(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
#[derive(Clone, Debug, PartialEq, Default)]
pub struct S { n: u8 }
pub mod m {
    #[derive(std::clone::Clone)]
    pub enum E { A }
}
pub fn f(a: &S, b: &S, e: &m::E) -> bool { a.clone(); e.clone(); S::default(); a == b }
pub fn g<T: Clone>(t: &T, xs: Vec<u8>) { t.clone(); xs.each(|x| x.clone()); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::f": {"a::S::clone": "exact", "a::m::E::clone": "exact", "a::S::default": "exact", "a::S::eq": "exact"},
		"a::g": {},
	})
}

// A derived method calls the same trait's method of each field whose type has one in the
// corpus; not through a std container (Vec's clone is std's, which then calls the element's) nor
// on a generic field, and a derived Debug hands its fields to the Formatter instead.
func TestDerivedFieldCalls(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Inner;
impl Clone for Inner { fn clone(&self) -> Self { Inner } }
impl PartialEq for Inner { fn eq(&self, _: &Self) -> bool { true } }
impl std::fmt::Debug for Inner { fn fmt(&self, _: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }
impl std::fmt::Display for Inner { fn fmt(&self, _: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }
#[derive(Clone, PartialEq)]
pub enum Kind { A(Inner), B { i: Inner, n: u8 } }
#[derive(Clone, Debug, PartialEq)]
pub struct Outer<T> { inner: Inner, kind: Kind, many: Vec<Inner>, t: T }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::Outer::clone": {"a::Inner::clone": "exact", "a::Kind::clone": "exact"},
		"a::Outer::eq":    {"a::Inner::eq": "exact", "a::Kind::eq": "exact"},
		"a::Outer::fmt":   {},
		"a::Kind::clone":  {"a::Inner::clone": "exact"},
	})
}

// Call sites under a #[cfg] false on x86_64 Linux (on the fn, an enclosing module or file, or a
// statement or block in the body) are marked, not dropped; unknown features are not false.
func TestCfgOffLinux(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub fn target() {}
pub fn target2() {}
pub fn target3() {}
#[cfg(windows)]
pub fn win() { target(); }
pub fn mixed() {
    #[cfg(target_os = "macos")]
    { target(); }
    #[cfg(unix)]
    target2();
    #[cfg(all(unix, not(feature = "x")))]
    target3();
}
#[cfg(any(windows, target_os = "ios"))]
mod w { pub fn g() { super::target(); } }
#[cfg(target_arch = "wasm32")]
mod sys;
#[cfg(unix)]
#[path = "unix.rs"]
mod imp;
#[cfg(windows)]
#[path = "windows.rs"]
mod imp;
`, "src/sys.rs": `pub fn s() { crate::target(); }`, "src/unix.rs": `pub fn u() { crate::target2(); }`,
		"src/windows.rs": `pub fn w() { crate::target3(); }`}})
	want := map[string]bool{"a::win": true, "a::mixed->a::target": true, "a::mixed->a::target2": false,
		"a::mixed->a::target3": false, "a::w::g": true, "a::sys::s": true, "a::imp::u": false, "a::imp::w": true}
	got := map[string]bool{}
	for _, e := range g.Edges() {
		from, to := g.Fns[e.From].Path, g.Fns[e.To].Path
		if from == "a::mixed" {
			from += "->" + to
		}
		got[from] = e.CfgOff
	}
	if !maps.Equal(got, want) {
		t.Errorf("cfg-off edges %v, want %v", got, want)
	}
}

// One module path can have a file per platform (#[path] mod imp;), each with its own struct of a
// name: Self in each impl keeps the fields of all of them rather than of an arbitrary one.
func TestPerPlatformModules(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct X;
impl X { pub fn run(&self) {} }
pub struct Y;
impl Y { pub fn run(&self) {} }
#[cfg(windows)]
#[path = "win.rs"]
mod imp;
#[cfg(unix)]
#[path = "unix.rs"]
mod imp;
`, "src/unix.rs": `pub struct Conn { inner: crate::X }
impl Conn { pub fn go(&self) { self.inner.run(); } }`,
		"src/win.rs": `pub struct Conn { inner: crate::Y }
impl Conn { pub fn go(&self) { self.inner.run(); } }`}})
	expectCallees(t, g, map[string]map[string]string{"a::imp::Conn::go": {"a::X::run": "exact", "a::Y::run": "exact"}})
}

// calleeLines maps the callees of fn to the source lines of their definitions.
func calleeLines(t *testing.T, g *Graph, fn string) map[string][]int32 {
	t.Helper()
	ids := g.Lookup(fn)
	if len(ids) != 1 {
		t.Fatalf("%s: %d fns", fn, len(ids))
	}
	out := map[string][]int32{}
	for _, e := range g.Callees(ids[0]) {
		f := g.Fns[e.To]
		out[f.Path] = append(out[f.Path], f.Line)
	}
	return out
}

// expr? converts the operand's error type F into the fn's error type E with E's From<F> impl
// (an impl in a dependency included, and a generic impl when F has none of its own); nothing
// is linked when F is unknown, when F is E, or inside a closure or async block.
func TestTryFrom(t *testing.T) {
	dc := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct DepError;
pub fn load() -> Result<u8, DepError> { Err(DepError) }
`}}
	a := fixtureCrate{name: "a", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")}, files: map[string]string{"src/lib.rs": `
pub struct ParseError;
pub struct Error;
impl From<ParseError> for Error {
    fn from(_: ParseError) -> Error { Error }
}
impl From<d::DepError> for Error {
    fn from(_: d::DepError) -> Error { Error }
}
pub struct Wide;
impl<T: std::fmt::Debug> From<T> for Wide {
    fn from(_: T) -> Wide { Wide }
}
fn parse() -> Result<u8, ParseError> { Err(ParseError) }
pub fn f() -> Result<u8, Error> { let n = parse()?; Ok(n) }
pub fn g() -> Result<u8, Error> { Ok(d::load()?) }
pub fn same() -> Result<u8, ParseError> { parse()?; Ok(1) }
pub fn unknown(x: Foreign) -> Result<u8, Error> { x.get()?; Ok(1) }
pub fn wide() -> Result<u8, Wide> { parse()?; Ok(1) }
pub fn closure() -> Result<u8, Error> { let c = |x: u8| -> Result<u8, ParseError> { parse()?; Ok(x) }; Ok(1) }
`}}
	g := buildFixture(t, dc, a)
	for fn, want := range map[string]map[string][]int32{
		"a::f":       {"a::parse": {14}, "a::Error::from": {5}},
		"a::g":       {"d::load": {3}, "a::Error::from": {8}},
		"a::same":    {"a::parse": {14}},
		"a::unknown": {},
		"a::wide":    {"a::parse": {14}, "a::Wide::from": {12}},
		"a::closure": {"a::parse": {14}},
	} {
		if got := calleeLines(t, g, fn); !reflect.DeepEqual(got, want) {
			t.Errorf("%s calls %v, want %v", fn, got, want)
		}
	}
}

// *x calls the Deref (or, written to, DerefMut) impl of x's type when x is declared with that
// type; through a reference, a Box or a binding of unknown declaration it is built in or unknown.
func TestDerefOperator(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::ops::{Deref, DerefMut};
pub struct Guard { n: u8 }
impl Deref for Guard {
    type Target = u8;
    fn deref(&self) -> &u8 { &self.n }
}
impl DerefMut for Guard {
    fn deref_mut(&mut self) -> &mut u8 { &mut self.n }
}
pub struct Holder { g: Guard, r: &'static Guard }
pub fn read(g: Guard) -> u8 { *g }
pub fn write(mut g: Guard) { *g = 1; }
pub fn field(h: Holder) -> u8 { let x: u8 = *h.g; x * 2 }
pub fn by_ref(g: &Guard, h: Holder) -> u8 { let _ = *h.r; *g }
pub fn boxed(b: Box<Guard>) -> Guard { *b }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::read":   {"a::Guard::deref": "exact"},
		"a::write":  {"a::Guard::deref_mut": "exact"},
		"a::field":  {"a::Guard::deref": "exact"},
		"a::by_ref": {},
		"a::boxed":  {},
	})
}

// A float's operator impl for a crate type (2.0 * v, t * v) is linked through the right operand's
// type; a crate type's operator impls are narrowed to the one whose Rhs is the right operand's.
func TestOperatorRhs(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::ops::Mul;
#[derive(Clone, Copy)]
pub struct Vec2 { x: f64 }
impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f64) -> Vec2 { self }
}
impl Mul<Vec2> for Vec2 {
    type Output = Vec2;
    fn mul(self, o: Vec2) -> Vec2 { o }
}
impl Mul<Vec2> for f64 {
    type Output = Vec2;
    fn mul(self, v: Vec2) -> Vec2 { v }
}
pub fn scale(v: Vec2, t: f64) -> Vec2 { 2.0 * v }
pub fn scale_var(v: Vec2, t: f64) -> Vec2 { t * v }
pub fn by_f64(v: Vec2, t: f64) -> Vec2 { v * t }
pub fn by_vec(v: Vec2, w: Vec2) -> Vec2 { v * w }
pub fn floats(s: f64, t: f64) -> f64 { s * t }
`}})
	lines := map[string]map[string][]int32{
		"a::scale":     {"a::f64::mul": {15}},
		"a::scale_var": {"a::f64::mul": {15}},
		"a::by_f64":    {"a::Vec2::mul": {7}},
		"a::by_vec":    {"a::Vec2::mul": {11}},
		"a::floats":    {},
	}
	for fn, want := range lines {
		if got := calleeLines(t, g, fn); !reflect.DeepEqual(got, want) {
			t.Errorf("%s calls %v, want %v", fn, got, want)
		}
	}
}

// A let that shadows a name reads the earlier binding in its initialiser (let s = s.as_ref();),
// and as_ref() on a receiver bounded by AsRef<X> is an X: the methods called on the new s are
// those of X, not candidates for an unknown receiver.
func TestShadowingLet(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Buf;
impl Buf { pub fn len(&self) -> usize { 0 } pub fn view(&self) -> View { View } }
pub struct View;
impl View { pub fn len(&self) -> usize { 0 } }
pub struct Other;
impl Other { pub fn len(&self) -> usize { 0 } }
pub fn shadow(b: Buf) { let b = b.view(); b.len(); }
pub fn pattern(b: Option<Buf>) { if let Some(b) = b { b.len(); } }
pub fn conv<B: AsRef<View>>(b: B) { let b = b.as_ref(); b.len(); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::shadow":  {"a::Buf::view": "exact", "a::View::len": "exact"},
		"a::pattern": {"a::Buf::len": "exact"},
		"a::conv":    {"a::View::len": "exact"},
	})
}

// A trait impl for a slice (impl ByteSlice for [u8]) is keyed and named by the slice type, as
// rustc names it: a [u8] receiver reaches its methods and the trait's default methods exactly,
// and self inside it is the slice.
func TestSliceImpl(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait ByteSlice {
    fn as_bytes(&self) -> &[u8];
    fn first_byte(&self) -> u8 { 0 }
}
impl ByteSlice for [u8] {
    fn as_bytes(&self) -> &[u8] { self.first_byte(); self }
}
impl<T> ByteSlice for [Option<T>] {
    fn as_bytes(&self) -> &[u8] { &[] }
}
pub fn bytes(b: &[u8]) { b.as_bytes(); b.first_byte(); }
pub fn lit() { b"x".as_bytes(); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::bytes":                 {"a::[u8]::as_bytes": "exact", "a::ByteSlice::first_byte": "exact"},
		"a::lit":                   {"a::[u8]::as_bytes": "exact"},
		"a::[u8]::as_bytes":        {"a::ByteSlice::first_byte": "exact"},
		"a::[Option<T>]::as_bytes": {},
	})
	if fns := g.Lookup("a::[u8]::as_bytes"); len(fns) != 1 || g.Fns[fns[0]].Owner != "[u8]" {
		t.Errorf("a::[u8]::as_bytes looks up %v", fns)
	}
}

// A call on self in a trait's default method runs for the implementors that do not override
// that method: the impls of types that do are not dispatched to.
func TestDefaultMethodOverride(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait Curve {
    fn eval(&self, t: f64) -> f64;
    fn start(&self) -> f64 { self.eval(0.0) }
    fn end(&self) -> f64 { Self::eval(self, 1.0) }
}
pub struct Line;
pub struct Arc;
impl Curve for Line {
    fn eval(&self, t: f64) -> f64 { t }
    fn start(&self) -> f64 { 0.0 }
}
impl Curve for Arc { fn eval(&self, t: f64) -> f64 { t } }
pub fn any(c: &dyn Curve) { c.eval(0.5); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::Curve::start": {"a::Curve::eval": "exact", "a::Arc::eval": "trait"},
		"a::Curve::end":   {"a::Curve::eval": "exact", "a::Arc::eval": "trait", "a::Line::eval": "trait"},
		"a::any":          {"a::Curve::eval": "exact", "a::Arc::eval": "trait", "a::Line::eval": "trait"},
	})
}

// A bound's associated type binding (I: Iterator<Item = El>) leaves out the implementors whose
// associated type is another type; an iterator over a generic parameter is still a std
// iterator, whose next() is std's, not a candidate for an unknown receiver.
func TestIteratorItemBinding(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct El;
pub struct Seg;
pub struct Els;
impl Iterator for Els { type Item = El; fn next(&mut self) -> Option<El> { None } }
pub struct Segs;
impl Iterator for Segs { type Item = Seg; fn next(&mut self) -> Option<Seg> { None } }
pub struct Any<T>(T);
impl<T> Iterator for Any<T> { type Item = T; fn next(&mut self) -> Option<T> { None } }
pub fn walk<I: Iterator<Item = El>>(mut it: I) { it.next(); }
pub struct Set<S>(Vec<S>);
impl<S: Copy> Set<S> {
    pub fn first(&self) { let mut it = self.0.iter(); it.next(); }
}
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::walk":       {"a::Els::next": "trait", "a::Any::next": "trait"},
		"a::Set::first": {},
	})
}

// Indexing is a postfix step: an element of a Vec, slice or array, a map's value, a sub-slice
// for a range, the Output of a crate type's Index impl.
func TestIndexStep(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::collections::HashMap;
pub struct Name;
impl Name { pub fn len(&self) -> usize { 0 } }
pub struct Other;
impl Other { pub fn len(&self) -> usize { 0 } }
pub struct Node { pub kids: Vec<Node>, pub name: Name, pub names: [Name; 4] }
pub struct Table(Vec<Name>);
impl std::ops::Index<usize> for Table {
    type Output = Name;
    fn index(&self, i: usize) -> &Name { &self.0[i] }
}
pub fn vec(n: &Node) { n.kids[0].name.len(); }
pub fn array(n: &Node) { n.names[1].len(); }
pub fn table(t: &Table) { t[1].len(); }
pub fn map(m: &HashMap<u8, Name>) { m[&1].len(); }
pub fn range(s: &[Name]) { s[1..].len(); s[..][0].len(); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::vec":   {"a::Name::len": "exact"},
		"a::array": {"a::Name::len": "exact"},
		"a::table": {"a::Name::len": "exact"},
		"a::map":   {"a::Name::len": "exact"},
		"a::range": {"a::Name::len": "exact"},
	})
}

// Arithmetic on primitive numbers keeps their type (float literals are f64, std's float methods
// return their receiver's type), unless a crate implements the operator for the primitive and
// the right operand is its Rhs: (a * v) with impl Mul<Vec2> for f64 is a Vec2. Parenthesised
// binary expressions are receivers and operands.
func TestPrimitiveArithmetic(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Vec2;
impl Vec2 { pub fn ceil(self) -> Vec2 { self } pub fn hypot(self) -> f64 { 0.0 } }
pub struct Rect;
impl Rect { pub fn ceil(self) -> Rect { self } }
impl std::ops::Mul<Vec2> for f64 { type Output = Vec2; fn mul(self, v: Vec2) -> Vec2 { v } }
pub fn floats(a: f64, b: f64) { let n = (1.5 * a).powf(2.0).max(b); (n * a.abs()).ceil(); (a / 2.0).ceil(); 1.5f32.ceil(); }
pub fn hex() { 0x1f32.ceil(); }
pub struct Affine;
pub struct Point;
impl Point { pub fn ceil(self) -> Point { self } }
impl std::ops::Mul<Point> for Affine { type Output = Point; fn mul(self, p: Point) -> Point { p } }
impl std::ops::Mul for Affine { type Output = Affine; fn mul(self, a: Affine) -> Affine { a } }
pub fn map(a: Affine, p: Point) { (a * p).ceil(); }
pub fn scaled(a: f64, v: Vec2) { (a * v).ceil(); (2.0 * v).hypot(); }
pub fn unknown<T>(a: f64, w: T) { (a * w.get()).ceil(); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::floats":  {},
		"a::scaled":  {"a::f64::mul": "exact", "a::Vec2::ceil": "exact", "a::Vec2::hypot": "exact"},
		"a::unknown": {"a::Vec2::ceil": "approximate", "a::Rect::ceil": "approximate", "a::Point::ceil": "approximate"},
		"a::hex":     {"a::Vec2::ceil": "approximate", "a::Rect::ceil": "approximate", "a::Point::ceil": "approximate"}, // an integer, of an inferred type
		"a::map":     {"a::Affine::mul": "exact", "a::Point::ceil": "exact"},
	})
}

// str's iterator methods (chars, bytes, split, ...) yield std values: their next() is std's.
func TestStrIterators(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct P;
impl P { pub fn next(&mut self) -> Option<u8> { None } pub fn trim(&self) -> P { P } }
pub fn walk(s: &str) { let mut cs = s.chars(); cs.next(); s[1..].bytes().next(); s.split(',').next().unwrap().trim(); }
`}})
	expectCallees(t, g, map[string]map[string]string{"a::walk": {}})
}

// A value held by a std type is typed through it (vec![x], Some(x), Ok(x), Box::new(x)), and std
// methods of str, char, numbers and slices with a fixed result type give that std type, whose
// methods are std's: none of the crate's namesakes is a candidate.
func TestStdValues(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct P;
impl P {
    pub fn len(&self) -> usize { 0 }
    pub fn iter(&self) {}
    pub fn count_ones(&self) {}
    pub fn as_bytes(&self) {}
}
pub struct Q;
impl Q { pub fn run(&self) {} }
pub fn held(q: Q, r: Q) {
    let v = vec![Q, Q]; v[0].run();
    Some(q).unwrap().run();
    Box::new(r).run();
}
pub fn std_results(c: char, s: &str) {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf).as_bytes().iter();
    s.trim().len();
    let n = 3u32;
    n.checked_add(1).unwrap().count_ones();
    vec![1u8].as_slice().len();
}
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::held":        {"a::Q::run": "exact"},
		"a::std_results": {},
	})
}

// On a receiver held by a std wrapper (Rc<S>, Mutex<S>), the wrapper's own methods come first:
// rc.clone() is Rc's, m.lock() Mutex's (a Result of a guard of S, also through Arc<Mutex<S>>),
// not S's namesakes.
func TestWrapperOwnMethods(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
use std::rc::Rc;
use std::sync::Mutex;
#[derive(Clone)]
pub struct S;
impl S { pub fn lock(&self) {} pub fn go(&self) {} }
pub fn wrapped(a: Rc<S>, m: Mutex<S>, am: std::sync::Arc<Mutex<S>>) {
    a.clone().go(); m.lock().unwrap().go(); Rc::new(S).clone(); am.lock().unwrap().go();
}
pub fn plain(s: S) { s.clone(); s.lock(); }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::wrapped": {"a::S::go": "exact"},
		"a::plain":   {"a::S::clone": "exact", "a::S::lock": "exact"},
	})
}

// Option's take, or, filter, ... keep the Option's value type; get_or_insert_with gives the value.
func TestOptionMethods(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct H;
impl H { pub fn join(&self) {} }
pub struct K;
impl K { pub fn join(&self) {} }
pub struct T(Option<H>);
pub fn take(mut t: T) {
    if let Some(h) = t.0.take() { h.join(); }
    t.0.get_or_insert_with(|| H).join();
}
`}})
	expectCallees(t, g, map[string]map[string]string{"a::take": {"a::H::join": "exact"}})
}

// lazy_static's expansion: an impl that names Deref by the alias its macro crate re-exports, a
// static of the generated type as a receiver (auto-deref to the value's methods), and the deref
// in initialize.
func TestStaticReceiverAndTraitAlias(t *testing.T) {
	lazy := fixtureCrate{name: "lazy", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub use core::ops::Deref as __Deref;
pub trait LazyStatic { fn initialize(lazy: &Self); }
#[macro_export]
macro_rules! lazy {
    (static ref $N:ident : $T:ty = $e:expr;) => {
        pub struct $N { __private_field: () }
        pub static $N: $N = $N { __private_field: () };
        impl $crate::__Deref for $N {
            type Target = $T;
            fn deref(&self) -> &$T { todo!() }
        }
        impl $crate::LazyStatic for $N {
            fn initialize(lazy: &Self) { let _ = &**lazy; }
        }
    };
}
`}}
	app := fixtureCrate{name: "app", version: "1.0.0", deps: []cratefile.Dependency{dep("lazy", "lazy", "1")},
		files: map[string]string{"src/lib.rs": `
pub mod tables;
use crate::tables::TABLE;
pub struct Dfa;
impl Dfa { pub fn find(&self) -> usize { 0 } }
pub const PLAIN: Dfa = Dfa;
pub fn lookup() -> usize { TABLE.find() }
pub fn plain() -> usize { PLAIN.find() }
pub fn shadowed(PLAIN: u8) -> u8 { PLAIN.count_ones() as u8 }
`, "src/tables.rs": `
lazy::lazy! { static ref TABLE: crate::Dfa = crate::Dfa; }
`}}
	g := buildFixture(t, lazy, app)
	expectCallees(t, g, map[string]map[string]string{
		"app::lookup":                    {"app::Dfa::find": "exact", "app::tables::TABLE::deref": "exact"},
		"app::plain":                     {"app::Dfa::find": "exact"},
		"app::shadowed":                  {},
		"app::tables::TABLE::initialize": {"app::tables::TABLE::deref": "exact"},
	})
}

// Default::default() takes its type from the context: the fn's return type when it is the body's
// tail, the struct literal's in ..Default::default().
func TestDefaultFromContext(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
#[derive(Default)]
pub struct Path { v: Vec<u8> }
pub struct Table { n: u8 }
impl Default for Table { fn default() -> Self { Table { n: 1 } } }
pub struct State { t: Table, k: u8 }
impl Default for State { fn default() -> Self { State { t: Table::default(), k: 0 } } }
impl Path { pub fn new() -> Path { Default::default() } }
impl Table { pub fn new() -> Self { Default::default() } }
impl State { pub fn new(k: u8) -> State { State { k, ..Default::default() } } }
pub fn not_tail() -> u8 { let t: u8 = Default::default(); t + 1 }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::Path::new":  {"a::Path::default": "exact"},
		"a::Table::new": {"a::Table::default": "exact"},
		"a::State::new": {"a::State::default": "exact"},
		"a::not_tail":   {},
	})
}

// An alias is only the name it stands for where its use is: syn's `use quote::spanned::Spanned
// as ToTokens` in one module leaves every other impl quote::ToTokens alone.
func TestTraitAliasScope(t *testing.T) {
	q := fixtureCrate{name: "q", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait ToTokens { fn to_tokens(&self); }
pub mod spanned { pub trait Spanned { fn to_tokens(&self); } }
`}}
	s := fixtureCrate{name: "s", version: "1.0.0", deps: []cratefile.Dependency{dep("q", "q", "1")},
		files: map[string]string{"src/lib.rs": `
mod sp { use q::spanned::Spanned as ToTokens; pub struct A; impl ToTokens for A { fn to_tokens(&self) {} } }
pub struct B;
impl q::ToTokens for B { fn to_tokens(&self) {} }
pub fn all(t: &dyn q::ToTokens) { t.to_tokens() }
pub fn spanned(t: &dyn q::spanned::Spanned) { t.to_tokens() }
`}}
	g := buildFixture(t, q, s)
	expectCallees(t, g, map[string]map[string]string{
		"s::all":     {"q::ToTokens::to_tokens": "exact", "s::B::to_tokens": "trait"},
		"s::spanned": {"q::spanned::Spanned::to_tokens": "exact", "s::sp::A::to_tokens": "trait"},
	})
}

// A crate that reaches the function only through another platform's code is reported, with the
// path and its step marked as such.
func TestReachOtherPlatform(t *testing.T) {
	g := buildFixture(t, vulnCrate, fixtureCrate{name: "winonly", version: "1.0.0",
		deps: []cratefile.Dependency{dep("vuln", "vuln", "1")}, files: map[string]string{"src/lib.rs": `
#[cfg(windows)]
pub fn w() { vuln::helper(); }
`}})
	a, err := advisory.ParseRustSec("crates/vuln/RUSTSEC-2099-0001.md", []byte(fixtureAdvisory))
	if err != nil {
		t.Fatal(err)
	}
	r := g.ReachAdvisory(a)
	if len(r.Reaching) != 1 || !r.Reaching[0].OtherPlatform || !r.Reaching[0].Path[0].OtherPlatform {
		t.Fatalf("reaching %+v, want winonly through a step marked another platform's", r.Reaching)
	}
	if got := r.Reaching[0].Path[0].Label(); got != "exact, not on x86_64 Linux" {
		t.Errorf("label %q", got)
	}
	var buf strings.Builder
	if err := WriteOpenVEX(&buf, []*AdvisoryReach{r}, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "only on platforms other than x86_64 Linux") {
		t.Errorf("OpenVEX statement does not say the path is another platform's:\n%s", buf.String())
	}
	// Seen as a Linux build, winonly depends on the vulnerable version without reaching it.
	lr := g.OnLinux().ReachAdvisory(a)
	if len(lr.Reaching) != 0 || len(lr.NotReaching) != 1 || lr.NotReaching[0].Crate != "winonly" {
		t.Errorf("on Linux: reaching %+v, not reaching %+v", lr.Reaching, lr.NotReaching)
	}
	buf.Reset()
	if err := WriteJSON(&buf, []*AdvisoryReach{lr}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"reaching": []`) {
		t.Errorf("no reaching crate is not an empty list in JSON:\n%s", buf.String())
	}
	if n := len(g.Edges()) - len(g.OnLinux().Edges()); n != 1 {
		t.Errorf("OnLinux left out %d edges, want the one under #[cfg(windows)]", n)
	}
}

// A default method's calls on self reach the implementations for the types it is called with:
// typed calls in any crate of the corpus, inherited through default methods that call it on
// self; a call on a generic or dyn receiver, or no call at all, keeps every implementation.
func TestDefaultMethodInstantiations(t *testing.T) {
	curve := fixtureCrate{name: "curve", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub trait Curve {
    fn eval(&self) -> u8;
    fn start(&self) -> u8 { self.eval() }
    fn twice(&self) -> u8 { self.start() }
    fn unused(&self) -> u8 { self.eval() }
    fn open(&self) -> u8 { self.eval() }
}
pub struct Line; pub struct Quad; pub struct Cubic; pub struct Point;
impl Curve for Line { fn eval(&self) -> u8 { 1 } }
impl Curve for Quad { fn eval(&self) -> u8 { 2 } }
impl Curve for Cubic { fn eval(&self) -> u8 { 3 } fn start(&self) -> u8 { 0 } }
impl Curve for Point { fn eval(&self) -> u8 { 4 } }
pub fn use_line(a: &Line) -> u8 { a.start() }
pub fn generic<T: Curve>(t: &T) -> u8 { t.open() }
`}}
	user := fixtureCrate{name: "user", version: "1.0.0", deps: []cratefile.Dependency{dep("curve", "curve", "1")},
		files: map[string]string{"src/lib.rs": `
use curve::Curve;
pub fn use_quad(b: &curve::Quad) -> u8 { b.twice() }
`}}
	g := buildFixture(t, curve, user)
	expectCallees(t, g, map[string]map[string]string{
		// Line's start is called (use_line), Quad's through twice (user::use_quad); Cubic overrides it.
		"curve::Curve::start": {"curve::Line::eval": "trait", "curve::Quad::eval": "trait", "curve::Curve::eval": "exact"},
		// twice is only called on Quad, so Cubic's override of start is not reached from it.
		"curve::Curve::twice": {"curve::Curve::start": "exact"},
		"curve::Curve::unused": {"curve::Line::eval": "trait", "curve::Quad::eval": "trait", "curve::Cubic::eval": "trait",
			"curve::Point::eval": "trait", "curve::Curve::eval": "exact"},
		"curve::Curve::open": {"curve::Line::eval": "trait", "curve::Quad::eval": "trait", "curve::Cubic::eval": "trait",
			"curve::Point::eval": "trait", "curve::Curve::eval": "exact"},
	})
}

// A dependency's macro in a fn body is expanded too; the calls it writes get edges only where
// they resolve (no candidates, no dispatch to every impl: its receivers are the caller's values,
// which the macro's author wrote for any type), and its #[cfg(feature = "..")] is the invoking
// crate's feature: one the crate does not declare is off. Of a macro defined once per feature,
// the definition the default build has is the one expanded.
func TestDependencyMacroInFnBody(t *testing.T) {
	trace := fixtureCrate{name: "trace", version: "1.0.0", features: map[string][]string{"default": {"std"}, "std": nil, "log": nil},
		files: map[string]string{"src/lib.rs": `
#[cfg(not(feature = "log"))]
#[macro_export]
macro_rules! __log { () => {}; }
#[cfg(feature = "log")]
#[macro_export]
macro_rules! __log { () => { $crate::log_record() }; }
#[macro_export]
macro_rules! event {
    ($v:expr) => {{
        $crate::dispatch(&$v);
        #[cfg(feature = "log")]
        { $crate::log_it(); }
        $crate::__log!();
        $v.record();
    }};
}
#[macro_export]
macro_rules! wrap { ($e:expr) => {{ $crate::dispatch(&$e); }}; }
pub fn dispatch<T>(_: &T) {}
pub fn log_it() {}
pub fn log_record() {}
pub trait Rec { fn record(&self); }
pub struct Field;
impl Rec for Field { fn record(&self) {} }
pub struct Other;
impl Rec for Other { fn record(&self) {} }
`}}
	src := `
use trace::Rec;
pub fn typed(f: trace::Field) { trace::event!(f); }
pub fn untyped() { trace::event!(unknown::value()); }
pub fn own_code_in_input() { trace::wrap!(unknown::value().record()); }
`
	dep := []cratefile.Dependency{dep("trace", "trace", "1")}
	g := buildFixture(t, trace,
		fixtureCrate{name: "app", version: "1.0.0", deps: dep, features: map[string][]string{}, files: map[string]string{"src/lib.rs": src}},
		fixtureCrate{name: "withlog", version: "1.0.0", deps: dep, features: map[string][]string{"log": nil}, files: map[string]string{"src/lib.rs": src}})
	expectCallees(t, g, map[string]map[string]string{
		"app::typed":   {"trace::dispatch": "exact", "trace::log_it": "exact", "trace::Field::record": "exact"},
		"app::untyped": {"trace::dispatch": "exact", "trace::log_it": "exact"},
		// The argument is the crate's own code: its call gets candidates as anywhere else.
		"app::own_code_in_input": {"trace::dispatch": "exact", "trace::Field::record": "approximate", "trace::Other::record": "approximate"},
	})
	for _, c := range []struct {
		caller string
		off    bool
	}{{"app::typed", true}, {"withlog::typed", false}} {
		for _, fn := range g.Lookup(c.caller) {
			for _, e := range g.Callees(fn) {
				if g.Fns[e.To].Path == "trace::log_it" && e.CfgOff != c.off {
					t.Errorf("%s -> log_it marked other-platform %v, want %v (feature log declared: %v)", c.caller, e.CfgOff, c.off, !c.off)
				}
			}
		}
	}
}

// The initialiser of a static or const in a fn body runs when the crate is compiled, not when
// the fn does: its calls are not the fn's.
func TestConstInitialiserCalls(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Site;
impl Site { pub const fn new() -> Site { Site } pub fn hit(&self) {} }
pub fn event() {
    static SITE: Site = Site::new();
    const N: usize = count();
    SITE.hit();
}
pub const fn count() -> usize { 1 }
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::event": {"a::Site::hit": "exact"},
	})
}

// A call from this platform's code of a fn that exists only on another platform (here an
// approximate candidate from a Windows-only module) is that platform's edge.
func TestCalleeOnOtherPlatform(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
#[cfg(windows)]
pub mod registry {
    pub struct Keys;
    impl Keys { pub fn enumerate(&self) -> u8 { 0 } }
}
pub mod unix {
    pub struct Entries;
    impl Entries { pub fn enumerate(&self) -> u8 { 1 } }
}
pub fn list() -> u8 { let x = elsewhere::make(); x.enumerate() }
`}})
	expectCalleesOff(t, g, "a::list", map[string]bool{"a::registry::Keys::enumerate": true, "a::unix::Entries::enumerate": false})
}

// let x; followed by x = e; gives x e's type (syn's braced!(content in input) expands so).
func TestDeferredLetInit(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Buf;
impl Buf { pub fn parse(&self) {} }
pub struct Other;
impl Other { pub fn parse(&self) {} }
pub struct Braces { pub content: Buf }
pub fn open() -> Result<Braces, ()> { Ok(Braces { content: Buf }) }
pub fn f() -> Result<(), ()> {
    let content;
    match open() {
        ::std::result::Result::Ok(braces) => { content = braces.content; }
        Err(e) => return Err(e),
    }
    content.parse();
    Ok(())
}
`}})
	expectCallees(t, g, map[string]map[string]string{
		"a::f": {"a::open": "exact", "a::Buf::parse": "exact"},
	})
}

// A crate's impls for a type name it declares itself are for its own type, not a dependency's
// namesake (quinn-udp's cmsg::Iter beside tracing_core's Iter).
func TestOwnNamesakeImpls(t *testing.T) {
	d := fixtureCrate{name: "d", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub struct Iter;
impl Iter { pub fn next(&self) {} }
pub fn make() -> Iter { Iter }
`}}
	app := fixtureCrate{name: "app", version: "1.0.0", deps: []cratefile.Dependency{dep("d", "d", "1")},
		files: map[string]string{"src/lib.rs": `
pub struct Iter;
impl Iter { pub fn next(&self) {} }
pub fn f() { d::make().next(); }
`}}
	g := buildFixture(t, d, app)
	expectCallees(t, g, map[string]map[string]string{
		"app::f": {"d::make": "exact", "d::Iter::next": "exact"},
	})
}

// if cfg!(p) { .. } else { .. }: the branch p's value on Linux rules out is another platform's.
func TestCfgMacroBranches(t *testing.T) {
	g := buildFixture(t, fixtureCrate{name: "a", version: "1.0.0", files: map[string]string{"src/lib.rs": `
pub fn mac() {}
pub fn lin() {}
pub fn win() {}
pub fn feat() {}
pub fn f() {
    if cfg!(target_os = "macos") { mac(); }
    if cfg!(unix) { lin(); } else { win(); }
    if !cfg!(unix) { win(); }
    if cfg!(feature = "x") { feat(); }
}
`}})
	expectCalleesOff(t, g, "a::f", map[string]bool{"a::mac": true, "a::lin": false, "a::win": true, "a::feat": false})
}
