package typosquat

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNamesakes(t *testing.T) {
	c, err := NewCorpus([]Entry{
		{Name: "log", Popularity: 100}, {Name: "md5", Popularity: 90}, {Name: "lasso", Popularity: 80},
		{Name: "winx", Popularity: 70}, {Name: "foo-bar", Popularity: 60},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	registry := []string{
		"log", "log-derive", "env_log", "my-log-thing", "log_derive", // the repeat (another spelling) counts once
		"logger",                    // not the word "log"
		"md5", "md5-rs", "rust-md5", // two namesakes of md5
		"lasso", "winxrs", // glued: does not use winx as a word
		"foo-bar", "_foo__bar", "foo-bar-baz", "bar-foo", // foo-bar's own name in two spellings, one namesake
		"ѕеrdе",                     // Cyrillic look-alikes fold; harmless
		"", strings.Repeat("x", 65), // not crate names: skipped, not an error
	}
	withReg, err := c.WithRegistryNames(registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target, candidate string
		want              int
	}{
		{"log", "log_rs", 3},  // log-derive, env_log, my-log-thing
		{"md5", "md5-rs", 1},  // md5-rs is registered and does not count itself: rust-md5 is left
		{"md5", "md5-lib", 2}, // a new name: both namesakes count
		{"lasso", "lasso-rs", 0},
		{"winx", "winx-rs", 0},
		{"foo-bar", "foo-bar-rs", 1},
	} {
		id := int32(withReg.Rank(tc.target) - 1)
		got, known := withReg.namesakesOf(id, Canonical(tc.candidate))
		if !known || got != tc.want {
			t.Errorf("namesakes of %s for %s: %d (known %v), want %d", tc.target, tc.candidate, got, known, tc.want)
		}
	}
	if _, known := c.namesakesOf(0, "log_rs"); known {
		t.Error("the original corpus learnt the registry's names: WithRegistryNames must copy")
	}

	// A filler affix on a name nobody else uses weighs more than on a common word, and says so.
	ch := mustChecker(t, withReg, permissive())
	lasso, ok1 := matchOf(mustCheck(t, ch, "lasso-rs"), "lasso", Affix)
	logRs, ok2 := matchOf(mustCheck(t, ch, "log-rs"), "log", Affix)
	if !ok1 || !ok2 || lasso.Namesakes == nil || *lasso.Namesakes != 0 || logRs.Namesakes == nil || *logRs.Namesakes != 3 {
		t.Fatalf("namesakes not recorded: %+v %+v", lasso, logRs)
	}
	// The evidence changes from the name-only filler weight to the namesake weight, exactly.
	cfg := permissive()
	plainCh := mustChecker(t, c, cfg)
	for _, tc := range []struct {
		name, target string
		got          Match
		namesakes    float64
	}{{"lasso-rs", "lasso", lasso, 0}, {"log-rs", "log", logRs, 3}} {
		plain, _ := matchOf(mustCheck(t, plainCh, tc.name), tc.target, Affix)
		want := cfg.DistinctFillerAffixWeight - cfg.NamesakeSlope*math.Log10(1+tc.namesakes) - cfg.FillerAffixWeight
		if plain.Namesakes != nil || math.Abs(tc.got.Score-plain.Score-want) > 1e-9 {
			t.Errorf("%s: score %.3f with registry names, %.3f without (namesakes %v): want a difference of %.3f",
				tc.name, tc.got.Score, plain.Score, plain.Namesakes, want)
		}
	}
	// A target with namesakes everywhere (the most popular crates) keeps the flat weight.
	crowded := slices.Clone(registry)
	for i := range 1000 {
		crowded = append(crowded, fmt.Sprintf("log-x%d", i))
	}
	withCrowd, err := c.WithRegistryNames(crowded)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := matchOf(mustCheck(t, plainCh, "log-rs"), "log", Affix)
	if m, _ := matchOf(mustCheck(t, mustChecker(t, withCrowd, cfg), "log-rs"), "log", Affix); m.Namesakes == nil || *m.Namesakes != 1003 || m.Score != flat.Score {
		t.Errorf("log-rs among 1,003 namesakes: %+v, want the flat score %.3f", m, flat.Score)
	}
	hits := mustCheck(t, ch, "lasso-rs")
	if e := hits[0].Explain(); !strings.Contains(e, `no other crate name uses "lasso"`) {
		t.Errorf("explanation: %s", e)
	}
	if e := mustCheck(t, ch, "log-rs")[0].Explain(); !strings.Contains(e, `3 other crate names use "log"`) {
		t.Errorf("explanation: %s", e)
	}
	// The meaningful affixes are left as they are: companion crates of owners.
	if m, _ := matchOf(mustCheck(t, ch, "lasso-cli"), "lasso", Affix); m.Namesakes != nil {
		t.Errorf("lasso-cli: %+v", m)
	}
}

func mustCheck(t testing.TB, ch *Checker, name string) []Hit {
	t.Helper()
	hits, err := ch.Check(Package{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}
