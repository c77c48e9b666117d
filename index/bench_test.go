package index

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// benchLine is shaped like a 2020 crates.io line of a mid-sized crate: 10 dependencies of
// every kind, targets, renames and a features table.
func benchLine(vers string) string {
	var deps []string
	for i, d := range []struct{ name, req, kind, target, pkg string }{
		{"bytes", "^0.5.0", "normal", "", ""},
		{"futures-core", "^0.3.0", "normal", "", ""},
		{"mio", "^0.6.20", "normal", "", ""},
		{"pin-project-lite", "^0.1.1", "normal", "", ""},
		{"libc", "^0.2.42", "normal", "cfg(unix)", ""},
		{"winapi", "^0.3.8", "normal", "cfg(windows)", ""},
		{"serde_crate", "^1.0", "normal", "", "serde"},
		{"cc", "^1.0.50", "build", "", ""},
		{"proptest", "^0.9.4", "dev", "", ""},
		{"tempfile", "^3.1.0", "dev", "", ""},
	} {
		target, pkg := "null", ""
		if d.target != "" {
			target = fmt.Sprintf("%q", d.target)
		}
		if d.pkg != "" {
			pkg = fmt.Sprintf(`,"package":%q`, d.pkg)
		}
		deps = append(deps, fmt.Sprintf(`{"name":%q,"req":%q,"features":[%s],"optional":%v,"default_features":true,"target":%s,"kind":%q%s}`,
			d.name, d.req, map[bool]string{true: `"std","alloc"`, false: ""}[i%3 == 0], i%4 == 1, target, d.kind, pkg))
	}
	return `{"name":"tokio","vers":"` + vers + `","deps":[` + strings.Join(deps, ",") + `],"cksum":"` + sumA +
		`","features":{"default":[],"full":["fs","io-util","net","rt-core","sync"],"fs":[],"io-util":["memchr"],` +
		`"net":["mio"],"rt-core":[],"sync":["fnv"]},"yanked":false,"links":null}`
}

func BenchmarkParseLine(b *testing.B) {
	l := []byte(benchLine("0.2.21"))
	b.SetBytes(int64(len(l)))
	for b.Loop() {
		if _, err := ParseLine(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckKeys is the part of ParseLine that guards against key differentials.
func BenchmarkCheckKeys(b *testing.B) {
	l := []byte(benchLine("0.2.21"))
	b.SetBytes(int64(len(l)))
	for b.Loop() {
		if err := checkKeys(l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileParse(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		sb.WriteString(benchLine(fmt.Sprintf("0.%d.%d", i/20, i%20)))
		sb.WriteByte('\n')
	}
	f := File{Path: "to/ki/tokio", Data: []byte(sb.String())}
	b.SetBytes(int64(len(f.Data)))
	for b.Loop() {
		recs, errs := f.Parse()
		if len(recs) != 200 || len(errs) != 0 {
			b.Fatalf("%d records, %v", len(recs), errs)
		}
	}
}

// BenchmarkRealIndexParse parses every file of the real 2020 index, held in memory, per op.
func BenchmarkRealIndexParse(b *testing.B) {
	src := realIndex(b)
	var files []File
	var size int64
	err := src.Walk(context.Background(), func(f File) error {
		files = append(files, f)
		size += int64(len(f.Data))
		return nil
	}, func(error) {})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for _, f := range files {
			recs, _ := f.Parse()
			n += len(recs)
		}
		if n != 259132 {
			b.Fatalf("%d versions", n)
		}
	}
}
