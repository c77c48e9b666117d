package callgraph

import (
	"strings"

	"github.com/cratewatch/cratewatch/cratefile"
	"github.com/cratewatch/cratewatch/rustsrc"
)

// The graph keeps every platform's code: a security tool must not drop the Windows branch of a
// crate because it was built on Linux. Call sites under a #[cfg(..)] that is false when building
// for x86_64 Linux are marked instead (Edge.CfgOff), so that a comparison with a Linux build can
// tell them apart.

// linuxCfg gives the value of cfg names and name = "value" pairs on x86_64 Linux (GNU). Names not
// listed (features, debug_assertions, ...) are unknown: a predicate that depends on them is not
// known to be false.
var linuxCfg = map[string]map[string]bool{
	"unix": {"": true}, "windows": {"": false}, "test": {"": false}, "doc": {"": false}, "miri": {"": false},
	"docsrs": {"": false}, "fuzzing": {"": false},
	"target_os": {"linux": true}, "target_family": {"unix": true}, "target_arch": {"x86_64": true},
	"target_pointer_width": {"64": true}, "target_env": {"gnu": true}, "target_endian": {"little": true},
	"target_vendor": {"unknown": true}, "panic": {"unwind": true},
	"target_has_atomic": {"8": true, "16": true, "32": true, "64": true, "ptr": true},
}

// tri is a three-valued truth: a cfg predicate may depend on features the eval does not know.
type tri int8

const (
	triFalse tri = iota - 1
	triUnknown
	triTrue
)

// cfgEnv evaluates cfg predicates for one crate on x86_64 Linux. features holds the features
// the crate's manifest declares (its [features] and optional dependencies); nil when unknown.
// A feature it does not declare can never be enabled: Cargo passes only declared ones, and a
// dependency's macro that tests feature = "log" tests the invoking crate's features.
type cfgEnv struct {
	features map[string]bool
}

// featureEnvs returns the cfg environments of a crate from its manifest's [features] table and
// dependencies (features nil: unknown). declared takes a feature the manifest does not declare
// (as a feature or an optional dependency) as off; defaults also takes every feature the default
// build does not enable as off, to choose between a macro's definitions for different features.
func featureEnvs(features map[string][]string, deps []cratefile.Dependency) (declared, defaults cfgEnv) {
	if features == nil {
		return cfgEnv{}, cfgEnv{}
	}
	declared.features = map[string]bool{}
	for f := range features {
		declared.features[f] = true
	}
	for _, d := range deps {
		if d.Optional {
			declared.features[d.Name] = true
		}
	}
	defaults.features = map[string]bool{}
	var enable func(f string, depth int)
	enable = func(f string, depth int) {
		f = strings.TrimPrefix(f, "dep:")
		if i := strings.IndexByte(f, '/'); i >= 0 { // dep/feature enables the optional dep
			f = strings.TrimSuffix(f[:i], "?")
		}
		if defaults.features[f] || depth > 64 {
			return
		}
		defaults.features[f] = true
		for _, g := range features[f] {
			enable(g, depth+1)
		}
	}
	for _, f := range features["default"] {
		enable(f, 0)
	}
	return declared, defaults
}

// offLinux reports whether attrs hold a #[cfg(p)] with p false on x86_64 Linux.
func (env cfgEnv) offLinux(pf *rustsrc.ParsedFile, attrs []rustsrc.Attr) bool {
	for _, a := range attrs {
		if a.Path == "cfg" && a.ArgsEnd > a.ArgsStart && int(a.ArgsEnd) <= len(pf.Tokens) {
			if v, _ := env.eval(pf, int(a.ArgsStart), int(a.ArgsEnd), 0); v == triFalse {
				return true
			}
		}
	}
	return false
}

// eval evaluates the predicate starting at token i (ending before hi) and returns its value
// and the index after it.
func (env cfgEnv) eval(pf *rustsrc.ParsedFile, i, hi, depth int) (tri, int) {
	if i >= hi || kindAt(pf, i) != rustsrc.Ident || depth > 16 {
		return triUnknown, hi
	}
	name := pf.Text(pf.Tokens[i])
	if kindAt(pf, i+1) == rustsrc.LParen && (name == "all" || name == "any" || name == "not") {
		end := closeOf(pf, i+1)
		if end < 0 || end > hi {
			return triUnknown, hi
		}
		var vals []tri
		for j := i + 2; j < end; {
			v, next := env.eval(pf, j, end, depth+1)
			vals = append(vals, v)
			j = next
			if kindAt(pf, j) == rustsrc.Comma {
				j++
			} else if j < end {
				return triUnknown, end + 1
			}
		}
		return combine(name, vals), end + 1
	}
	vals, known := linuxCfg[name]
	value := ""
	next := i + 1
	if kindAt(pf, i+1) == rustsrc.Eq && kindAt(pf, i+2) == rustsrc.Str {
		t := pf.Text(pf.Tokens[i+2])
		if len(t) >= 2 {
			value = t[1 : len(t)-1]
		}
		next = i + 3
	}
	switch {
	case name == "feature" && env.features != nil && value != "" && !env.features[value]:
		return triFalse, next
	case !known || vals == nil:
		return triUnknown, next
	case vals[value]:
		return triTrue, next
	}
	if _, listed := vals[value]; listed || value != "" {
		return triFalse, next // a listed false name, or another OS, arch, family, ...
	}
	return triUnknown, next
}

func combine(op string, vals []tri) tri {
	switch op {
	case "not":
		if len(vals) != 1 {
			return triUnknown
		}
		return -vals[0]
	case "all":
		out := triTrue
		for _, v := range vals {
			out = min(out, v)
		}
		return out
	}
	out := triFalse // any
	for _, v := range vals {
		out = max(out, v)
	}
	return out
}

// offRanges lists the byte ranges of a fn body [lo, hi) that follow a #[cfg(p)] false on
// Linux: the statement, block or expression the attribute applies to.
func (env cfgEnv) offRanges(pf *rustsrc.ParsedFile, lo, hi int, out [][2]int32) [][2]int32 {
	for i := lo; i+2 < hi; i++ {
		if kindAt(pf, i) == rustsrc.KwIf {
			out = env.cfgMacroBranch(pf, i, hi, out)
			continue
		}
		if kindAt(pf, i) != rustsrc.Pound || kindAt(pf, i+1) != rustsrc.LBracket {
			continue
		}
		end := closeOf(pf, i+1)
		if end < 0 || end >= hi || kindAt(pf, i+2) != rustsrc.Ident || pf.Text(pf.Tokens[i+2]) != "cfg" ||
			kindAt(pf, i+3) != rustsrc.LParen {
			continue
		}
		if v, _ := env.eval(pf, i+4, closeOf(pf, i+3), 0); v != triFalse {
			continue
		}
		s := end + 1
		for kindAt(pf, s) == rustsrc.Pound && kindAt(pf, s+1) == rustsrc.LBracket && closeOf(pf, s+1) > 0 { // more attributes
			s = closeOf(pf, s+1) + 1
		}
		e := stmtExtent(pf, s, hi)
		if s < e {
			out = append(out, [2]int32{pf.Tokens[s].Off, pf.Tokens[e-1].End})
		}
		i = end
	}
	return out
}

// cfgMacroBranch adds the branch of if [!]cfg!(p) { .. } [else ..] at token i that p's value on
// Linux rules out: cfg! is a constant, and the branch it rules out never runs (cc's
// if cfg!(target_os = "macos") { self.fix_env_for_apple_os(..) }).
func (env cfgEnv) cfgMacroBranch(pf *rustsrc.ParsedFile, i, hi int, out [][2]int32) [][2]int32 {
	j, neg := i+1, false
	if kindAt(pf, j) == rustsrc.Not {
		j, neg = j+1, true
	}
	if kindAt(pf, j) != rustsrc.Ident || pf.Text(pf.Tokens[j]) != "cfg" || kindAt(pf, j+1) != rustsrc.Not ||
		kindAt(pf, j+2) != rustsrc.LParen {
		return out
	}
	end := closeOf(pf, j+2)
	if end < 0 || end >= hi || kindAt(pf, end+1) != rustsrc.LBrace {
		return out
	}
	v, _ := env.eval(pf, j+3, end, 0)
	if neg {
		v = -v
	}
	then := closeOf(pf, end+1)
	if then < 0 || then >= hi {
		return out
	}
	switch {
	case v == triFalse:
		out = append(out, [2]int32{pf.Tokens[end+1].Off, pf.Tokens[then].End})
	case v == triTrue && kindAt(pf, then+1) == rustsrc.KwElse:
		if e := stmtExtent(pf, then+2, hi); e > then+2 {
			out = append(out, [2]int32{pf.Tokens[then+2].Off, pf.Tokens[e-1].End})
		}
	}
	return out
}

// stmtExtent returns the index after the statement or expression starting at s: a block, an
// if/else chain, a loop or match, else everything to the ; or , that ends it.
func stmtExtent(pf *rustsrc.ParsedFile, s, hi int) int {
	switch kindAt(pf, s) {
	case rustsrc.LBrace:
		if c := closeOf(pf, s); c > 0 {
			return c + 1
		}
		return s
	case rustsrc.KwIf, rustsrc.KwMatch, rustsrc.KwFor, rustsrc.KwWhile, rustsrc.KwLoop, rustsrc.KwUnsafe:
		end := closeOf(pf, scanTo(pf, s+1, hi, rustsrc.LBrace))
		for end > 0 && kindAt(pf, end+1) == rustsrc.KwElse {
			end = closeOf(pf, scanTo(pf, end+2, hi, rustsrc.LBrace))
		}
		if end < 0 {
			return s
		}
		return end + 1
	}
	return scanTo(pf, s, hi, rustsrc.Semi, rustsrc.Comma)
}

// inRanges reports whether byte offset off lies in one of the ranges.
func inRanges(rs [][2]int32, off int32) bool {
	for _, r := range rs {
		if r[0] <= off && off < r[1] {
			return true
		}
	}
	return false
}
