package advisory

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cratewatch/cratewatch/semver"
)

const inlineAdvisory = "```toml\n" + `[advisory]
id = "RUSTSEC-2099-0001"
package = "frobnicate"
date = "2099-01-02"
url = "https://example.com/issues/1"
categories = ["memory-corruption", "denial-of-service"]
keywords = ["overflow"]
aliases = ["CVE-2099-1234", "GHSA-aaaa-bbbb-cccc"]
related = ["RUSTSEC-2098-0007"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
references = ["https://example.com/blog"]
license = "CC0-1.0"

[affected]
arch = ["x86_64"]
os = ["linux", "windows"]
functions = { "frobnicate::Buffer::push" = ["< 1.2.0"], "frobnicate::parse" = [] }

[versions]
patched = [">= 1.2.0, < 2.0.0", ">= 2.0.3"]
unaffected = ["< 0.5.0"]
` + "```\n\n# Buffer overflow in `Buffer::push`\n\nPushing past capacity writes\nout of bounds.\n\n## Impact\nBad.\n"

const tableAdvisory = "```toml\n" + `[advisory]
id = "RUSTSEC-2099-0002"
package = "evil-crate"
date = "2099-02-03"
categories = ["malicious"]
expect-deleted = true
informational = "unsound"
withdrawn = "2099-03-04"

[affected.functions]
"evil_crate::run" = ["^0.1"]

[versions]
patched = []
` + "```\n\n# Malicious crate `evil-crate`\n"

func TestParseRustSecInline(t *testing.T) {
	a, err := ParseRustSec("crates/frobnicate/RUSTSEC-2099-0001.md", []byte(inlineAdvisory))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "RUSTSEC-2099-0001" || a.Package != "frobnicate" || a.Date != "2099-01-02" {
		t.Errorf("identity %q %q %q", a.ID, a.Package, a.Date)
	}
	if a.Title != "Buffer overflow in `Buffer::push`" {
		t.Errorf("title %q", a.Title)
	}
	if !strings.HasPrefix(a.Description, "Pushing past capacity") || !strings.HasSuffix(a.Description, "Bad.") {
		t.Errorf("description %q", a.Description)
	}
	if !slices.Equal(a.Aliases, []string{"CVE-2099-1234", "GHSA-aaaa-bbbb-cccc"}) || !slices.Equal(a.Related, []string{"RUSTSEC-2098-0007"}) {
		t.Errorf("aliases %v related %v", a.Aliases, a.Related)
	}
	if !a.HasCategory("memory-corruption") || a.HasCategory("malicious") {
		t.Errorf("categories %v", a.Categories)
	}
	if !slices.Equal(a.Affected.OS, []string{"linux", "windows"}) || !slices.Equal(a.Affected.Arch, []string{"x86_64"}) {
		t.Errorf("affected %+v", a.Affected)
	}
	if got := slices.Sorted(maps.Keys(a.Affected.Functions)); !slices.Equal(got, []string{"frobnicate::Buffer::push", "frobnicate::parse"}) {
		t.Errorf("functions %v", got)
	}
	if len(a.Patched) != 2 || a.Patched[0].String() != ">=1.2.0, <2.0.0" || len(a.Unaffected) != 1 {
		t.Errorf("versions %v %v", a.Patched, a.Unaffected)
	}
	vuln := map[string]bool{
		"0.4.9": false, "0.5.0": true, "1.1.9": true, "1.2.0": false, "1.9.0": false,
		"2.0.0": true, "2.0.2": true, "2.0.3": false, "3.0.0": false,
	}
	for v, want := range vuln {
		if got := a.Vulnerable(semver.MustParse(v)); got != want {
			t.Errorf("Vulnerable(%s) = %v, want %v", v, got, want)
		}
	}
	if got := a.AffectedFunctions(semver.MustParse("1.0.0")); !slices.Equal(got, []string{"frobnicate::Buffer::push", "frobnicate::parse"}) {
		t.Errorf("AffectedFunctions(1.0.0) = %v", got)
	}
	if got := a.AffectedFunctions(semver.MustParse("2.0.1")); !slices.Equal(got, []string{"frobnicate::parse"}) {
		t.Errorf("AffectedFunctions(2.0.1) = %v", got)
	}
	if got := a.AffectedFunctions(semver.MustParse("1.5.0")); got != nil {
		t.Errorf("AffectedFunctions of a patched version = %v", got)
	}
}

func TestParseRustSecTable(t *testing.T) {
	a, err := ParseRustSec("x.md", []byte(tableAdvisory))
	if err != nil {
		t.Fatal(err)
	}
	if !a.ExpectDeleted || a.Informational != InformationalUnsound || a.Withdrawn != "2099-03-04" || !a.HasCategory("malicious") {
		t.Errorf("%+v", a)
	}
	reqs := a.Affected.Functions["evil_crate::run"]
	if len(reqs) != 1 || reqs[0].String() != "^0.1" {
		t.Errorf("functions %v", a.Affected.Functions)
	}
	if len(a.Patched) != 0 || !a.Vulnerable(semver.MustParse("9.9.9")) {
		t.Error("empty patched list must make every version vulnerable")
	}
	if got := a.AffectedFunctions(semver.MustParse("0.2.0")); len(got) != 0 {
		t.Errorf("function outside its requirement reported: %v", got)
	}
}

func TestParseRustSecLegacyTitle(t *testing.T) {
	doc := "```toml\n[advisory]\nid = \"RUSTSEC-2017-0001\"\npackage = \"old\"\ndate = \"2017-01-01\"\ntitle = \"Old style\"\ndescription = \"Text.\"\n[versions]\npatched = [\">= 1\"]\n```\n"
	a, err := ParseRustSec("old.md", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Old style" || a.Description != "Text." {
		t.Errorf("title %q description %q", a.Title, a.Description)
	}
}

func TestParseRustSecErrors(t *testing.T) {
	base := inlineAdvisory
	tests := []struct{ name, doc, want string }{
		{"no fence", "# Title\n", "does not start with a ```toml"},
		{"unclosed", "```toml\n[advisory]\n", "no closing ```"},
		{"bad toml", "```toml\n[advisory\n```\n# T\n", "front matter"},
		{"unknown key", strings.Replace(base, "license =", "licence =", 1), "unknown keys advisory.licence"},
		{"bad patched", strings.Replace(base, `">= 2.0.3"`, `">= 2.0.3.1"`, 1), "versions.patched[1]"},
		{"bad unaffected", strings.Replace(base, `"< 0.5.0"`, `"v0.5"`, 1), "versions.unaffected[0]"},
		{"bad function req", strings.Replace(base, `["< 1.2.0"]`, `["< 1.2.0 || 3"]`, 1), `affected.functions "frobnicate::Buffer::push"[0]`},
		{"bad function path", strings.Replace(base, `"frobnicate::parse"`, `"frobnicate:: parse"`, 1), "space"},
		{"bad crate in path", strings.Replace(base, `"frobnicate::parse"`, `"9frob::parse"`, 1), "not an identifier"},
		{"one-segment path", strings.Replace(base, `"frobnicate::parse"`, `"parse"`, 1), "not crate::...::name"},
		{"no id", strings.Replace(base, `id = "RUSTSEC-2099-0001"`, "", 1), "advisory.id is missing"},
		{"bad date", strings.Replace(base, `"2099-01-02"`, `"02/01/2099"`, 1), "advisory.date"},
		{"bad url", strings.Replace(base, `"https://example.com/issues/1"`, `"javascript:alert(1)"`, 1), "advisory.url"},
		{"bad cvss", strings.Replace(base, `"CVSS:3.1/`, `"3.1/`, 1), "advisory.cvss"},
		{"no title", base[:strings.Index(base, "\n# ")], "no title"},
		{"text before title", strings.Replace(base, "# Buffer", "Buffer", 1), "title heading"},
		{"package space", strings.Replace(base, `"frobnicate"`, `"frob nicate"`, 1), "advisory.package"},
		{"not utf8", base + "\xff", "UTF-8"},
		{"too big", base + strings.Repeat("x", MaxFileSize), "limit"},
		{"wrong type", strings.Replace(base, `keywords = ["overflow"]`, `keywords = "overflow"`, 1), "front matter"},
	}
	for _, tt := range tests {
		_, err := ParseRustSec("crates/frobnicate/bad.md", []byte(tt.doc))
		if err == nil {
			t.Errorf("%s: parsed", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "crates/frobnicate/bad.md") {
			t.Errorf("%s: error %q, want it to name the file and contain %q", tt.name, err, tt.want)
		}
	}
}

func dbFS() fstest.MapFS {
	return fstest.MapFS{
		"README.md":                              {Data: []byte("# not an advisory\n")},
		"crates/frobnicate/RUSTSEC-2099-0001.md": {Data: []byte(inlineAdvisory)},
		"crates/evil-crate/RUSTSEC-2099-0002.md": {Data: []byte(tableAdvisory)},
		"crates/broken/RUSTSEC-2099-0003.md":     {Data: []byte("```toml\n[advisory]\nid = 3\n```\n# T\n")},
		"crates/dup/RUSTSEC-2099-0001.md":        {Data: []byte(inlineAdvisory)},
		".git/crates/x/RUSTSEC-2099-0009.md":     {Data: []byte("garbage")},
		"osv/RUSTSEC-2099-0004.json":             {Data: osvJSON()},
		"rust/std/CVE-2099-0005.md":              {Data: []byte(strings.Replace(inlineAdvisory, "RUSTSEC-2099-0001", "CVE-2099-0005", 1))},
	}
}

func osvJSON() []byte {
	return []byte(`{"id":"RUSTSEC-2099-0004","modified":"2099-05-06T00:00:00Z","published":"2099-05-05T12:00:00Z",
"summary":"OSV only","details":"From OSV.","aliases":["CVE-2099-9"],
"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
"affected":[{"package":{"ecosystem":"crates.io","name":"osvcrate","purl":"pkg:cargo/osvcrate"},
 "ranges":[{"type":"SEMVER","events":[{"introduced":"0.3.0"},{"fixed":"0.3.5"},{"introduced":"1.0.0"},{"fixed":"1.0.2"}]},
           {"type":"GIT","repo":"https://example.com/r","events":[{"introduced":"abc"}]}],
 "versions":["0.1.7"],
 "ecosystem_specific":{"affects":{"arch":[],"os":["windows"],"functions":["osvcrate::decode"]}},
 "database_specific":{"categories":["denial-of-service"],"cvss":null,"informational":null}}],
"references":[{"type":"PACKAGE","url":"https://crates.io/crates/osvcrate"},{"type":"REPORT","url":"https://example.com/report"},{"type":"WEB","url":"https://example.com/more"}]}`)
}

func TestLoadDir(t *testing.T) {
	res, err := LoadDir(dbFS())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range res.Advisories {
		ids = append(ids, a.ID)
	}
	want := []string{"CVE-2099-0005", "RUSTSEC-2099-0001", "RUSTSEC-2099-0002", "RUSTSEC-2099-0004"}
	if !slices.Equal(ids, want) {
		t.Errorf("loaded %v, want %v", ids, want)
	}
	var bad []string
	for _, e := range res.Errors {
		bad = append(bad, e.Path)
	}
	slices.Sort(bad)
	if !slices.Equal(bad, []string{"crates/broken/RUSTSEC-2099-0003.md", "crates/frobnicate/RUSTSEC-2099-0001.md"}) &&
		!slices.Equal(bad, []string{"crates/broken/RUSTSEC-2099-0003.md", "crates/dup/RUSTSEC-2099-0001.md"}) {
		t.Errorf("errors on %v", res.Errors)
	}
	if res.Skipped != 1 {
		t.Errorf("skipped %d, want 1 (README.md)", res.Skipped)
	}
	osv := res.Advisories[3]
	if osv.Package != "osvcrate" || osv.URL != "https://example.com/report" || !slices.Equal(osv.References, []string{"https://example.com/more"}) {
		t.Errorf("OSV advisory %+v", osv)
	}
	vuln := map[string]bool{"0.1.6": false, "0.1.7": true, "0.1.8": false, "0.2.9": false, "0.3.0": true, "0.3.4": true,
		"0.3.5": false, "0.9.0": false, "1.0.0": true, "1.0.1": true, "1.0.2": false, "2.0.0": false}
	for v, want := range vuln {
		if got := osv.Vulnerable(semver.MustParse(v)); got != want {
			t.Errorf("OSV advisory: Vulnerable(%s) = %v, want %v", v, got, want)
		}
	}
	s := Summarize(res.Advisories)
	if s.Advisories != 4 || s.WithFunctions != 4 || s.FunctionPaths != 6 || s.Categories["malicious"] != 1 || s.Withdrawn != 1 || s.Informational["unsound"] != 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestLoadPathTarGzAndFile(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	files := dbFS()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name].Data
		if err := tw.WriteHeader(&tar.Header{Name: "advisory-db/" + name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.WriteHeader(&tar.Header{Name: "advisory-db/crates/link/RUSTSEC-2099-0008.md", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})
	tw.Close()
	zw.Close()
	tgz := filepath.Join(dir, "db.tar.gz")
	if err := os.WriteFile(tgz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := LoadPath(tgz)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Advisories) != 4 || len(res.Errors) != 2 || res.Skipped != 3 {
		t.Errorf("tarball: %d advisories, %v errors, %d skipped", len(res.Advisories), res.Errors, res.Skipped)
	}

	md := filepath.Join(dir, "RUSTSEC-2099-0002.md")
	os.WriteFile(md, []byte(tableAdvisory), 0o644)
	res, err = LoadPath(md)
	if err != nil || len(res.Advisories) != 1 || res.Advisories[0].ID != "RUSTSEC-2099-0002" {
		t.Errorf("single file: %v %+v", err, res)
	}
	if _, err := LoadPath(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path loaded")
	}
	os.WriteFile(filepath.Join(dir, "junk.tar.gz"), []byte("not gzip"), 0o644)
	if _, err := LoadPath(filepath.Join(dir, "junk.tar.gz")); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("junk tarball: %v", err)
	}
}

func TestToOSV(t *testing.T) {
	a, err := ParseRustSec("a.md", []byte(inlineAdvisory))
	if err != nil {
		t.Fatal(err)
	}
	o := ToOSV(a)
	if len(o.Affected) != 1 || len(o.Affected[0].Ranges) != 1 {
		t.Fatalf("affected %+v", o.Affected)
	}
	// unaffected <0.5.0, patched [1.2.0, 2.0.0) and >=2.0.3: affected [0.5.0, 1.2.0) and [2.0.0, 2.0.3).
	want := []OSVEvent{{Introduced: "0.5.0"}, {Fixed: "1.2.0"}, {Introduced: "2.0.0"}, {Fixed: "2.0.3"}}
	if got := o.Affected[0].Ranges[0].Events; !slices.Equal(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}
	if fs := o.Affected[0].EcosystemSpecific.Affects.Functions; !slices.Equal(fs, []string{"frobnicate::Buffer::push", "frobnicate::parse"}) {
		t.Errorf("functions %v", fs)
	}
	if o.Severity[0].Type != "CVSS_V3" || o.Published != "2099-01-02T12:00:00Z" || o.Summary != a.Title {
		t.Errorf("%+v", o)
	}
	b, _ := json.Marshal(o)
	for _, s := range []string{`"ecosystem":"crates.io"`, `"type":"SEMVER"`, `"purl":"pkg:cargo/frobnicate"`, `"type":"ADVISORY","url":"https://rustsec.org/advisories/RUSTSEC-2099-0001.html"`} {
		if !bytes.Contains(b, []byte(s)) {
			t.Errorf("OSV JSON lacks %s: %s", s, b)
		}
	}
	checkOSVRoundTrip(t, a)

	caret := &Advisory{ID: "X-1", Package: "p", Date: "2020-01-01", Title: "t", Patched: []semver.Req{semver.MustParseReq("^1.2.3"), semver.MustParseReq(">= 2.1")}}
	want = []OSVEvent{{Introduced: "0.0.0-0"}, {Fixed: "1.2.3"}, {Introduced: "2.0.0-0"}, {Fixed: "2.1.0"}}
	if got := ToOSV(caret).Affected[0].Ranges[0].Events; !slices.Equal(got, want) {
		t.Errorf("caret events %+v, want %+v", got, want)
	}
	checkOSVRoundTrip(t, caret)

	incl := &Advisory{ID: "X-2", Package: "p", Date: "2020-01-01", Title: "t", Patched: []semver.Req{semver.MustParseReq("> 1.0.0")}, Unaffected: []semver.Req{semver.MustParseReq("<= 0.2.0")}}
	want = []OSVEvent{{Introduced: "0.2.1-0"}, {Fixed: "1.0.1-0"}}
	if got := ToOSV(incl).Affected[0].Ranges[0].Events; !slices.Equal(got, want) {
		t.Errorf("inclusive events %+v, want %+v", got, want)
	}
	checkOSVRoundTrip(t, incl)

	all := &Advisory{ID: "X-3", Package: "p", Date: "2020-01-01", Title: "t"}
	if got := ToOSV(all).Affected[0].Ranges[0].Events; !slices.Equal(got, []OSVEvent{{Introduced: "0.0.0-0"}}) {
		t.Errorf("no patch: events %+v", got)
	}
	checkOSVRoundTrip(t, all)
}

func TestFromOSVErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"id":"A","published":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"}}]}`, "no affected package"},
		{`{"id":"A","published":"2020","affected":[{"package":{"ecosystem":"crates.io","name":"x"}}]}`, "RFC 3339"},
		{`{"id":"A","published":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.x"}]}]}]}`, "events[0]"},
		{`{"id":"A","published":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"}},{"package":{"ecosystem":"crates.io","name":"y"}}]}`, "more than one crate"},
		{`{"id":"A","published":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"},"ranges":[{"type":"SEMVER","events":[{}]}]}]}`, "empty"},
		{`{"id":"A"`, "OSV JSON"},
	}
	for _, tt := range tests {
		_, err := ParseOSV("f.json", []byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("ParseOSV(%s): %v, want %q", tt.doc, err, tt.want)
		}
	}
}

// checkOSVRoundTrip exports a to OSV JSON, imports it again and checks that metadata and the
// verdict on every release near a requirement bound survive.
func checkOSVRoundTrip(t *testing.T, a *Advisory) {
	t.Helper()
	data, err := json.Marshal(ToOSV(a))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseOSV(a.ID+".json", data)
	if err != nil {
		t.Errorf("%s: re-import of exported OSV: %v", a.ID, err)
		return
	}
	if a.ID != b.ID || a.Package != b.Package || a.Date != b.Date || a.Title != b.Title || a.Withdrawn != b.Withdrawn ||
		a.CVSS != b.CVSS || a.Informational != b.Informational || a.URL != b.URL || a.License != b.License ||
		!slices.Equal(a.Aliases, b.Aliases) || !slices.Equal(a.Categories, b.Categories) || !slices.Equal(a.References, b.References) ||
		!slices.Equal(slices.Sorted(maps.Keys(a.Affected.Functions)), slices.Sorted(maps.Keys(b.Affected.Functions))) {
		t.Errorf("%s: metadata changed through OSV:\n%+v\n%+v", a.ID, a, b)
	}
	for _, v := range probeVersions(a) {
		if a.Vulnerable(v) != b.Vulnerable(v) {
			t.Errorf("%s: Vulnerable(%s) = %v, after OSV %v (patched %v unaffected %v -> %v %v)", a.ID, v,
				a.Vulnerable(v), b.Vulnerable(v), a.Patched, a.Unaffected, b.Patched, b.Unaffected)
		}
	}
}

// probeVersions returns releases at and around every version named by a's requirements.
func probeVersions(a *Advisory) []semver.Version {
	out := []semver.Version{{}, {Major: 99}}
	for _, r := range slices.Concat(a.Patched, a.Unaffected) {
		for _, c := range r.Comparators() {
			for _, d := range []int{-1, 0, 1} {
				for _, v := range []semver.Version{
					{Major: c.Major, Minor: c.Minor, Patch: add(c.Patch, d)},
					{Major: c.Major, Minor: add(c.Minor, d)},
					{Major: add(c.Major, d)},
				} {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func add(n uint64, d int) uint64 {
	if d < 0 && n == 0 {
		return 0
	}
	return uint64(int64(n) + int64(d))
}

func FuzzParseRustSec(f *testing.F) {
	f.Add([]byte(inlineAdvisory))
	f.Add([]byte(tableAdvisory))
	f.Add([]byte("```toml\n[advisory]\n```\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseRustSec("fuzz.md", data)
		if err != nil {
			return
		}
		if a.ID == "" || a.Package == "" || a.Title == "" {
			t.Fatalf("accepted advisory without id, package or title: %+v", a)
		}
		a.Vulnerable(semver.MustParse("1.0.0"))
		if _, err := json.Marshal(ToOSV(a)); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseOSV(f *testing.F) {
	f.Add(osvJSON())
	f.Add([]byte(`{"id":"A","published":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"last_affected":"1.0.0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseOSV("fuzz.json", data)
		if err != nil {
			return
		}
		a.Vulnerable(semver.MustParse("1.0.0"))
		if _, err := json.Marshal(ToOSV(a)); err != nil {
			t.Fatal(err)
		}
	})
}
