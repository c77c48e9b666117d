// Package rustsrc reads Rust source code in pure Go, statically and fast, for the engines that must
// understand every crate of a registry without compiling any of it (the malicious-crate scanner and
// the ecosystem call graph). Nothing is resolved here: paths are kept as written.
//
// It is shaped like go/token + go/scanner + go/ast, in layers that each stand alone:
//
//   - Tokens. Kind is a small table of token kinds (literals, every punctuation token, keywords).
//     A Token is 12 bytes: a byte range of the source plus kind and flags; text is never copied
//     (File.Text returns a string sharing memory with the source, so a File's Src must not change).
//     File maps offsets to file:line:column through a lazily built line table; StringValue decodes
//     string, byte-string and C-string literals.
//   - Scanner. The full lexical grammar: nested block comments, doc comments, raw strings
//     r#"..."#, byte and C strings, chars vs lifetimes ('a' vs 'a), raw identifiers and lifetimes,
//     numbers with suffixes and exponents, 1..2 vs 1.0, tuple indexes (x.0.1), shebangs. It never
//     fails and never allocates per token: bad bytes become Illegal tokens, unterminated literals are
//     flagged. Tokenize runs it over a whole file.
//   - Parse. Token trees (Match pairs balanced delimiters, repairing unbalanced ones), then the
//     items of the file and what their bodies contain, all in flat slices of one ParsedFile:
//     Items (mod, fn with unsafe/const/async/extern ABI, impl with self type and trait, trait,
//     struct/enum/union/type, const/static, use, extern crate as, extern blocks, macro_rules!, item
//     macros; each with Parent, visibility and attributes, #[cfg] kept as data), Uses (flattened use
//     trees: nested, glob, self, renames, pub use), Calls (path calls a::b::c(), Self::f(),
//     <T as Trait>::f(), method calls .m() / .m::<T>() with a plain receiver, calls inside macro
//     token trees; each with its enclosing item and macro), Macros (invocations with their token
//     tree), Lets (type hints from let x: T, let x = T::new() and parameters x: T) and Unsafe blocks. String literals are
//     the tokens whose Kind.IsString(), and ItemAt finds the innermost item holding an offset. The body pass is pattern-based, not an expression parser,
//     which is what lets it read macro token trees too.
//   - Crates. LoadCrate takes an fs.FS and the manifest's facts (CrateInput; InputFromCrate builds
//     one from a cratefile.Crate), parses every .rs file and resolves file modules from the target
//     roots (x.rs, x/mod.rs, non-mod.rs directories, #[path]); each CrateFile knows its Target
//     (lib, bin, build script, test, ...) and module path, and Crate.ItemPath gives an item's full
//     path with its impl self type and trait. Crate.Facts summarises a crate: sizes, module tree,
//     unsafe counts and the FFI picture (extern blocks and their fns by ABI, #[link] names, the links
//     key, -sys naming, build scripts using cc/cmake/bindgen/pkg-config, bundled C/C++/assembly,
//     exported and #[no_mangle] fns). AnalyzeAll runs that over many crates in parallel, Summarize
//     and FFIReport turn the records into the corpus report (text, and HTML with inline SVG).
//
// Hostile input: Parse never gives up on a file. A region it cannot read is skipped and counted by
// reason (SkipReason) while the rest is analysed; tokens per file and nesting depth are capped
// (Config), nothing recurses without a depth bound, delimiter repair looks back a bounded distance,
// and the listed skips are capped (counts stay exact), so time and memory stay linear in the input.
package rustsrc
