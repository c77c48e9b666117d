// Package index reads Cargo registry indexes: the JSON line format of one crate's index file,
// the path layout, config.json, and sources for a local directory, a .tar.gz of one, and a
// remote sparse index over HTTP. Every byte of an index is treated as hostile input.
package index
