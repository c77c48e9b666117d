// Package typosquat decides whether a package name imitates a popular one.
//
// It is registry-agnostic: a [Corpus] holds the popular packages (name, popularity, owners,
// first-publish time) from whatever source a registry has (a ranked list, download counts,
// reverse-dependency counts), and a [Checker] tests a [Package] against it. Every check works
// on crates.io's canonical form of a name (lowercase, '-' equal to '_', Unicode confusables
// folded to ASCII) and generates variants of the candidate name that are looked up in hash
// indexes of the corpus, so the cost per name does not grow with the corpus.
//
// A [Hit] names the target, every check that matched with the transformation it saw, and a
// score that weighs the target's popularity against the candidate's: a look-alike of a very
// popular package ranks first, and two obscure packages with similar names stay below the
// threshold.
package typosquat
