package rustsrc

import (
	"cmp"
	"io/fs"
	"path"
	"strings"

	"github.com/cratewatch/cratewatch/cratefile"
)

// InputFromCrate describes a crate opened by the cratefile package: the manifest's targets become
// roots (with Cargo's conventional ones found on disk) and cratefile's target discovery classifies
// the files no root reaches.
func InputFromCrate(c *cratefile.Crate) CrateInput {
	in := CrateInput{Name: c.Name, Version: c.Version, FS: c.FS}
	m := c.Manifest
	seen := map[string]bool{}
	add := func(p string, t Target) {
		p = path.Clean(strings.ReplaceAll(p, "\\", "/"))
		if p != "." && !seen[p] && isRegular(c.FS, p) {
			seen[p] = true
			in.Roots = append(in.Roots, Root{p, t})
		}
	}
	if m != nil {
		if m.Lib != nil {
			add(cmp.Or(m.Lib.Path, "src/lib.rs"), TargetLib)
			in.ProcMacro = m.Lib.ProcMacro
		}
		for _, b := range m.Bins {
			add(b.Path, TargetBin)
		}
		if !m.Package.NoBuild {
			add(m.Package.Build, TargetBuild)
		}
		in.Links = m.Package.Links
	}
	for _, r := range DefaultRoots(c.FS) {
		if r.Target == TargetBuild && m != nil && (m.Package.NoBuild || m.Package.Build != "") {
			continue
		}
		add(r.Path, r.Target)
	}
	in.Classify = func(p string) Target {
		switch c.TargetKind(p) {
		case cratefile.KindLib:
			return TargetLib
		case cratefile.KindBin:
			return TargetBin
		case cratefile.KindBuild:
			return TargetBuild
		case cratefile.KindExample:
			return TargetExample
		case cratefile.KindTest:
			return TargetTest
		case cratefile.KindBench:
			return TargetBench
		}
		return TargetOther
	}
	return in
}

func isRegular(fsys fs.FS, p string) bool {
	if !fs.ValidPath(p) {
		return false
	}
	fi, err := fs.Stat(fsys, p)
	return err == nil && fi.Mode().IsRegular()
}
