// Package advisory reads security advisories: the RustSec advisory database (Markdown files
// with a TOML front-matter block) and OSV JSON, in both directions for OSV. An Advisory says
// which versions of a crate are vulnerable (Vulnerable) and, when known, which functions.
//
// Every file is hostile input: sizes, counts and list lengths are bounded, and a file that
// does not parse is reported with its path and reason while the rest still load.
package advisory
