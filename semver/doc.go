// Package semver implements Cargo's flavour of Semantic Versioning: versions, version
// requirements and matching, following the Rust semver crate (1.x) that Cargo uses, so that a
// requirement read from a registry index selects exactly the versions Cargo would select.
//
// Parsing is strict (no leading "v", no fourth component, no leading zeros) and bounded in
// input length and comparator count. Matching allocates nothing: a dependency graph of the
// whole ecosystem calls it millions of times.
package semver
