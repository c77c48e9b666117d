package tuf

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func dirFiles(t *testing.T, dir string) []string {
	var out []string
	must(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}

func TestIncrementalUpdateWritesOnlyTheBin(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	before := dirFiles(t, fx.dir)
	bin := fx.binOf("serde")
	st := fx.sign(fx.publish("serde", "1.0.2", false))
	if st.Roles != 1 || st.TreeVersion != 2 {
		t.Fatalf("update stats %+v", st)
	}
	var added []string
	for _, p := range dirFiles(t, fx.dir) {
		if !slices.Contains(before, p) {
			added = append(added, filepath.ToSlash(must2(t, func() (string, error) { return filepath.Rel(fx.dir, p) })))
		}
	}
	slices.Sort(added)
	want := []string{"2." + bin + ".json", "2.timestamp.json", "snapshot/2.delta.json"}
	if !slices.Equal(added, want) {
		t.Fatalf("update added %v, want %v", added, want)
	}
	// Yanking: the line is rewritten, the bin signed again.
	p := filepath.Join(fx.indexDir, "se", "rd", "serde")
	data := must2(t, func() ([]byte, error) { return os.ReadFile(p) })
	var yanked []byte
	for _, line := range splitLines(data) {
		if bytes.Contains(line, []byte(`"vers":"1.0.1"`)) {
			line = []byte(strings.ReplaceAll(string(line), `"yanked":false`, `"yanked":true`))
		}
		yanked = append(append(yanked, line...), '\n')
	}
	must(t, os.WriteFile(p, yanked, 0o644))
	fx.sign(IndexFile{Path: "se/rd/serde", Data: yanked})
	c := fx.client(nil)
	res, err := c.Verify(context.Background(), "serde", "1.0.1", true)
	must(t, err)
	if !res.Yanked {
		t.Fatal("yanked version verified as not yanked")
	}
	// Removing a crate's index file removes its target.
	fx.sign(IndexFile{Path: "ra/nd/rand"})
	if _, err := c.Verify(context.Background(), "rand", "", false); err == nil {
		t.Fatal("removed crate still verifies")
	}
	// The repository reopened from disk replays the same tree.
	re, err := Open(fx.dir, Options{TargetsKey: fx.targetsK, TimestampKey: fx.tsK})
	must(t, err)
	if re.tree.Root() != fx.repo.tree.Root() {
		t.Fatal("reopened repository has another root")
	}
	for _, bad := range []string{"serde", "se/../se..", "SE/RD/SERDE", "se/rd/serde/"} {
		if _, err := re.Update(context.Background(), []IndexFile{{Path: bad, Data: []byte("x")}}); err == nil {
			t.Fatalf("update of non-index path %q accepted", bad)
		}
	}
}

func TestBuildRefusesSecondBuildAndMissingKeys(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	if _, err := fx.repo.Build(context.Background(), nil, 0); err == nil {
		t.Fatal("second build accepted")
	}
	ro, err := Open(fx.dir, Options{})
	must(t, err)
	if _, err := ro.Update(context.Background(), nil); err == nil {
		t.Fatal("update without keys accepted")
	}
}

func TestBinBitsFor(t *testing.T) {
	for _, c := range []struct{ n, bits int }{{0, 1}, {64, 1}, {65, 2}, {43451, 11}, {250000, 13}} {
		if got := BinBitsFor(c.n); got != c.bits {
			t.Errorf("BinBitsFor(%d) = %d, want %d", c.n, got, c.bits)
		}
	}
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func TestServerInAnotherProcessReloads(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	server, err := Open(fx.dir, Options{}) // the mirror's read-only copy
	must(t, err)
	fx.sign(fx.publish("serde", "1.0.2", false))
	_, err = fx.repo.Rotate(context.Background(), Rotation{OldRootKeys: fx.rootKeys, NewTimestampKey: mustKey(t, KeyEd25519)})
	must(t, err)
	rec := httptest.NewRecorder()
	server.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/timestamp.json", nil))
	ts, err := new(metadata.Metadata[metadata.TimestampType]).FromBytes(rec.Body.Bytes())
	must(t, err)
	if served := ts.Signed.Version; served != 3 || server.RootVersion() != 2 {
		t.Fatalf("read-only server at timestamp %d root %d, want 3 and 2", served, server.RootVersion())
	}
	if string(rec.Body.Bytes()) != string(fx.fetchServed("/tuf/timestamp.json")) {
		t.Fatal("servers disagree on timestamp.json")
	}
}

func TestReadIndexSkipsWhatIsNotAnIndexFile(t *testing.T) {
	fsys := fstest.MapFS{
		"config.json":       {Data: []byte(`{"dl":"https://x/"}`)},
		"se/rd/serde":       {Data: []byte("line\n")},
		"se/rd/wrong-place": {Data: []byte("x")},
		".git/objects/ab":   {Data: []byte("x")},
		"1/a":               {Data: []byte("a\n")},
		"README.md":         {Data: []byte("x")},
	}
	files, err := ReadIndex(context.Background(), fsys)
	must(t, err)
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	slices.Sort(got)
	if want := []string{"1/a", "config.json", "se/rd/serde"}; !slices.Equal(got, want) {
		t.Fatalf("ReadIndex found %v, want %v", got, want)
	}
}

func TestOpenFromCheckpoint(t *testing.T) {
	defer func(n int64) { checkpointEvery = n }(checkpointEvery)
	checkpointEvery = 3
	fx := newFixture(t, KeyEd25519, 1, 1)
	for i := range 4 {
		fx.sign(fx.publish("rand", fmt.Sprintf("0.9.%d", i), false))
	}
	// Trees 1-5 exist, the checkpoint holds tree 3: the first deltas are no longer needed.
	for _, v := range []int{1, 2, 3} {
		must(t, os.Remove(filepath.Join(fx.dir, "snapshot", fmt.Sprintf("%d.delta.json", v))))
	}
	re, err := Open(fx.dir, Options{})
	must(t, err)
	if re.tree.Root() != fx.repo.tree.Root() || re.TreeVersion() != 5 {
		t.Fatalf("reopened from checkpoint at tree %d with another root", re.TreeVersion())
	}
}
