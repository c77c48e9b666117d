package callgraph

import "testing"

// FixtureGraph exposes the multi-crate fixture to the external tests of this package.
func FixtureGraph(t testing.TB) *Graph { return fixtureCorpus(t) }
