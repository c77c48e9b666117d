package callgraph

import (
	"sync"
	"testing"
)

var (
	corpusOnce  sync.Once
	corpusGraph *Graph
)

// BenchmarkBuildFixture measures indexing and linking of the small multi-crate fixture.
func BenchmarkBuildFixture(b *testing.B) {
	for b.Loop() {
		fixtureCorpus(b)
	}
}

// BenchmarkBuildCorpus builds the Debian corpus's graph (load, parse, index, link).
func BenchmarkBuildCorpus(b *testing.B) {
	corpusDir(b)
	for b.Loop() {
		buildCorpus(b)
	}
}

// BenchmarkTransitiveCallers queries the corpus graph for every function that reaches
// smallvec's SmallVec::push over all edge kinds, and core-heavy serde::Serializer methods.
func BenchmarkTransitiveCallers(b *testing.B) {
	corpusDir(b)
	corpusOnce.Do(func() { corpusGraph = buildCorpus(b) })
	g := corpusGraph
	for _, q := range []struct {
		name string
		kind EdgeKind
	}{{"smallvec::SmallVec::push", EdgeApprox}, {"smallvec::SmallVec::push", EdgeTrait}, {"log::__private_api_log", EdgeApprox}} {
		targets := g.Lookup(q.name)
		if len(targets) == 0 {
			b.Fatalf("%s not found", q.name)
		}
		b.Run(q.name+"/"+q.kind.String(), func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(g.TransitiveCallers(targets, q.kind).Order)
			}
			b.ReportMetric(float64(n), "callers")
		})
	}
}
