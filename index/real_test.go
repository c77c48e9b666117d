package index

import (
	"context"
	"os"
	"testing"
)

// The real crates.io index of July 2020, extracted or as the tarball in ../shared/data.
// Tests and benchmarks over it skip when neither is present.
const (
	realIndexDir     = "/tmp/idx2020"
	realIndexTarball = "../../shared/data/crates-index-2020-07.tar.gz"
)

func realIndex(tb testing.TB) Source {
	tb.Helper()
	if st, err := os.Stat(realIndexDir); err == nil && st.IsDir() {
		return &Dir{Root: realIndexDir}
	}
	if _, err := os.Stat(realIndexTarball); err == nil {
		return &Tarball{Path: realIndexTarball}
	}
	tb.Skipf("no real index at %s or %s", realIndexDir, realIndexTarball)
	return nil
}

// TestRealIndex2020 reads the whole 2020 crates.io index: every line of it must parse, and the
// counts must be those published for the snapshot.
func TestRealIndex2020(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 400 MB")
	}
	src := realIndex(t)
	var files, versions, deps, yanked, dups int
	err := src.Walk(context.Background(), func(f File) error {
		files++
		recs, errs := f.Parse()
		for _, err := range errs {
			t.Errorf("%s: %v", src, err)
		}
		for _, r := range recs {
			versions++
			deps += len(r.Deps)
			if r.Yanked {
				yanked++
			}
			if r.Dup > 0 {
				dups++
			}
		}
		return nil
	}, func(err error) { t.Errorf("misplaced: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	if files != 43451 || versions != 259132 || deps != 1532778 || yanked != 9294 {
		t.Errorf("%s: %d crates, %d versions, %d deps, %d yanked; want 43451, 259132, 1532778, 9294", src, files, versions, deps, yanked)
	}
	t.Logf("%s: %d crates, %d versions (%d repeating an earlier vers), %d deps, %d yanked", src, files, versions, dups, deps, yanked)
	cfg, err := src.Config(context.Background())
	if err != nil || cfg == nil || cfg.DL == "" {
		t.Errorf("config.json: %+v, %v", cfg, err)
	}
}
