// Package cratefile reads Cargo .crate files (gzip'd tar archives) without trusting them and
// models the Cargo.toml manifest they carry.
//
// A .crate is hostile input: Read bounds the compressed and decompressed sizes (counted as
// bytes flow, never taken from headers), the size of each file, the number of entries, and the
// length and depth of paths; it rejects absolute paths, "..", links, special files, sparse
// files, duplicate entries (exact, after path cleaning, and differing only in case) and entries
// outside the single <name>-<version>/ prefix. The content is held in memory as an fs.FS rooted
// at that prefix, so nothing from a crate ever touches the disk.
//
// ParseManifest decodes the normalized Cargo.toml that `cargo package` writes: package metadata,
// targets, every dependency table (including renamed and target-specific ones) and features.
// Crate.TargetKind tells which Cargo target (build script, lib, bin, example, test, bench) a
// file belongs to, following Cargo's target auto-discovery.
package cratefile
