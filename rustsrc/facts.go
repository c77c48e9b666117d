package rustsrc

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Facts is the per-crate summary: sizes, the module tree, unsafe counts, the FFI picture and what
// could not be parsed. It is what `cratewatch analyze` prints and stores (JSON).
type Facts struct {
	Name    string `json:"name"`
	Version string `json:"version"`

	Files   int   `json:"rs_files"`
	Bytes   int64 `json:"rs_bytes"`
	Lines   int   `json:"rs_lines"`
	Tokens  int   `json:"tokens"`
	Items   int   `json:"items"`
	Fns     int   `json:"fns"`
	Calls   int   `json:"calls"`
	Macros  int   `json:"macro_calls"`
	Uses    int   `json:"uses"`
	Strings int   `json:"string_literals"`
	// FilesByTarget counts .rs files per target (lib, bin, build, test, ..., other).
	FilesByTarget map[string]int `json:"files_by_target"`
	Modules       []Module       `json:"modules,omitempty"`
	ProcMacro     bool           `json:"proc_macro,omitempty"`

	Unsafe UnsafeCounts `json:"unsafe"`
	FFI    FFI          `json:"ffi"`

	// Skipped counts skipped regions by reason; SkipExamples holds a few, "file:line: snippet".
	Skipped      map[string]int      `json:"skipped,omitempty"`
	SkipExamples map[string][]string `json:"skip_examples,omitempty"`
	Problems     []string            `json:"problems,omitempty"`
}

// UnsafeCounts counts the unsafe code of a crate.
type UnsafeCounts struct {
	Blocks int `json:"blocks"`
	Fns    int `json:"fns"` // unsafe fn with a body (foreign fns are counted under FFI)
	Impls  int `json:"impls"`
	Traits int `json:"traits"`
}

// FFI is the crate's native-code picture: "where is the C?".
type FFI struct {
	// ExternBlocks counts extern blocks; ExternFns their foreign functions; ByABI the blocks per ABI.
	ExternBlocks int            `json:"extern_blocks"`
	ExternFns    int            `json:"extern_fns"`
	ByABI        map[string]int `json:"extern_blocks_by_abi,omitempty"`
	// WasmBindgenBlocks and WasmBindgenFns count #[wasm_bindgen] extern blocks and their fns:
	// JavaScript imports, not native code, so they are not in ExternBlocks and ExternFns.
	WasmBindgenBlocks int `json:"wasm_bindgen_blocks,omitempty"`
	WasmBindgenFns    int `json:"wasm_bindgen_fns,omitempty"`
	// Foreign lists the foreign functions (at most MaxListed).
	Foreign []ForeignFn `json:"foreign,omitempty"`
	// LinkNames are the #[link(name = "...")] libraries; BuildLinkLibs the libraries a build script
	// names in "cargo:rustc-link-lib=[kind=]name" string literals (names computed at build time,
	// format placeholders, are left out).
	LinkNames     []string `json:"link_names,omitempty"`
	BuildLinkLibs []string `json:"build_link_libs,omitempty"`
	// ExportedFns counts Rust fns with a non-Rust ABI and a body (callable from C);
	// NoMangle counts #[no_mangle] / #[export_name] items.
	ExportedFns int    `json:"exported_fns"`
	NoMangle    int    `json:"no_mangle"`
	Links       string `json:"links,omitempty"` // the manifest's links key
	SysName     bool   `json:"sys_name"`        // the crate is named *-sys / *_sys
	// BuildScript is the build script's path, "" without one; BuildTools the native build tools it
	// uses (cc, cmake, bindgen, pkg-config, vcpkg, ...), from its use declarations, extern crates
	// and call paths.
	BuildScript string   `json:"build_script,omitempty"`
	BuildTools  []string `json:"build_tools,omitempty"`
	// Native counts bundled non-Rust sources by language ("c", "c++", "asm", "header").
	Native map[string]NativeCount `json:"native,omitempty"`
}

// ForeignFn is a function declared in an extern block.
type ForeignFn struct {
	Name string `json:"name"`
	ABI  string `json:"abi"`
	At   string `json:"at"` // file:line
}

// NativeCount counts files and bytes of one native language.
type NativeCount struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// HasFFI reports whether the crate declares or exports foreign functions, links a native library or
// bundles native code.
func (f *FFI) HasFFI() bool {
	return f.ExternFns > 0 || f.ExternBlocks > 0 || f.ExportedFns > 0 || len(f.LinkNames) > 0 || f.Links != "" || f.NativeFiles() > 0
}

// NativeFiles counts bundled native source files (headers included).
func (f *FFI) NativeFiles() int {
	n := 0
	for _, c := range f.Native {
		n += c.Files
	}
	return n
}

// MaxListed caps the per-crate lists in Facts (foreign functions, skip examples).
const MaxListed = 500

const maxSkipExamples = 3

// nativeLang maps a file extension to its language.
var nativeLang = map[string]string{
	".c": "c", ".h": "header", ".hh": "header", ".hpp": "header", ".hxx": "header",
	".cc": "c++", ".cpp": "c++", ".cxx": "c++", ".c++": "c++",
	".s": "asm", ".S": "asm", ".asm": "asm",
}

// buildTools maps the crates a build script uses to the tool they stand for.
var buildTools = map[string]string{
	"cc": "cc", "gcc": "cc", "cmake": "cmake", "bindgen": "bindgen", "pkg_config": "pkg-config",
	"vcpkg": "vcpkg", "autotools": "autotools", "cxx_build": "cxx", "nasm_rs": "nasm", "cpp_build": "cpp",
	"metadeps": "pkg-config", "system_deps": "pkg-config", "cbindgen": "cbindgen", "windres": "windres",
	"winres": "windres", "embed_resource": "windres",
}

// Facts summarises the crate.
func (c *Crate) Facts() Facts {
	fa := Facts{Name: c.Name, Version: c.Version, FilesByTarget: map[string]int{}, Modules: c.Modules,
		ProcMacro: c.ProcMacro, Problems: c.Problems}
	ffi := &fa.FFI
	ffi.Links = c.Links
	ffi.SysName = strings.HasSuffix(c.Name, "-sys") || strings.HasSuffix(c.Name, "_sys")
	tools, links, buildLibs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range c.Files {
		pf := f.Parsed
		fa.Files++
		fa.Bytes += int64(len(pf.Src))
		fa.Lines += pf.LineCount()
		fa.Tokens += len(pf.Tokens)
		fa.Items += len(pf.Items)
		fa.Calls += len(pf.Calls)
		fa.Macros += len(pf.Macros)
		fa.Uses += len(pf.Uses)
		fa.FilesByTarget[f.Target.String()]++
		fa.Unsafe.Blocks += len(pf.Unsafe)
		for _, t := range pf.Tokens {
			if t.Kind.IsString() {
				fa.Strings++
			}
		}
		if f.Target == TargetBuild && ffi.BuildScript == "" && f.Module == "crate" {
			ffi.BuildScript = f.Path
		}
		for i := range pf.Items {
			it := &pf.Items[i]
			inExtern := it.Parent != None && pf.Items[it.Parent].Kind == ItemExternBlock
			wasm := inExtern && hasAttr(pf.Items[it.Parent].Attrs, "wasm_bindgen")
			switch it.Kind {
			case ItemFn:
				fa.Fns++
				switch {
				case wasm:
					ffi.WasmBindgenFns++
				case inExtern:
					ffi.ExternFns++
					if len(ffi.Foreign) < MaxListed {
						abi := pf.Items[it.Parent].ABI
						if abi == "" {
							abi = "C"
						}
						ffi.Foreign = append(ffi.Foreign, ForeignFn{Name: it.Name, ABI: abi, At: pf.Position(int(it.Pos)).String()})
					}
				case it.Unsafe:
					fa.Unsafe.Fns++
				}
				if it.Extern && !inExtern && it.BodyEnd > it.BodyStart && it.ABI != "Rust" {
					ffi.ExportedFns++
				}
			case ItemImpl:
				if it.Unsafe {
					fa.Unsafe.Impls++
				}
			case ItemTrait:
				if it.Unsafe {
					fa.Unsafe.Traits++
				}
			case ItemExternBlock:
				if hasAttr(it.Attrs, "wasm_bindgen") {
					ffi.WasmBindgenBlocks++
					break
				}
				ffi.ExternBlocks++
				abi := it.ABI
				if abi == "" {
					abi = "C"
				}
				if ffi.ByABI == nil {
					ffi.ByABI = map[string]int{}
				}
				ffi.ByABI[abi]++
				for _, a := range it.Attrs {
					if a.Path == "link" {
						if n := linkName(pf, a); n != "" {
							links[n] = true
						}
					}
				}
			}
			if hasAttr(it.Attrs, "no_mangle") || hasAttr(it.Attrs, "export_name") {
				ffi.NoMangle++
			}
		}
		if f.Target == TargetBuild {
			noteTools(pf, tools)
			noteLinkLibs(pf, buildLibs)
		}
		fa.noteSkips(f)
	}
	for t := range tools {
		ffi.BuildTools = append(ffi.BuildTools, t)
	}
	slices.Sort(ffi.BuildTools)
	for n := range links {
		ffi.LinkNames = append(ffi.LinkNames, n)
	}
	slices.Sort(ffi.LinkNames)
	for n := range buildLibs {
		ffi.BuildLinkLibs = append(ffi.BuildLinkLibs, n)
	}
	slices.Sort(ffi.BuildLinkLibs)
	ffi.Native = nativeSources(c.FS)
	return fa
}

// linkName returns name of #[link(name = "...", ...)].
func linkName(pf *ParsedFile, a Attr) string {
	for j := int(a.ArgsStart); j+2 < int(a.ArgsEnd); j++ {
		if pf.Tokens[j].Kind == Ident && pf.Text(pf.Tokens[j]) == "name" && pf.Tokens[j+1].Kind == Eq && pf.Tokens[j+2].Kind.IsString() {
			v, _ := StringValue(pf.File, pf.Tokens[j+2])
			return v
		}
	}
	return ""
}

// noteTools records the native build tools a build-script file refers to.
func noteTools(pf *ParsedFile, tools map[string]bool) {
	note := func(first string) {
		if t, ok := buildTools[first]; ok {
			tools[t] = true
		}
	}
	for _, u := range pf.Uses {
		if len(u.Path) > 0 {
			note(u.Path[0])
		}
	}
	for _, it := range pf.Items {
		if it.Kind == ItemExternCrate {
			note(it.Name)
		}
	}
	for _, c := range pf.Calls {
		if c.Kind == CallPath && len(c.Path) > 1 {
			note(c.Path[0])
		}
	}
	// Command::new("cmake") and friends run the tools directly.
	for _, c := range pf.Calls {
		if c.Kind != CallPath || len(c.Path) < 2 || c.Path[len(c.Path)-2] != "Command" || c.Path[len(c.Path)-1] != "new" {
			continue
		}
		i := tokenAt(pf, c.Pos)
		for j := i; j < len(pf.Tokens) && j < i+8; j++ {
			if pf.Tokens[j].Kind.IsString() {
				v, _ := StringValue(pf.File, pf.Tokens[j])
				switch path.Base(v) {
				case "cc", "gcc", "clang", "cl", "cl.exe", "c++", "g++", "clang++", "make", "nmake", "ar":
					tools["cc"] = true
				case "cmake", "cmake.exe":
					tools["cmake"] = true
				case "pkg-config":
					tools["pkg-config"] = true
				case "bindgen":
					tools["bindgen"] = true
				}
				break
			}
		}
	}
}

// noteLinkLibs records the libraries named in "cargo:rustc-link-lib=[KIND=]NAME" literals.
func noteLinkLibs(pf *ParsedFile, libs map[string]bool) {
	const key = "cargo:rustc-link-lib="
	for _, t := range pf.Tokens {
		if !t.Kind.IsString() || len(libs) >= MaxListed {
			continue
		}
		v, _ := StringValue(pf.File, t)
		i := strings.Index(v, key)
		if i < 0 {
			continue
		}
		lib := strings.TrimSpace(v[i+len(key):])
		if j := strings.IndexAny(lib, " \n\t\""); j >= 0 {
			lib = lib[:j]
		}
		if j := strings.LastIndexByte(lib, '='); j >= 0 {
			lib = lib[j+1:]
		}
		if lib != "" && len(lib) <= 128 && !strings.ContainsAny(lib, "{}") {
			libs[lib] = true
		}
	}
}

// tokenAt returns the index of the token starting at off.
func tokenAt(pf *ParsedFile, off int32) int {
	i, _ := slices.BinarySearchFunc(pf.Tokens, off, func(t Token, o int32) int { return int(t.Off - o) })
	return i
}

func (fa *Facts) noteSkips(f *CrateFile) {
	pf := f.Parsed
	for r, n := range pf.SkipCounts {
		if n == 0 {
			continue
		}
		if fa.Skipped == nil {
			fa.Skipped = map[string]int{}
			fa.SkipExamples = map[string][]string{}
		}
		fa.Skipped[SkipReason(r).String()] += n
	}
	for _, s := range pf.Skipped {
		r := s.Reason.String()
		if len(fa.SkipExamples[r]) < maxSkipExamples {
			end := min(int(s.End), int(s.Pos)+60, len(pf.Src))
			snippet := strings.Join(strings.Fields(string(pf.Src[s.Pos:max(end, int(s.Pos))])), " ")
			fa.SkipExamples[r] = append(fa.SkipExamples[r], pf.Position(int(s.Pos)).String()+": "+snippet)
		}
	}
}

// nativeSources counts bundled C, C++, assembly and header files.
func nativeSources(fsys fs.FS) map[string]NativeCount {
	var out map[string]NativeCount
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		lang := nativeLang[path.Ext(p)]
		if lang == "" {
			return nil
		}
		var size int64
		if fi, err := d.Info(); err == nil {
			size = fi.Size()
		}
		if out == nil {
			out = map[string]NativeCount{}
		}
		n := out[lang]
		n.Files++
		n.Bytes += size
		out[lang] = n
		return nil
	})
	return out
}
