// Package depgraph is an in-memory graph of every version of every crate in a registry and
// of every dependency requirement between them, with Cargo's resolution semantics. It answers
// "who depends on this crate (or on these versions of it)", directly and transitively, and
// "which crate versions can end up using a vulnerable version" with one shortest dependency
// chain as evidence.
//
// The graph is built once (Builder, or FromStore) and is immutable afterwards, so any number
// of goroutines may query it without locks. It is compact: crates, versions and dependencies
// are integer ids into flat arrays; the versions of a crate are contiguous and sorted by
// precedence, so the versions a requirement admits are an index interval, plus a bitmap for
// the rare requirement whose admitted set has holes (pre-releases inside the interval that
// Cargo's pre-release rule rejects). Resolutions are computed once per distinct
// (crate, requirement) pair and shared by every dependency that spells it the same way.
//
// Rules, chosen to match what Cargo can do:
//
//   - A dependency admits the versions of its target crate (Package for a renamed dependency)
//     that its requirement matches, pre-releases only when a comparator names a pre-release of
//     the same major.minor.patch. A requirement that does not parse admits nothing and is
//     counted in Stats; so is a dependency on a crate the registry does not hold.
//   - Yanked versions cannot be chosen by a new resolution: traversals skip them unless
//     Options.Yanked is set (existing lockfiles may still pin them, so impact reports them
//     separately). A yanked dependent is still reported; it just cannot carry exposure
//     further, since nothing newly resolves to it.
//   - "Can resolve" is existential: a version is a reverse dependency of a set when some
//     dependency of it, allowed by the Filter, admits a version of the set. Cargo's unification
//     and feature selection can only narrow this, so it over-approximates no real build.
//   - Dev-dependencies never propagate: a dev-dependency of X is compiled for X's own tests
//     only, not for X's dependents. A version reached through a dev edge is reported but not
//     expanded; in forward traversals dev edges are followed from the root only.
//   - The default Filter follows normal and build dependencies, optional or not, for any
//     target platform.
//   - The newest version of a crate is its highest non-yanked release, or its highest
//     non-yanked pre-release when it has no release; a crate whose versions are all yanked has
//     none.
//   - Popularity counts crates, not versions, through a fresh resolution: from the newest
//     version of each crate, every dependency resolves to the highest non-yanked version it
//     admits (what `cargo generate-lockfile` picks when nothing else constrains it).
package depgraph
