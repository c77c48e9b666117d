package advisory

import (
	"os"
	"testing"
)

const realDB = "../../shared/data/advisory-db-2026-08-21.tar.gz"

// TestRealDatabase loads the whole RustSec database snapshot; it skips when the data is absent.
func TestRealDatabase(t *testing.T) {
	if _, err := os.Stat(realDB); err != nil {
		t.Skip("advisory-db snapshot not present:", err)
	}
	res, err := LoadPath(realDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		t.Errorf("%v", e)
	}
	s := Summarize(res.Advisories)
	t.Logf("%+v", s)
	if s.Advisories != 1225 {
		t.Errorf("%d advisories, want 1225", s.Advisories)
	}
	if s.WithFunctions != 260 || s.FunctionPaths != 634 {
		t.Errorf("%d advisories with %d function paths, want 260 with 634", s.WithFunctions, s.FunctionPaths)
	}
	if s.Categories["malicious"] != 73 {
		t.Errorf("%d malicious, want 73", s.Categories["malicious"])
	}
	// Every advisory survives the trip through OSV with the same verdict on its own bounds.
	for _, a := range res.Advisories {
		checkOSVRoundTrip(t, a)
	}
}
