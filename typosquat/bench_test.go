package typosquat

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticCorpus is a corpus of n made-up names shaped like crate names, for benchmarks
// that need no shared data.
func syntheticCorpus(b *testing.B, n int) (*Corpus, []string) {
	words := strings.Fields("serde json tokio async core derive macro util net http sys cli test log rand fast simple lib web proto")
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var entries []Entry
	var names []string
	for len(entries) < n {
		k := 1 + r.IntN(3)
		parts := make([]string, k)
		for i := range parts {
			parts[i] = words[r.IntN(len(words))] + fmt.Sprint(r.IntN(50))
		}
		name := strings.Join(parts, "-")
		if seen[name] {
			continue
		}
		seen[name] = true
		entries = append(entries, Entry{Name: name, Popularity: 1 / float64(len(entries)+1)})
		names = append(names, name)
	}
	c, err := NewCorpus(entries, 0)
	if err != nil {
		b.Fatal(err)
	}
	return c, names
}

func BenchmarkCheckSynthetic(b *testing.B) {
	c, names := syntheticCorpus(b, 20000)
	ch := mustChecker(b, c, DefaultConfig())
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := names[i%len(names)]
		if _, err := ch.Check(Package{Name: n + "s"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckShared checks every crates.io name of August 2024 against the top-20,000
// corpus that knows the registry's names, one name per iteration.
func BenchmarkCheckShared(b *testing.B) {
	c := sharedCorpusWithRegistry(b)
	names := sharedNames(b)
	ch := mustChecker(b, c, DefaultConfig())
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ch.Check(Package{Name: names[i%len(names)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadRankedShared(b *testing.B) {
	sharedCorpus(b)
	for b.Loop() {
		sharedCorpus(b)
	}
}

// BenchmarkWithRegistryNamesShared counts the namesakes of the top-20,000 corpus in every
// crates.io name of August 2024.
func BenchmarkWithRegistryNamesShared(b *testing.B) {
	c := sharedCorpus(b)
	names := sharedNames(b)
	for b.Loop() {
		if _, err := c.WithRegistryNames(names); err != nil {
			b.Fatal(err)
		}
	}
}
