package cratefile

import (
	"cmp"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Kind is the Cargo target a file belongs to.
type Kind uint8

const (
	// KindOther: no target compiles it from where it sits (docs, data, fixtures, unused code).
	KindOther Kind = iota
	KindLib
	KindBin
	// KindBuild: the build script, which runs at build time on the builder's machine.
	KindBuild
	KindExample
	KindTest
	KindBench
)

func (k Kind) String() string {
	return [...]string{"other", "lib", "bin", "build", "example", "test", "bench"}[k]
}

// targetMap attributes files to targets: target roots exactly, other files by the closest
// directory that holds a target's code.
type targetMap struct {
	roots map[string]Kind
	dirs  []dirKind // longest first
}

type dirKind struct {
	dir  string
	kind Kind
}

// TargetKind tells which target the file at name (slash-separated, relative to the crate
// root) belongs to. A target's root file gets its kind; any other file gets the kind of the
// target whose root directory is the closest ancestor (src/parser.rs is the library's when
// the library is src/lib.rs). Modules are not resolved: a file under src/ that no `mod`
// reaches still counts as the library's, and data files count too (include_str! reads them).
func (c *Crate) TargetKind(name string) Kind {
	name = path.Clean(name)
	if k, ok := c.targets.roots[name]; ok {
		return k
	}
	for _, d := range c.targets.dirs {
		if strings.HasPrefix(name, d.dir+"/") {
			return d.kind
		}
	}
	return KindOther
}

// discoverTargets applies Cargo's target auto-discovery to the manifest and the files.
func discoverTargets(m *Manifest, fsys fs.FS) targetMap {
	tm := targetMap{roots: map[string]Kind{}}
	isFile := func(p string) bool {
		fi, err := fs.Stat(fsys, p)
		return err == nil && fi.Mode().IsRegular()
	}
	dirs := map[string]Kind{}
	addRoot := func(p string, k Kind) {
		p = path.Clean(p)
		if _, taken := tm.roots[p]; !taken {
			tm.roots[p] = k
		}
		if d := path.Dir(p); d != "." {
			if _, taken := dirs[d]; !taken {
				dirs[d] = k
			}
		}
	}
	pkg := &m.Package

	if m.Lib != nil {
		addRoot(cmp.Or(m.Lib.Path, "src/lib.rs"), KindLib)
	} else if pkg.AutoLib && isFile("src/lib.rs") {
		addRoot("src/lib.rs", KindLib)
	}
	for _, b := range m.Bins {
		if p := b.Path; p != "" {
			addRoot(p, KindBin)
			continue
		}
		for _, p := range []string{"src/bin/" + b.Name + ".rs", "src/bin/" + b.Name + "/main.rs", "src/main.rs"} {
			if isFile(p) {
				addRoot(p, KindBin)
				break
			}
		}
	}
	if pkg.AutoBins {
		if isFile("src/main.rs") {
			addRoot("src/main.rs", KindBin)
		}
		dirs["src/bin"] = KindBin
	}
	for _, g := range []struct {
		targets []Target
		auto    bool
		dir     string
		kind    Kind
	}{
		{m.Examples, pkg.AutoExamples, "examples", KindExample},
		{m.Tests, pkg.AutoTests, "tests", KindTest},
		{m.Benches, pkg.AutoBenches, "benches", KindBench},
	} {
		for _, t := range g.targets {
			p := t.Path
			if p == "" {
				p = g.dir + "/" + t.Name + ".rs"
				if alt := g.dir + "/" + t.Name + "/main.rs"; !isFile(p) && isFile(alt) {
					p = alt
				}
			}
			addRoot(p, g.kind)
		}
		if g.auto {
			dirs[g.dir] = g.kind
		}
	}
	// Last, so that build = "src/build.rs" does not claim src/ from the library.
	if !pkg.NoBuild {
		if pkg.Build != "" {
			addRoot(pkg.Build, KindBuild)
		} else if isFile("build.rs") {
			addRoot("build.rs", KindBuild)
		}
	}
	// src/bin/x.rs and src/lib.rs both put their directory in dirs; the more specific one,
	// src/bin, is tried first.
	for d, k := range dirs {
		tm.dirs = append(tm.dirs, dirKind{d, k})
	}
	slices.SortFunc(tm.dirs, func(a, b dirKind) int {
		if len(a.dir) != len(b.dir) {
			return len(b.dir) - len(a.dir)
		}
		return strings.Compare(a.dir, b.dir)
	})
	return tm
}
