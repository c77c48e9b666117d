package rustsrc

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Target is the Cargo target a source file is compiled into (as far as static reading can tell).
type Target uint8

const (
	TargetOther   Target = iota // compiled by no target: unreachable or unused code, fixtures
	TargetLib                   // the library
	TargetBin                   // a binary
	TargetBuild                 // the build script: runs on the builder's machine at build time
	TargetExample               // examples/
	TargetTest                  // tests/
	TargetBench                 // benches/
	numTargets
)

var targetNames = [numTargets]string{"other", "lib", "bin", "build", "example", "test", "bench"}

func (t Target) String() string {
	if t < numTargets {
		return targetNames[t]
	}
	return "target?"
}

// MarshalText makes targets readable in JSON.
func (t Target) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a target name written by MarshalText.
func (t *Target) UnmarshalText(b []byte) error {
	for i, n := range targetNames {
		if n == string(b) {
			*t = Target(i)
			return nil
		}
	}
	return fmt.Errorf("unknown target %q", b)
}

// Root is a crate root file: the file rustc is given for a target.
type Root struct {
	Path   string // slash-separated, relative to the crate root
	Target Target
}

// CrateInput describes a crate to load: its files and what its manifest says. It does not depend on
// any manifest reader; the cratefile package (or a test) fills it in.
type CrateInput struct {
	Name, Version string
	FS            fs.FS
	// Roots are the target root files (src/lib.rs, src/main.rs, build.rs, ...), lib first.
	Roots []Root
	// Classify gives the target of a .rs file no root reaches; nil uses TargetOf.
	Classify func(path string) Target
	// Links is the manifest's package.links; ProcMacro is lib.proc-macro.
	Links     string
	ProcMacro bool
}

// CrateLimits bounds the work on one crate.
type CrateLimits struct {
	MaxFiles     int   // .rs files parsed at most
	MaxFileBytes int64 // larger .rs files are parsed up to Config.MaxTokens; this is a read limit
	MaxModDepth  int   // nesting of file modules
	Config       Config
}

// DefaultCrateLimits allows 20,000 .rs files of up to 64 MiB each, modules nested 64 deep.
func DefaultCrateLimits() CrateLimits {
	return CrateLimits{MaxFiles: 20000, MaxFileBytes: 64 << 20, MaxModDepth: 64, Config: DefaultConfig()}
}

// CrateFile is one parsed .rs file of a crate.
type CrateFile struct {
	Path   string // relative to the crate root
	Target Target
	// Module is the module path of the file ("crate", "crate::a::b"); "" for files no root reaches.
	Module string
	Parsed *ParsedFile
}

// Module is a module of a crate's module tree (per target root).
type Module struct {
	Path   string `json:"path"`             // crate::a::b
	File   string `json:"file"`             // the file that holds it (the parent's file when inline)
	Target Target `json:"target"`           // the root's target
	Inline bool   `json:"inline,omitempty"` // mod x { }
	// Missing is true for a mod x; whose file was not found (cfg'd-out platform modules, usually).
	Missing bool `json:"missing,omitempty"`
}

// Crate is a loaded crate: every .rs file parsed, modules resolved from the roots.
type Crate struct {
	Name, Version string
	Links         string
	ProcMacro     bool
	Files         []*CrateFile
	Modules       []Module
	FS            fs.FS
	// Problems lists what could not be read (missing module files, unreadable files, limits).
	Problems []string
}

// TargetOf guesses the target of a .rs file from Cargo's directory conventions.
func TargetOf(p string) Target {
	switch {
	case p == "build.rs":
		return TargetBuild
	case strings.HasPrefix(p, "src/bin/") || p == "src/main.rs":
		return TargetBin
	case strings.HasPrefix(p, "src/"):
		return TargetLib
	case strings.HasPrefix(p, "examples/"):
		return TargetExample
	case strings.HasPrefix(p, "tests/"):
		return TargetTest
	case strings.HasPrefix(p, "benches/"):
		return TargetBench
	}
	return TargetOther
}

// DefaultRoots lists the roots Cargo would find by convention in fsys: src/lib.rs, src/main.rs,
// src/bin/*.rs, src/bin/*/main.rs and build.rs. Callers with a manifest should pass its targets.
func DefaultRoots(fsys fs.FS) []Root {
	var roots []Root
	isFile := func(p string) bool { return isRegular(fsys, p) }
	if isFile("src/lib.rs") {
		roots = append(roots, Root{"src/lib.rs", TargetLib})
	}
	if isFile("src/main.rs") {
		roots = append(roots, Root{"src/main.rs", TargetBin})
	}
	if ents, err := fs.ReadDir(fsys, "src/bin"); err == nil {
		for _, e := range ents {
			switch p := "src/bin/" + e.Name(); {
			case !e.IsDir() && strings.HasSuffix(p, ".rs"):
				roots = append(roots, Root{p, TargetBin})
			case e.IsDir() && isFile(p+"/main.rs"):
				roots = append(roots, Root{p + "/main.rs", TargetBin})
			}
		}
	}
	if isFile("build.rs") {
		roots = append(roots, Root{"build.rs", TargetBuild})
	}
	return roots
}

// LoadCrate parses every .rs file of the crate and resolves the module tree from each root:
// mod x; is x.rs or x/mod.rs next to a mod.rs-style file (a root, mod.rs, or a #[path] file) and
// in a directory named after the file otherwise (a.rs: a/x.rs), #[path] is relative to the file's
// directory (or, inside inline modules, to their directory). Files no root reaches are parsed too,
// with Classify's target. It fails only when the crate's files cannot be listed.
func LoadCrate(in CrateInput, lim CrateLimits) (*Crate, error) {
	if lim.MaxFiles <= 0 {
		lim = DefaultCrateLimits()
	}
	c := &Crate{Name: in.Name, Version: in.Version, Links: in.Links, ProcMacro: in.ProcMacro, FS: in.FS}
	var rsFiles []string
	err := fs.WalkDir(in.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			c.Problems = append(c.Problems, fmt.Sprintf("listing %s: %v", p, err))
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rs") {
			rsFiles = append(rsFiles, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("crate %s %s: listing files: %w", in.Name, in.Version, err)
	}
	l := &loader{c: c, in: in, lim: lim, byPath: map[string]*CrateFile{}}
	for _, r := range in.Roots {
		if !fs.ValidPath(r.Path) {
			c.Problems = append(c.Problems, fmt.Sprintf("root %q: not a valid path", r.Path))
			continue
		}
		f := l.file(r.Path, r.Target, "crate")
		if f == nil {
			continue
		}
		c.Modules = append(c.Modules, Module{Path: "crate", File: r.Path, Target: r.Target})
		l.modules(f, r.Target, "crate", path.Dir(r.Path), path.Dir(r.Path), 0)
	}
	classify := in.Classify
	if classify == nil {
		classify = TargetOf
	}
	for _, p := range rsFiles {
		if _, done := l.byPath[p]; !done {
			l.file(p, classify(p), "")
		}
	}
	return c, nil
}

type loader struct {
	c      *Crate
	in     CrateInput
	lim    CrateLimits
	byPath map[string]*CrateFile
}

// file parses p once; a file reached twice keeps its first module path.
func (l *loader) file(p string, t Target, module string) *CrateFile {
	if f, ok := l.byPath[p]; ok {
		return f
	}
	if len(l.c.Files) >= l.lim.MaxFiles {
		l.c.Problems = append(l.c.Problems, fmt.Sprintf("%s: more than %d .rs files, not parsed", p, l.lim.MaxFiles))
		l.byPath[p] = nil
		return nil
	}
	src, err := readLimited(l.in.FS, p, l.lim.MaxFileBytes)
	if err != nil {
		l.c.Problems = append(l.c.Problems, fmt.Sprintf("%s: %v", p, err))
		l.byPath[p] = nil
		return nil
	}
	cfg := l.lim.Config
	f := &CrateFile{Path: p, Target: t, Module: module, Parsed: Parse(NewFile(p, src), &cfg)}
	l.c.Files = append(l.c.Files, f)
	l.byPath[p] = f
	return f
}

func readLimited(fsys fs.FS, p string, max int64) ([]byte, error) {
	fi, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%d bytes, more than the %d-byte limit", fi.Size(), max)
	}
	return fs.ReadFile(fsys, p)
}

// modules resolves the mod declarations of f. fileDir is the directory of f (where #[path] is
// relative to), childDir where its non-inline children live.
func (l *loader) modules(f *CrateFile, t Target, modPath, fileDir, childDir string, depth int) {
	if depth > l.lim.MaxModDepth {
		l.c.Problems = append(l.c.Problems, fmt.Sprintf("%s: modules nested deeper than %d", f.Path, l.lim.MaxModDepth))
		return
	}
	pf := f.Parsed
	// Inline modules: their own module path and directory, computed parent-first.
	type inl struct{ path, dir string }
	inline := map[int32]inl{}
	for i := range pf.Items {
		it := &pf.Items[i]
		if it.Kind != ItemMod {
			continue
		}
		parentPath, parentDir, inInline := modPath, childDir, false
		for par := it.Parent; par != None; par = pf.Items[par].Parent {
			if m, ok := inline[par]; ok {
				parentPath, parentDir, inInline = m.path, m.dir, true
				break
			}
			if pf.Items[par].Kind != ItemMod {
				break // a mod inside a fn body: rare; resolved against the enclosing module
			}
		}
		mp := parentPath + "::" + it.Name
		pathAttr := attrValue(it.Attrs, "path")
		if it.Inline {
			dir := path.Join(parentDir, it.Name)
			if pathAttr != "" {
				dir = path.Join(parentDir, pathAttr)
			}
			inline[int32(i)] = inl{mp, dir}
			l.c.Modules = append(l.c.Modules, Module{Path: mp, File: f.Path, Target: t, Inline: true})
			continue
		}
		var candidates []string
		modRS := false
		switch {
		case pathAttr != "" && inInline:
			candidates = []string{path.Join(parentDir, pathAttr)}
			modRS = true
		case pathAttr != "":
			candidates = []string{path.Join(fileDir, pathAttr)}
			modRS = true
		default:
			candidates = []string{path.Join(parentDir, it.Name+".rs"), path.Join(parentDir, it.Name, "mod.rs")}
		}
		var child *CrateFile
		var childPath string
		for _, cand := range candidates {
			if !fs.ValidPath(cand) {
				continue
			}
			if _, err := fs.Stat(l.in.FS, cand); err == nil {
				childPath = cand
				if _, seen := l.byPath[cand]; seen {
					break // a cycle or a file shared by two mods: keep the first
				}
				child = l.file(cand, t, mp)
				break
			}
		}
		l.c.Modules = append(l.c.Modules, Module{Path: mp, File: childPath, Target: t, Missing: childPath == ""})
		if child == nil {
			continue
		}
		dir := path.Dir(childPath)
		cdir := dir
		if !modRS && path.Base(childPath) != "mod.rs" {
			cdir = path.Join(dir, strings.TrimSuffix(path.Base(childPath), ".rs"))
		}
		l.modules(child, t, mp, dir, cdir, depth+1)
	}
}

// attrValue returns the value of the first #[name = "value"] attribute.
func attrValue(attrs []Attr, name string) string {
	for _, a := range attrs {
		if a.Path == name && a.Value != "" {
			return a.Value
		}
	}
	return ""
}

// hasAttr reports whether attrs hold #[name...].
func hasAttr(attrs []Attr, name string) bool {
	return slices.ContainsFunc(attrs, func(a Attr) bool { return a.Path == name })
}

// ItemPath returns the full path of item i of file f: the file's module, enclosing inline modules,
// the impl's self type or the trait, then the item's name ("crate::a::Point::new"). For an item in
// a trait impl, trait is the trait as written; selfType is the impl's self type name.
func (c *Crate) ItemPath(f *CrateFile, i int) (full, selfType, trait string) {
	pf := f.Parsed
	var segs []string
	it := &pf.Items[i]
	segs = append(segs, it.Name)
	for par := it.Parent; par != None; par = pf.Items[par].Parent {
		p := &pf.Items[par]
		switch p.Kind {
		case ItemImpl:
			if selfType == "" {
				selfType, trait = p.SelfName, p.Trait
			}
			segs = append(segs, p.SelfName)
		case ItemMod, ItemTrait, ItemFn:
			if p.Kind == ItemTrait && trait == "" {
				trait = p.Name
			}
			segs = append(segs, p.Name)
		}
	}
	mod := f.Module
	if mod == "" {
		mod = "?" + f.Path
	}
	slices.Reverse(segs)
	return mod + "::" + strings.Join(segs, "::"), selfType, trait
}
