// Package callgraph builds a function-level call graph over many crates from source, without
// compiling anything, and answers "who calls this function?" across an ecosystem.
//
// Building happens in three passes. Index reads each crate once (in parallel) into a compact
// per-crate index: its module tree, the names each module defines, its use declarations (globs,
// renames, re-exports), impls and trait methods, and its call sites; the parsed tokens are dropped
// right after. Link then resolves every call site against the indexes of the crate and of its
// dependencies (each linked at the version the corpus resolves for it: the newest one its
// requirement admits), giving exact edges where a path, Self, or a receiver of known type pins the
// target, and approximate candidate edges (to every method of that name visible from the crate)
// where it does not. Trait method calls reach every visible implementation. Finally the edges are
// packed into a Graph: compressed adjacency arrays, forward and reverse, so that a transitive
// callers query is a breadth-first search over int32 slices.
//
// Reachability starts from any path a user or an advisory names, resolved like a use path from the
// crate root, so public re-export paths work too, and returns one shortest call path per caller.
package callgraph
