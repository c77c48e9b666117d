// Package rustsrc reads Rust source code in pure Go, statically and fast, for the engines that must
// understand every crate of a registry without compiling any of it.
//
// It is shaped like go/token + go/scanner + go/ast, in layers that each stand alone:
//
//   - Tokens. Kind is a small table of token kinds (literals, every punctuation token, keywords).
//     A Token is 12 bytes: a byte range of the source plus kind and flags; text is never copied
//     (File.Text returns a string sharing memory with the source, so sources are immutable).
//     File maps offsets to file:line:column through a lazily built line table.
//   - Scanner. The full lexical grammar: nested block comments, doc comments, raw strings
//     r#"..."#, byte and C strings, chars vs lifetimes, raw identifiers, numbers with suffixes and
//     exponents, tuple indexes (x.0.1), shebangs. It never fails: bad bytes become Illegal tokens.
//     Tokenize runs it over a whole file into a reusable slice.
package rustsrc
