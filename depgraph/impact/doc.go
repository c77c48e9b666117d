// Package impact applies security advisories to the ecosystem dependency graph: for an
// advisory (or a crate version named by hand) it lists every crate version that can end up
// using a vulnerable version, with a shortest dependency chain as evidence, and whether each
// crate's newest version is still exposed. It reports one advisory, or every advisory of a
// database in one pass, as text-ready rows, JSON, or OSV records for the exposed crates.
package impact
