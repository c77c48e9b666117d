// Package tuf signs a Cargo registry index with The Update Framework, as RFC 3724 proposes
// for crates.io, and replaces snapshot.json with a TAP 16 snapshot Merkle tree so a client
// verifying one crate downloads a few kilobytes instead of metadata that grows with the
// registry.
//
// One target per crate index file (path = index path, length, sha256) lives in one of 2^b
// hashed bins (TAP 15 succinct delegations from the top-level targets role); the Merkle tree's
// leaves are the top-level targets role and every bin, and the timestamp carries the tree's
// root as merkle_root. The exact formats are our POUF, docs/tuf-pouf.md.
//
// Repository builds and incrementally updates such a repository on disk, Handler serves it,
// Client verifies a crate against it, and Auditor replays every tree to detect rollbacks.
package tuf
