package rustsrc

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestLoadCrateModules(t *testing.T) {
	fsys := mapFS(map[string]string{
		"src/lib.rs": `mod a; mod b; #[path = "custom/place.rs"] mod c; mod missing;
			pub mod inl { mod deep; #[path = "elsewhere.rs"] mod moved; }`,
		"src/a.rs":              `mod sub; pub fn fa() { sub::fs(); }`, // non-mod.rs: children in src/a/
		"src/a/sub.rs":          `pub fn fs() {}`,
		"src/b/mod.rs":          `mod leaf;`, // mod.rs: children next to it
		"src/b/leaf.rs":         `impl Thing { pub fn method(&self) {} } impl fmt::Display for Thing { fn fmt(&self) {} }`,
		"src/custom/place.rs":   `mod near;`, // #[path] files own their directory like mod.rs
		"src/custom/near.rs":    ``,
		"src/inl/deep.rs":       ``,
		"src/inl/elsewhere.rs":  ``,
		"src/orphan.rs":         `fn unused() {}`,
		"src/main.rs":           `fn main() { mylib::run(); }`,
		"build.rs":              `fn main() {}`,
		"tests/it.rs":           `#[test] fn t() {}`,
		"examples/demo/main.rs": `fn main() {}`,
	})
	c, err := LoadCrate(CrateInput{Name: "mylib", Version: "1.0.0", FS: fsys, Roots: DefaultRoots(fsys)}, DefaultCrateLimits())
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range c.Modules {
		s := m.Target.String() + " " + m.Path + " " + m.File
		if m.Inline {
			s += " inline"
		}
		if m.Missing {
			s += " missing"
		}
		mods = append(mods, s)
	}
	checkList(t, "modules", mods, []string{
		"lib crate src/lib.rs", "lib crate::a src/a.rs", "lib crate::a::sub src/a/sub.rs",
		"lib crate::b src/b/mod.rs", "lib crate::b::leaf src/b/leaf.rs",
		"lib crate::c src/custom/place.rs", "lib crate::c::near src/custom/near.rs",
		"lib crate::missing  missing", "lib crate::inl src/lib.rs inline",
		"lib crate::inl::deep src/inl/deep.rs", "lib crate::inl::moved src/inl/elsewhere.rs",
		"bin crate src/main.rs", "build crate build.rs",
	})
	var files []string
	for _, f := range c.Files {
		files = append(files, f.Path+" "+f.Target.String()+" "+f.Module)
	}
	slices.Sort(files)
	checkList(t, "files", files, []string{
		"build.rs build crate", "examples/demo/main.rs example ", "src/a.rs lib crate::a",
		"src/a/sub.rs lib crate::a::sub", "src/b/leaf.rs lib crate::b::leaf", "src/b/mod.rs lib crate::b",
		"src/custom/near.rs lib crate::c::near", "src/custom/place.rs lib crate::c",
		"src/inl/deep.rs lib crate::inl::deep", "src/inl/elsewhere.rs lib crate::inl::moved",
		"src/lib.rs lib crate", "src/main.rs bin crate", "src/orphan.rs lib ", "tests/it.rs test ",
	})
	var paths []string
	for _, f := range c.Files {
		for i, it := range f.Parsed.Items {
			if it.Kind == ItemFn && f.Path == "src/b/leaf.rs" {
				full, self, trait := c.ItemPath(f, i)
				paths = append(paths, full+" self="+self+" trait="+trait)
			}
		}
	}
	checkList(t, "fn paths", paths, []string{
		"crate::b::leaf::Thing::method self=Thing trait=", "crate::b::leaf::Thing::fmt self=Thing trait=fmt::Display",
	})
}

func TestLoadCrateCycleAndEscape(t *testing.T) {
	fsys := mapFS(map[string]string{
		"src/lib.rs": `#[path = "lib.rs"] mod again; #[path = "../../etc/passwd"] mod esc; mod a;`,
		"src/a.rs":   `#[path = "../lib.rs"] mod back;`,
	})
	c, err := LoadCrate(CrateInput{Name: "cyc", FS: fsys, Roots: DefaultRoots(fsys)}, DefaultCrateLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 2 {
		t.Errorf("files %d", len(c.Files))
	}
}

func TestFactsFFI(t *testing.T) {
	fsys := mapFS(map[string]string{
		"src/lib.rs": `
#[link(name = "z", kind = "static")]
extern "C" {
    fn deflate(strm: *mut c_void, flush: c_int) -> c_int;
    fn inflate(strm: *mut c_void) -> c_int;
}
extern "system" { fn GetLastError() -> u32; }
#[no_mangle]
pub extern "C" fn exported_cb(x: i32) -> i32 { x }
pub unsafe fn danger() { unsafe { deflate(core::ptr::null_mut(), 0); } }
unsafe impl Send for Wrapper {}
unsafe trait Raw {}
fn safe() { unsafe { inflate(p) }; unsafe { x() } }
mod web;
`,
		"build.rs": `use std::process::Command;
extern crate pkg_config;
fn main() {
    cc::Build::new().file("src/zlib/deflate.c").compile("z");
    let b = bindgen::Builder::default();
    Command::new("cmake").arg(".").status().unwrap();
    println!("cargo:rustc-link-lib=static=bz2");
    println!("cargo:rustc-link-lib={}", name);
}`,
		"src/web.rs":         `#[wasm_bindgen] extern "C" { fn alert(s: &str); }`,
		"src/zlib/deflate.c": "int deflate(void){return 0;}\n",
		"src/zlib/zlib.h":    "#define Z 1\n",
		"src/asm/x.S":        "nop\n",
		"src/wrap.cpp":       "int f(){return 1;}\n",
	})
	c, err := LoadCrate(CrateInput{Name: "libz-sys", Version: "1.1.8", FS: fsys, Roots: DefaultRoots(fsys), Links: "z"}, DefaultCrateLimits())
	if err != nil {
		t.Fatal(err)
	}
	fa := c.Facts()
	ffi := fa.FFI
	if ffi.ExternBlocks != 2 || ffi.ExternFns != 3 || ffi.ByABI["C"] != 1 || ffi.ByABI["system"] != 1 {
		t.Errorf("extern %+v", ffi)
	}
	if len(ffi.Foreign) != 3 || ffi.Foreign[0].Name != "deflate" || ffi.Foreign[0].At != "src/lib.rs:4:5" || ffi.Foreign[2].ABI != "system" {
		t.Errorf("foreign %+v", ffi.Foreign)
	}
	if strings.Join(ffi.LinkNames, ",") != "z" || ffi.Links != "z" || !ffi.SysName {
		t.Errorf("link %+v", ffi)
	}
	if ffi.WasmBindgenBlocks != 1 || ffi.WasmBindgenFns != 1 || strings.Join(ffi.BuildLinkLibs, ",") != "bz2" {
		t.Errorf("wasm %d/%d, build link libs %q", ffi.WasmBindgenBlocks, ffi.WasmBindgenFns, ffi.BuildLinkLibs)
	}
	if ffi.ExportedFns != 1 || ffi.NoMangle != 1 {
		t.Errorf("exported %d no_mangle %d", ffi.ExportedFns, ffi.NoMangle)
	}
	if ffi.BuildScript != "build.rs" || strings.Join(ffi.BuildTools, ",") != "bindgen,cc,cmake,pkg-config" {
		t.Errorf("build %q %v", ffi.BuildScript, ffi.BuildTools)
	}
	if n := ffi.Native; n["c"].Files != 1 || n["c"].Bytes != 29 || n["header"].Files != 1 || n["asm"].Files != 1 || n["c++"].Files != 1 || ffi.NativeFiles() != 4 {
		t.Errorf("native %+v", n)
	}
	if u := fa.Unsafe; u.Blocks != 3 || u.Fns != 1 || u.Impls != 1 || u.Traits != 1 {
		t.Errorf("unsafe %+v", u)
	}
	if !ffi.HasFFI() || fa.FilesByTarget["build"] != 1 || fa.FilesByTarget["lib"] != 2 {
		t.Errorf("facts %+v", fa)
	}
}
