package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/cratewatch/cratewatch/internal/store/storetest"
	"github.com/cratewatch/cratewatch/semver"
)

// The conformance suite: every backend must pass the same tests.
func TestConformance(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("ApplyAndRead", func(t *testing.T) { testApplyAndRead(t, b.Open(t)) })
			t.Run("Idempotent", func(t *testing.T) { testIdempotent(t, b.Open(t)) })
			t.Run("YankFlip", func(t *testing.T) { testYankFlip(t, b.Open(t)) })
			t.Run("ChangedDeps", func(t *testing.T) { testChangedDeps(t, b.Open(t)) })
			t.Run("VersionRemoved", func(t *testing.T) { testVersionRemoved(t, b.Open(t)) })
			t.Run("CrateRemoved", func(t *testing.T) { testCrateRemoved(t, b.Open(t)) })
			t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, b.Open(t)) })
			t.Run("Scan", func(t *testing.T) { testScan(t, b.Open(t)) })
			t.Run("Reopen", func(t *testing.T) { testReopen(t, b) })
			t.Run("ManyCrates", func(t *testing.T) { testManyCrates(t, b.Open(t)) })
			t.Run("Advisories", func(t *testing.T) { testAdvisories(t, b.Open(t)) })
			t.Run("Facts", func(t *testing.T) { testFacts(t, b.Open(t)) })
		})
	}
}

var ctx = context.Background()

func rec(name, vers string, yanked bool, deps ...index.Dep) index.Record {
	return index.Record{Name: name, Vers: vers, Version: semver.MustParse(vers), Yanked: yanked,
		Cksum: fmt.Sprintf("%064x", sha256.Sum256([]byte(name+vers))), Deps: deps}
}

func dep(name, req string) index.Dep {
	return index.Dep{Name: name, Req: req, DefaultFeatures: true, Features: []string{}}
}

func update(name string, recs ...index.Record) store.CrateUpdate {
	h := sha256.New()
	for _, r := range recs {
		fmt.Fprintf(h, "%v\n", r)
	}
	var u store.CrateUpdate
	u.Name = name
	copy(u.Hash[:], h.Sum(nil))
	u.Records = recs
	return u
}

func apply(t *testing.T, st store.Store, us ...store.CrateUpdate) store.Changes {
	t.Helper()
	ch, err := st.ApplyIndex(ctx, us, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func stats(t *testing.T, st store.Store) store.Stats {
	t.Helper()
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func crate(t *testing.T, st store.Store, name string) *store.Crate {
	t.Helper()
	c, err := st.Crate(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testApplyAndRead(t *testing.T, st store.Store) {
	renamed := dep("serde1", "^1.0")
	renamed.Package = "serde"
	renamed.Optional = true
	renamed.DefaultFeatures = false
	renamed.Features = []string{"derive", "rc"}
	win := dep("winapi", "0.3")
	win.Target = `cfg(windows)`
	win.Kind = index.Build
	devd := dep("proptest", "~1.2")
	devd.Kind = index.Dev
	r2 := rec("my-crate", "0.2.0", false, renamed, win, devd)
	r2.Links = "z"
	r2.RustVersion = "1.70"
	r2.Pubtime = "2026-01-01T00:00:00Z"
	r2.Features = map[string][]string{"default": {"serde1"}}
	ch := apply(t, st, update("my-crate", rec("my-crate", "0.1.0", true), r2), update("serde", rec("serde", "1.0.0", false)))
	if ch.Crates != 2 || ch.VersionsAdded != 3 {
		t.Fatalf("changes = %+v, want 2 crates and 3 versions added", ch)
	}
	if got, want := stats(t, st), (store.Stats{Crates: 2, Versions: 3, Yanked: 1, Deps: 3}); got != want {
		t.Fatalf("stats = %+v, want %+v", got, want)
	}
	c := crate(t, st, "My_Crate") // canonical lookup: case and -/_ do not matter
	if c.Name != "my-crate" || len(c.Versions) != 2 {
		t.Fatalf("crate = %s with %d versions", c.Name, len(c.Versions))
	}
	v0, v1 := c.Versions[0], c.Versions[1]
	if v0.Num != "0.1.0" || !v0.Yanked || len(v0.Deps) != 0 {
		t.Errorf("version 0 = %+v", v0)
	}
	if v1.Num != "0.2.0" || v1.Yanked || v1.Links != "z" || v1.RustVersion != "1.70" || v1.Pubtime != "2026-01-01T00:00:00Z" ||
		v1.Cksum != r2.Cksum || len(v1.Features["default"]) != 1 {
		t.Errorf("version 1 = %+v", v1)
	}
	if len(v1.Deps) != 3 {
		t.Fatalf("deps = %+v", v1.Deps)
	}
	got := v1.Deps[0]
	if got.Name != "serde1" || got.Package != "serde" || got.Crate() != "serde" || !got.Optional || got.DefaultFeatures ||
		len(got.Features) != 2 || got.Features[1] != "rc" || got.Req != "^1.0" || got.Kind != index.Normal {
		t.Errorf("renamed dep = %+v", got)
	}
	if d := v1.Deps[1]; d.Target != "cfg(windows)" || d.Kind != index.Build || !d.DefaultFeatures {
		t.Errorf("target dep = %+v", d)
	}
	if d := v1.Deps[2]; d.Kind != index.Dev || d.Req != "~1.2" {
		t.Errorf("dev dep = %+v", d)
	}
	if _, err := st.Crate(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing crate: err = %v, want ErrNotFound", err)
	}
	states, err := st.IndexStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if states["my-crate"].Hash != update("my-crate", rec("my-crate", "0.1.0", true), r2).Hash {
		t.Errorf("index hash not kept: %+v", states["my-crate"])
	}
}

func testIdempotent(t *testing.T, st store.Store) {
	u := update("a", rec("a", "1.0.0", false, dep("b", "1")), rec("a", "1.1.0", false))
	apply(t, st, u)
	before := stats(t, st)
	ch := apply(t, st, u)
	if ch.VersionsAdded+ch.VersionsUpdated+ch.VersionsRemoved+ch.YankFlips != 0 {
		t.Fatalf("re-applying the same content changed %+v", ch)
	}
	if after := stats(t, st); after != before {
		t.Fatalf("stats %+v -> %+v", before, after)
	}
}

func testYankFlip(t *testing.T, st store.Store) {
	apply(t, st, update("a", rec("a", "1.0.0", false), rec("a", "1.1.0", false)))
	ch := apply(t, st, update("a", rec("a", "1.0.0", false), rec("a", "1.1.0", true)))
	if ch.YankFlips != 1 || ch.VersionsUpdated != 1 {
		t.Fatalf("changes = %+v, want one yank flip", ch)
	}
	ch = apply(t, st, update("a", rec("a", "1.0.0", false), rec("a", "1.1.0", false)))
	if ch.YankFlips != 1 {
		t.Fatalf("unyank: changes = %+v", ch)
	}
	v := crate(t, st, "a").Versions[1]
	if len(v.YankEvents) != 2 || !v.YankEvents[0].Yanked || v.YankEvents[1].Yanked || v.YankEvents[0].Seen.Year() != 2026 {
		t.Fatalf("yank events = %+v", v.YankEvents)
	}
	if len(crate(t, st, "a").Versions[0].YankEvents) != 0 {
		t.Fatal("unchanged version got yank events")
	}
}

func testChangedDeps(t *testing.T, st store.Store) {
	apply(t, st, update("a", rec("a", "1.0.0", false, dep("b", "1"), dep("c", "2"))))
	ch := apply(t, st, update("a", rec("a", "1.0.0", false, dep("d", "3"))))
	if ch.VersionsUpdated != 1 {
		t.Fatalf("changes = %+v", ch)
	}
	deps := crate(t, st, "a").Versions[0].Deps
	if len(deps) != 1 || deps[0].Name != "d" {
		t.Fatalf("deps = %+v", deps)
	}
	if s := stats(t, st); s.Deps != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

func testVersionRemoved(t *testing.T, st store.Store) {
	apply(t, st, update("a", rec("a", "1.0.0", false, dep("x", "1")), rec("a", "2.0.0", false)))
	ch := apply(t, st, update("a", rec("a", "2.0.0", false)))
	if ch.VersionsRemoved != 1 {
		t.Fatalf("changes = %+v", ch)
	}
	if s := stats(t, st); s.Versions != 1 || s.Deps != 0 {
		t.Fatalf("stats = %+v", s)
	}
	ch = apply(t, st, update("a", rec("a", "1.0.0", false, dep("x", "1")), rec("a", "2.0.0", false)))
	if ch.VersionsUpdated != 1 || len(crate(t, st, "a").Versions) != 2 {
		t.Fatalf("restored: changes = %+v", ch)
	}
	if s := stats(t, st); s.Versions != 2 || s.Deps != 1 {
		t.Fatalf("stats after restore = %+v", s)
	}
}

func testCrateRemoved(t *testing.T, st store.Store) {
	apply(t, st, update("a", rec("a", "1.0.0", false)), update("b", rec("b", "1.0.0", false)))
	if err := st.MarkRemoved(ctx, []string{"b"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if s := stats(t, st); s.Crates != 1 || s.Versions != 1 {
		t.Fatalf("stats = %+v", s)
	}
	if c := crate(t, st, "b"); c.Removed == nil {
		t.Fatal("removed crate not marked")
	}
	states, _ := st.IndexStates(ctx)
	if !states["b"].Removed || states["a"].Removed {
		t.Fatalf("states = %+v", states)
	}
	apply(t, st, update("b", rec("b", "1.0.0", false)))
	if c := crate(t, st, "b"); c.Removed != nil {
		t.Fatal("crate back in the index still marked removed")
	}
}

func testDuplicates(t *testing.T, st store.Store) {
	d := rec("a", "1.0.0", true)
	d.Dup = 1
	ch := apply(t, st, update("a", rec("a", "1.0.0", false, dep("x", "1")), d))
	if ch.VersionsAdded != 2 {
		t.Fatalf("changes = %+v", ch)
	}
	if s := stats(t, st); s.Versions != 2 || s.Duplicates != 1 || s.Yanked != 1 || s.Deps != 1 {
		t.Fatalf("stats = %+v", s)
	}
	vs := crate(t, st, "a").Versions
	if vs[0].Dup != 0 || vs[1].Dup != 1 {
		t.Fatalf("versions = %+v", vs)
	}
}

func testScan(t *testing.T, st store.Store) {
	apply(t, st, update("a", rec("a", "1.0.0", false, dep("b", "1"), dep("c", "2")), rec("a", "1.1.0", false)),
		update("b", rec("b", "1.0.0", true, dep("c", "*"))))
	apply(t, st, update("a", rec("a", "1.1.0", false))) // removes a 1.0.0 and its deps from view
	got := map[string]string{}
	err := st.ScanVersions(ctx, func(v *store.ScannedVersion) error {
		s := fmt.Sprintf("yanked=%v", v.Yanked)
		for _, d := range v.Deps {
			s += " " + d.Name + "@" + d.Req
		}
		got[v.Crate+" "+v.Num] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a 1.1.0": "yanked=false", "b 1.0.0": "yanked=true c@*"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scan = %v, want %v", got, want)
	}
}

func testReopen(t *testing.T, b storetest.Backend) {
	st := b.Open(t)
	apply(t, st, update("a", rec("a", "1.0.0", false)))
	st.Close()
	st2, err := store.Open(ctx, b.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if s := stats(t, st2); s.Versions != 1 {
		t.Fatalf("after reopen: %+v", s)
	}
}

// testManyCrates crosses the multi-row insert batch boundaries.
func testManyCrates(t *testing.T, st store.Store) {
	var us []store.CrateUpdate
	for i := range 1234 {
		name := fmt.Sprintf("c%04d", i)
		us = append(us, update(name, rec(name, "1.0.0", false, dep("x", "1")), rec(name, "1.0.1", i%7 == 0, dep("x", "1"), dep("y", "2"))))
	}
	ch := apply(t, st, us...)
	if ch.VersionsAdded != 2468 {
		t.Fatalf("changes = %+v", ch)
	}
	if s := stats(t, st); s.Crates != 1234 || s.Versions != 2468 || s.Deps != 3*1234 || s.Yanked != 177 {
		t.Fatalf("stats = %+v", s)
	}
}

const advisoryText = "```toml\n" + `[advisory]
id = "RUSTSEC-2021-0003"
package = "smallvec"
date = "2021-01-08"
url = "https://github.com/servo/rust-smallvec/issues/252"
categories = ["memory-corruption"]
keywords = ["buffer-overflow"]
aliases = ["CVE-2021-25900"]

[affected.functions]
"smallvec::SmallVec::insert_many" = [">= 0.6.3, < 0.6.14", ">= 1.0.0, < 1.6.1"]

[versions]
patched = [">= 0.6.14, < 1.0.0", ">= 1.6.1"]
unaffected = ["< 0.6.3"]
` + "```\n\n# Buffer overflow in SmallVec::insert_many\n\nA bug in insert_many.\n"

func testAdvisories(t *testing.T, st store.Store) {
	a, err := advisory.ParseRustSec("crates/smallvec/RUSTSEC-2021-0003.md", []byte(advisoryText))
	if err != nil {
		t.Fatal(err)
	}
	added, updated, err := st.PutAdvisories(ctx, []*advisory.Advisory{a}, time.Now())
	if err != nil || added != 1 || updated != 0 {
		t.Fatalf("put: %d added, %d updated, %v", added, updated, err)
	}
	if added, updated, _ = st.PutAdvisories(ctx, []*advisory.Advisory{a}, time.Now()); added+updated != 0 {
		t.Fatalf("re-put of the same advisory wrote %d+%d", added, updated)
	}
	got, err := st.Advisories(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("advisories: %v %v", got, err)
	}
	want, _ := json.Marshal(a)
	have, _ := json.Marshal(got[0])
	if string(want) != string(have) {
		t.Fatalf("round trip:\n got %s\nwant %s", have, want)
	}
	if !got[0].Vulnerable(semver.MustParse("1.6.0")) || got[0].Vulnerable(semver.MustParse("1.6.1")) {
		t.Fatal("stored advisory lost its version ranges")
	}
	b := *a
	b.Withdrawn = "2022-01-01"
	if _, updated, _ = st.PutAdvisories(ctx, []*advisory.Advisory{&b}, time.Now()); updated != 1 {
		t.Fatalf("changed advisory: %d updated", updated)
	}
	if s := stats(t, st); s.Advisories != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

func testFacts(t *testing.T, st store.Store) {
	put := func(fs ...store.Fact) {
		t.Helper()
		if err := st.PutFacts(ctx, "rustsrc", fs, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	put(store.Fact{Input: "/c/a-1.0.0", Crate: "a", Version: "1.0.0", Data: []byte(`{"n":1}`)},
		store.Fact{Input: "/c/b-2.0.0", Crate: "b", Version: "2.0.0", Data: []byte(`{"n":2}`)},
		store.Fact{Input: "/c/a-1.0.0", Crate: "a", Version: "1.0.0", Data: []byte(`{"n":3}`)})
	put(store.Fact{Input: "/c/b-2.0.0", Crate: "b", Version: "2.0.0", Data: []byte(`{"n":4}`)})
	if err := st.PutFacts(ctx, "malware", []store.Fact{{Input: "/c/a-1.0.0", Crate: "a", Version: "1.0.0", Data: []byte(`{}`)}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := st.ScanFacts(ctx, "rustsrc", func(f store.Fact) error {
		got = append(got, f.Input+" "+f.Crate+"@"+f.Version+" "+string(f.Data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`/c/a-1.0.0 a@1.0.0 {"n":3}`, `/c/b-2.0.0 b@2.0.0 {"n":4}`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("facts = %q, want %q", got, want)
	}
	in, err := st.FactInputs(ctx, "malware")
	if err != nil || len(in) != 1 || !in["/c/a-1.0.0"] {
		t.Fatalf("inputs = %v, %v", in, err)
	}
}
