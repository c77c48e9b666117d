package cratefile

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const fullManifest = `
[package]
edition = "2021"
rust-version = "1.70"
name = "demo"
version = "0.4.2"
authors = ["A <a@example.com>", "B"]
build = false
links = "z"
description = "A demo."
homepage = "https://example.com"
documentation = "https://docs.rs/demo"
readme = "README.md"
keywords = ["x", "y"]
categories = ["parsing"]
license = "MIT OR Apache-2.0"
license-file = "LICENSE"
repository = "https://github.com/example/demo"
publish = ["internal"]
include = ["src/**"]
exclude = ["tests/data"]
autobins = false
autoexamples = false

[lib]
name = "demo_lib"
path = "src/demo.rs"
proc-macro = true
crate-type = ["rlib", "cdylib"]

[[bin]]
name = "demo"
path = "src/main.rs"
required-features = ["cli"]

[[bin]]
name = "other"

[[example]]
name = "ex"
path = "examples/ex.rs"

[[test]]
name = "it"
path = "tests/it.rs"

[[bench]]
name = "speed"
path = "benches/speed.rs"

[dependencies]
serde = "1.0"
log = { version = "0.4", optional = true }
rand_core = { version = "0.6", package = "rand_core", default-features = false, features = ["std", "alloc"] }
http1 = { version = "0.2", package = "http" }
local = { path = "../local", version = "0.1" }
gitdep = { git = "https://example.com/g.git", branch = "main" }
private = { version = "1", registry = "internal", registry-index = "sparse+https://r.example/" }

[dependencies.tokio]
version = "1.28"
features = ["rt"]
default_features = false

[dev-dependencies]
criterion = "0.5"

[dev_dependencies]
proptest = "1"

[build-dependencies]
cc = "1.0"

[build_dependencies.pkg-config]
version = "0.3"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[target.'cfg(windows)'.dependencies.winapi]
version = "0.3"
features = ["winuser"]

[target.x86_64-pc-windows-msvc.dev-dependencies]
windows-test = "0.1"

[target."cfg(target_os = \"linux\")".build-dependencies]
linux-build = { version = "2", optional = true }

[features]
default = ["std"]
std = []
cli = ["dep:log", "tokio/rt-multi-thread"]
`

func TestParseManifestFull(t *testing.T) {
	m, err := ParseManifest([]byte(fullManifest))
	if err != nil {
		t.Fatal(err)
	}
	p := m.Package
	want := Package{
		Name: "demo", Version: "0.4.2", Authors: []string{"A <a@example.com>", "B"},
		Description: "A demo.", Repository: "https://github.com/example/demo",
		Homepage: "https://example.com", Documentation: "https://docs.rs/demo",
		License: "MIT OR Apache-2.0", LicenseFile: "LICENSE", Readme: "README.md",
		Keywords: []string{"x", "y"}, Categories: []string{"parsing"},
		Edition: "2021", RustVersion: "1.70", NoBuild: true, Links: "z",
		Publish: true, PublishTo: []string{"internal"},
		Include: []string{"src/**"}, Exclude: []string{"tests/data"},
		AutoLib: true, AutoBins: false, AutoExamples: false, AutoTests: true, AutoBenches: true,
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("package:\n got %+v\nwant %+v", p, want)
	}
	wantLib := &Target{Name: "demo_lib", Path: "src/demo.rs", ProcMacro: true, CrateTypes: []string{"rlib", "cdylib"}}
	if !reflect.DeepEqual(m.Lib, wantLib) {
		t.Errorf("lib = %+v", m.Lib)
	}
	wantBins := []Target{{Name: "demo", Path: "src/main.rs", RequiredFeatures: []string{"cli"}}, {Name: "other"}}
	if !reflect.DeepEqual(m.Bins, wantBins) {
		t.Errorf("bins = %+v", m.Bins)
	}
	if len(m.Examples) != 1 || m.Examples[0].Path != "examples/ex.rs" || len(m.Tests) != 1 || m.Tests[0].Name != "it" ||
		len(m.Benches) != 1 || m.Benches[0].Path != "benches/speed.rs" {
		t.Errorf("examples %+v tests %+v benches %+v", m.Examples, m.Tests, m.Benches)
	}
	if !reflect.DeepEqual(m.Features["cli"], []string{"dep:log", "tokio/rt-multi-thread"}) || len(m.Features["std"]) != 0 || len(m.Features) != 3 {
		t.Errorf("features = %v", m.Features)
	}

	d := func(kind DepKind, target, name, pkg, req string) Dependency {
		return Dependency{Kind: kind, Target: target, Name: name, Package: pkg, Req: req, DefaultFeatures: true}
	}
	wantDeps := []Dependency{
		{Kind: DepNormal, Name: "gitdep", Package: "gitdep", DefaultFeatures: true, Git: "https://example.com/g.git", Branch: "main"},
		{Kind: DepNormal, Name: "http1", Package: "http", Req: "0.2", DefaultFeatures: true},
		{Kind: DepNormal, Name: "local", Package: "local", Req: "0.1", DefaultFeatures: true, Path: "../local"},
		{Kind: DepNormal, Name: "log", Package: "log", Req: "0.4", Optional: true, DefaultFeatures: true},
		{Kind: DepNormal, Name: "private", Package: "private", Req: "1", DefaultFeatures: true, Registry: "internal", RegistryIndex: "sparse+https://r.example/"},
		{Kind: DepNormal, Name: "rand_core", Package: "rand_core", Req: "0.6", Features: []string{"std", "alloc"}},
		d(DepNormal, "", "serde", "serde", "1.0"),
		{Kind: DepNormal, Name: "tokio", Package: "tokio", Req: "1.28", Features: []string{"rt"}},
		d(DepNormal, "cfg(unix)", "libc", "libc", "0.2"),
		{Kind: DepNormal, Target: "cfg(windows)", Name: "winapi", Package: "winapi", Req: "0.3", DefaultFeatures: true, Features: []string{"winuser"}},
		d(DepDev, "", "criterion", "criterion", "0.5"),
		d(DepDev, "", "proptest", "proptest", "1"),
		d(DepDev, "x86_64-pc-windows-msvc", "windows-test", "windows-test", "0.1"),
		d(DepBuild, "", "cc", "cc", "1.0"),
		d(DepBuild, "", "pkg-config", "pkg-config", "0.3"),
		{Kind: DepBuild, Target: `cfg(target_os = "linux")`, Name: "linux-build", Package: "linux-build", Req: "2", Optional: true, DefaultFeatures: true},
	}
	got := m.Deps()
	if len(got) != len(wantDeps) {
		t.Fatalf("%d deps, want %d: %+v", len(got), len(wantDeps), got)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], wantDeps[i]) {
			t.Errorf("dep %d:\n got %+v\nwant %+v", i, got[i], wantDeps[i])
		}
	}
	if DepBuild.String() != "build" || DepDev.String() != "dev" || DepNormal.String() != "normal" {
		t.Error("DepKind names")
	}
}

func TestParseManifestVariants(t *testing.T) {
	cases := []struct {
		name  string
		toml  string
		check func(*Manifest) bool
	}{
		{"minimal, version defaults to 0.0.0", "[package]\nname = \"a\"\n",
			func(m *Manifest) bool {
				return m.Package.Version == "0.0.0" && m.Package.Publish && m.Lib == nil && len(m.Deps()) == 0
			}},
		{"project table of early Cargo", "[project]\nname = \"old\"\nversion = \"0.1.0\"\n",
			func(m *Manifest) bool { return m.Package.Name == "old" }},
		{"[[lib]] of early Cargo", "[package]\nname = \"a\"\n[[lib]]\nname = \"a\"\nproc_macro = true\ncrate_type = [\"dylib\"]\n",
			func(m *Manifest) bool { return m.Lib != nil && m.Lib.ProcMacro && m.Lib.CrateTypes[0] == "dylib" }},
		{"build = true", "[package]\nname = \"a\"\nbuild = true\n",
			func(m *Manifest) bool { return !m.Package.NoBuild && m.Package.Build == "" }},
		{"build path", "[package]\nname = \"a\"\nbuild = \"tools/b.rs\"\n",
			func(m *Manifest) bool { return m.Package.Build == "tools/b.rs" }},
		{"publish = false", "[package]\nname = \"a\"\npublish = false\n",
			func(m *Manifest) bool { return !m.Package.Publish }},
		{"publish = []", "[package]\nname = \"a\"\npublish = []\n",
			func(m *Manifest) bool { return !m.Package.Publish }},
		{"readme = false", "[package]\nname = \"a\"\nreadme = false\n",
			func(m *Manifest) bool { return m.Package.Readme == "" }},
		{"readme = true", "[package]\nname = \"a\"\nreadme = true\n",
			func(m *Manifest) bool { return m.Package.Readme == "README.md" }},
		{"default-features wins over default_features", "[package]\nname = \"a\"\n[dependencies]\nx = { version = \"1\", default-features = true, default_features = false }\n",
			func(m *Manifest) bool { return m.Deps()[0].DefaultFeatures }},
		{"brackets and dots inside strings and comments", "[package]\nname = \"a\"\ndescription = \"" + strings.Repeat("[{.", 100) + "\"\n# " + strings.Repeat("[", 100) + "\nlicense = '''\n" + strings.Repeat("{.", 100) + "'''\n",
			func(m *Manifest) bool { return strings.HasPrefix(m.Package.License, "{.{.") }},
		{"quotes ending a multi-line string", "[package]\nname = \"a\"\ndescription = \"\"\"x\"\"\"\"\"\nlicense = \"MIT\"\n",
			func(m *Manifest) bool { return m.Package.Description == `x""` && m.Package.License == "MIT" }},
		{"unknown keys ignored", "cargo-features = [\"x\"]\n[package]\nname = \"a\"\nmetadata = { docs = { rs = 1 } }\n[badges]\nx = 1\n[workspace]\n",
			func(m *Manifest) bool { return m.Package.Name == "a" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tc.toml))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(m) {
				t.Errorf("unexpected result: %+v deps %+v", m, m.Deps())
			}
		})
	}
}

// Hostile manifests put values of the wrong type anywhere; each must be a clear error naming
// the key, never a panic or a silently wrong model.
func TestParseManifestMismatches(t *testing.T) {
	cases := []struct{ toml, want string }{
		{"package = 1", "package: expected a table, found an integer"},
		{"", "no [package] table"},
		{"[package]\nname = [\"a\"]", "package.name: expected a string, found an array"},
		{"[package]\nname = \"a\"\nversion = 1.5", "package.version: expected a string, found a float"},
		{"[package]\nname = \"a\"\nversion.workspace = true", "package.version: a table where a string belongs (workspace inheritance"},
		{"[package]\nname = \"a\"\nauthors = \"me\"", "package.authors: expected an array of strings, found a string"},
		{"[package]\nname = \"a\"\nkeywords = [\"a\", 2]", "package.keywords[1]: expected a string, found an integer"},
		{"[package]\nname = \"a\"\nbuild = 1979-05-27", "package.build: expected a string or a boolean, found a datetime"},
		{"[package]\nname = \"a\"\nreadme = []", "package.readme: expected a string or a boolean"},
		{"[package]\nname = \"a\"\npublish = \"yes\"", "package.publish: expected a boolean or an array of strings"},
		{"[package]\nname = \"a\"\npublish = [true]", "package.publish[0]: expected a string, found a boolean"},
		{"[package]\nname = \"a\"\nautobins = \"no\"", "package.autobins: expected a boolean, found a string"},
		{"[package]\nname = \"a\"\nlib = 1", ""}, // a key of [package], not the [lib] table: ignored
		{"lib = \"x\"\n[package]\nname = \"a\"", "lib: expected a table, found a string"},
		{"[package]\nname = \"a\"\n[[lib]]\n[[lib]]", "lib: 2 [[lib]] tables"},
		{"[package]\nname = \"a\"\n[lib]\nproc-macro = \"yes\"", "lib.proc-macro: expected a boolean, found a string"},
		{"[package]\nname = \"a\"\n[lib]\npath = [\"x\"]", "lib.path: expected a string, found an array"},
		{"bin = { name = \"x\" }\n[package]\nname = \"a\"", "bin: expected an array of tables ([[bin]]), found a table"},
		{"[package]\nname = \"a\"\n[[test]]\nname = 5", "test[0].name: expected a string, found an integer"},
		{"[package]\nname = \"a\"\n[[bench]]\nrequired-features = \"x\"", "bench[0].required-features: expected an array of strings"},
		{"dependencies = []\n[package]\nname = \"a\"", "dependencies: expected a table, found an array"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = 1", "dependencies.x: expected a version string or a table, found an integer"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = [\"1\"]", "dependencies.x: expected a version string or a table, found an array"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { version = 1 }", "dependencies.x.version: expected a string, found an integer"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { version = \"1\", optional = \"true\" }", "dependencies.x.optional: expected a boolean, found a string"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { features = \"std\" }", "dependencies.x.features: expected an array of strings, found a string"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { package = { a = 1 } }", "dependencies.x.package: a table where a string belongs"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { package = \"\" }", "dependencies.x.package: empty"},
		{"[package]\nname = \"a\"\n[dependencies]\nx = { workspace = true }", "dependencies.x: workspace inheritance is not resolved"},
		{"[package]\nname = \"a\"\n[dev-dependencies]\nx = \"1\"\n[dev_dependencies]\nx = \"2\"", "dev_dependencies.x: declared in both spellings"},
		{"target = 1\n[package]\nname = \"a\"", "target: expected a table, found an integer"},
		{"[package]\nname = \"a\"\n[target]\n\"cfg(unix)\" = 1", `target."cfg(unix)": expected a table, found an integer`},
		{"[package]\nname = \"a\"\n[target.'cfg(unix)']\ndependencies = 1", `target."cfg(unix)".dependencies: expected a table, found an integer`},
		{"[package]\nname = \"a\"\n[target.'cfg(unix)'.build-dependencies]\ncc = { default-features = 0 }", `target."cfg(unix)".build-dependencies.cc.default-features: expected a boolean`},
		{"[package]\nname = \"a\"\n[features]\ndefault = \"std\"", "features.default: expected an array of strings, found a string"},
		{"[package]\nname = \"a\"\n[features]\ndefault = [[\"std\"]]", "features.default[0]: expected a string, found an array"},
		{"features = 1\n[package]\nname = \"a\"", "features: expected a table, found an integer"},
		{"[package]\nname = \"a\"\nx = " + strings.Repeat("[", 40) + strings.Repeat("]", 40), "nested more than 32 deep"},
		{"[package]\nname = \"a\"\nx = " + strings.Repeat("{a=", 40) + "1" + strings.Repeat("}", 40), "nested more than 32 deep"},
		{"[" + strings.Repeat("a.", 40) + "b]", "dotted key of more than 32 parts"},
		{strings.Repeat("a.", 40) + "b = 1", "dotted key of more than 32 parts"},
		{"[package]\nname = \"a\"\n" + strings.Repeat("[[bin]]\n", 16385), "more than 16384 tables and arrays"},
		{"[package]\nname = \"a\"\n" + strings.Repeat("x.y.z = 1\n", 4097), "more than 8192 dots"},
		{"[package]\nname = \"a\"\n" + strings.Repeat("x = 1\n", 16384), "more than 16384 keys"},
		{"[package]\nname = \"a\"\nname = \"b\"", "already been defined"},
		{"[package\nname = \"a\"", "toml"},
	}
	for _, tc := range cases {
		m, err := ParseManifest([]byte(tc.toml))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.toml, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: accepted: %+v", tc.toml, m)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got error %v\nwant one containing %q", tc.toml, err, tc.want)
		}
	}
}

func TestTargetKindDiscovery(t *testing.T) {
	cases := []struct {
		name     string
		manifest string
		files    []string
		want     map[string]Kind
	}{
		{
			name:  "auto-discovery with lib, main, bins, build.rs",
			files: []string{"src/lib.rs", "src/main.rs", "src/util.rs", "src/bin/a.rs", "src/bin/b/main.rs", "src/bin/b/helper.rs", "build.rs", "examples/e.rs", "examples/e2/main.rs", "tests/t.rs", "benches/b.rs", "benches/data/x.txt", "README.md", "tools/gen.rs"},
			want: map[string]Kind{
				"src/lib.rs": KindLib, "src/main.rs": KindBin, "src/util.rs": KindLib, "src/bin/a.rs": KindBin,
				"src/bin/b/main.rs": KindBin, "src/bin/b/helper.rs": KindBin, "build.rs": KindBuild,
				"examples/e.rs": KindExample, "examples/e2/main.rs": KindExample, "tests/t.rs": KindTest,
				"benches/b.rs": KindBench, "benches/data/x.txt": KindBench, "README.md": KindOther, "tools/gen.rs": KindOther,
				"./src//lib.rs": KindLib,
			},
		},
		{
			name:  "binary-only crate: src belongs to the binary",
			files: []string{"src/main.rs", "src/cli.rs"},
			want:  map[string]Kind{"src/main.rs": KindBin, "src/cli.rs": KindBin, "build.rs": KindOther},
		},
		{
			name:     "build = false: build.rs is not a build script",
			manifest: "build = false\n",
			files:    []string{"src/lib.rs", "build.rs"},
			want:     map[string]Kind{"build.rs": KindOther, "src/lib.rs": KindLib},
		},
		{
			name:     "build script inside src does not claim the library's files",
			manifest: "build = \"src/build.rs\"\n",
			files:    []string{"src/lib.rs", "src/build.rs", "src/x.rs"},
			want:     map[string]Kind{"src/build.rs": KindBuild, "src/x.rs": KindLib},
		},
		{
			name:     "auto-discovery off, explicit targets (cargo package 1.84+)",
			manifest: "autolib = false\nautobins = false\nautoexamples = false\nautotests = false\nautobenches = false\n[lib]\npath = \"lib/mod.rs\"\n[[bin]]\nname = \"x\"\npath = \"cli/x.rs\"\n[[example]]\nname = \"ok\"\n[[test]]\nname = \"t\"\n",
			files:    []string{"lib/mod.rs", "lib/a.rs", "cli/x.rs", "src/lib.rs", "src/bin/y.rs", "examples/ok.rs", "tests/t/main.rs", "benches/b.rs"},
			want: map[string]Kind{
				"lib/mod.rs": KindLib, "lib/a.rs": KindLib, "cli/x.rs": KindBin, "src/lib.rs": KindOther,
				"src/bin/y.rs": KindOther, "examples/ok.rs": KindExample, "tests/t/main.rs": KindTest, "benches/b.rs": KindOther,
			},
		},
		{
			name:     "autolib off without [lib]",
			manifest: "autolib = false\n",
			files:    []string{"src/lib.rs"},
			want:     map[string]Kind{"src/lib.rs": KindOther},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := []tfile{file("foo-1.0.0/Cargo.toml", "[package]\nname = \"foo\"\nversion = \"1.0.0\"\n"+tc.manifest)}
			for _, f := range tc.files {
				files = append(files, file("foo-1.0.0/"+f, "// "+f+"\n"))
			}
			c, err := Read(bytes.NewReader(makeCrate(t, files...)), "c", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			for p, k := range tc.want {
				if got := c.TargetKind(p); got != k {
					t.Errorf("TargetKind(%q) = %v, want %v", p, got, k)
				}
			}
		})
	}
	if !slices.Equal([]string{KindOther.String(), KindBuild.String(), KindBench.String()}, []string{"other", "build", "bench"}) {
		t.Error("Kind names")
	}
}
