package typosquat

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sharedData is the project's real data directory; tests that need it skip without it.
var sharedData = filepath.Join("..", "..", "shared", "data")

func sharedFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(sharedData, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s absent: %v", p, err)
	}
	return p
}

func sharedCorpus(t testing.TB) *Corpus {
	t.Helper()
	f, err := os.Open(sharedFile(t, "top-crates-2024-03.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ReadRanked(f, f.Name(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedCorpusWithRegistry is the default measurement's corpus: the ranked list plus every
// crates.io name, so filler affixes are weighed by the target's namesakes.
func sharedCorpusWithRegistry(t testing.TB) *Corpus {
	t.Helper()
	c, err := sharedCorpus(t).WithRegistryNames(sharedNames(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sharedNames(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(sharedFile(t, "crate-names-2024-08.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := ReadNames(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestSharedRecall checks the default configuration against real removed typosquats and logs
// how each was caught (go test -run TestSharedRecall -v), with the registry's names known (the
// default measurement) and with the corpus alone.
func TestSharedRecall(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Corpus
		min  int
	}{{"with registry names", sharedCorpusWithRegistry(t), 15}, {"corpus only", sharedCorpus(t), 12}} {
		t.Run(tc.name, func(t *testing.T) { sharedRecall(t, tc.c, tc.min) })
	}
}

// sharedRecall logs the recall table and fails below min, the measured recall
// (docs/typosquat.md): a change that loses a squat fails here.
func sharedRecall(t *testing.T, c *Corpus, min int) {
	f, err := os.Open(sharedFile(t, "typosquats-dev.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ch := mustChecker(t, c, DefaultConfig())
	total, caught := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		squat, target := fields[0], fields[1]
		total++
		hits, err := ch.Check(Package{Name: squat})
		if err != nil {
			t.Fatalf("%s: %v", squat, err)
		}
		how := "missed"
		for _, h := range hits {
			if Canonical(h.Target) == Canonical(target) {
				caught++
				how = h.Explain()
				break
			}
		}
		if how == "missed" {
			// Say what the check saw, so the miss is explained.
			perm := mustChecker(t, c, permissive())
			all, _ := perm.Check(Package{Name: squat})
			for _, h := range all {
				if Canonical(h.Target) == Canonical(target) {
					how = fmt.Sprintf("missed: %s (below threshold %.1f)", h.Explain(), DefaultConfig().Threshold)
				}
			}
		}
		t.Logf("| %s | %s | %s |", squat, target, how)
	}
	t.Logf("recall %d/%d = %.1f%%", caught, total, 100*float64(caught)/float64(total))
	if caught < min {
		t.Errorf("recall %d/%d, below the measured %d", caught, total, min)
	}
}

// TestSharedFalseAlarms runs the default configuration over every crates.io name of August
// 2024 against the ranked corpus (knowing the registry's names, those same names). Corpus
// members are checked too, against the other members (their own entry is never a target, and
// their own popularity weighs against the target's).
func TestSharedFalseAlarms(t *testing.T) {
	c := sharedCorpusWithRegistry(t)
	names := sharedNames(t)
	ch := mustChecker(t, c, DefaultConfig())
	pkgs := make([]Package, len(names))
	for i, n := range names {
		pkgs[i] = Package{Name: n}
	}
	start := time.Now()
	res, err := ch.CheckMany(t.Context(), pkgs, 0)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	var best []Hit
	var perCheck, only [numChecks]int
	inCorpus := 0
	for i, r := range res {
		if r.Err != nil {
			t.Errorf("%s: %v", names[i], r.Err)
			continue
		}
		if len(r.Hits) == 0 {
			continue
		}
		if c.Rank(names[i]) > 0 {
			inCorpus++
		}
		best = append(best, r.Hits[0])
		var seen [numChecks]bool
		for _, h := range r.Hits {
			for _, m := range h.Matches {
				if m.Score >= ch.cfg.Threshold {
					seen[m.Check] = true
				}
			}
		}
		n := 0
		for k, s := range seen {
			if s {
				perCheck[k]++
				n++
			}
		}
		if n == 1 {
			for k, s := range seen {
				if s {
					only[k]++
				}
			}
		}
	}
	share := float64(len(best)) / float64(len(names))
	t.Logf("%d names, %d flagged (%.3f%%; %d of them corpus members), in %v", len(names), len(best), 100*share, inCorpus, elapsed)
	t.Log("| check | flagged names it matched (at or above threshold) | of which by this check alone |")
	for _, k := range Checks() {
		t.Logf("| %s | %d | %d |", k, perCheck[k], only[k])
	}
	slices.SortStableFunc(best, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	for i, h := range best[:min(50, len(best))] {
		t.Logf("%2d. %s", i+1, h.Explain())
	}
	if share > 0.005 {
		t.Errorf("flagged share %.3f%% above 0.5%%", 100*share)
	}
}

// TestSharedNamesakeRates measures what the namesake weighting rests on: over every crates.io
// name of August 2024, the share of corpus targets with an honest filler-affixed look-alike
// ("md5-rs"), by how many other names use the target's words. It logs the table and the fitted
// log-log slope (the default NamesakeSlope), and fails if the share does not rise.
func TestSharedNamesakeRates(t *testing.T) {
	c := sharedCorpusWithRegistry(t)
	names := sharedNames(t)
	ch := mustChecker(t, c, permissive())
	bounds := []int{0, 1, 2, 4, 8, 16, 32, 64, 128, math.MaxInt32}
	bucket := func(k int) int {
		i := 0
		for k >= bounds[i+1] {
			i++
		}
		return i
	}
	targets := make([]int, len(bounds)-1)
	sumK := make([]float64, len(bounds)-1)
	for id := range c.Len() {
		k := int(c.namesakes.count[id])
		targets[bucket(k)]++
		sumK[bucket(k)] += float64(k)
	}
	honest := make([]int, len(bounds)-1)
	for _, n := range names {
		hits, err := ch.Check(Package{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			for _, m := range h.Matches {
				if m.Namesakes != nil {
					honest[bucket(*m.Namesakes)]++
				}
			}
		}
	}
	t.Log("| other names using the target's words | corpus targets | honest filler-affixed names | per target |")
	var xs, ys, ws []float64
	for b := range targets {
		if targets[b] == 0 || honest[b] == 0 {
			continue
		}
		rate := float64(honest[b]) / float64(targets[b])
		hi := fmt.Sprint(bounds[b+1] - 1)
		if bounds[b+1] == math.MaxInt32 {
			hi = "…"
		}
		t.Logf("| %d-%s | %d | %d | %.4f |", bounds[b], hi, targets[b], honest[b], rate)
		xs = append(xs, math.Log10(1+sumK[b]/float64(targets[b])))
		ys = append(ys, math.Log10(rate))
		ws = append(ws, float64(targets[b]))
	}
	var sw, mx, my float64
	for i := range xs {
		sw += ws[i]
		mx += ws[i] * xs[i]
		my += ws[i] * ys[i]
	}
	mx, my = mx/sw, my/sw
	var num, den float64
	for i := range xs {
		num += ws[i] * (xs[i] - mx) * (ys[i] - my)
		den += ws[i] * (xs[i] - mx) * (xs[i] - mx)
	}
	t.Logf("fitted slope of log10(share) on log10(1 + namesakes): %.2f", num/den)
	if len(ys) < 3 || ys[0] >= ys[1] || ys[1] >= ys[2] {
		t.Errorf("share of targets with an honest filler-affixed name does not rise with namesakes: %v", ys)
	}
}
