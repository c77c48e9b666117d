package advisory

import (
	"encoding/json"
	"os"
	"testing"
)

func BenchmarkParseRustSec(b *testing.B) {
	data := []byte(inlineAdvisory)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRustSec("a.md", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVulnerable(b *testing.B) {
	a, err := ParseRustSec("a.md", []byte(inlineAdvisory))
	if err != nil {
		b.Fatal(err)
	}
	ver := a.Patched[0].Interval().Lo.Version
	b.ReportAllocs()
	for b.Loop() {
		a.Vulnerable(ver)
	}
}

func BenchmarkToOSV(b *testing.B) {
	a, err := ParseRustSec("a.md", []byte(inlineAdvisory))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ToOSV(a)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRealDatabase loads the real advisory-db snapshot; it skips when absent.
func BenchmarkLoadRealDatabase(b *testing.B) {
	if _, err := os.Stat(realDB); err != nil {
		b.Skip("advisory-db snapshot not present:", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := LoadPath(realDB)
		if err != nil || len(res.Errors) > 0 {
			b.Fatal(err, res.Errors)
		}
	}
}
