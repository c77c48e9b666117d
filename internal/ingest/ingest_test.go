package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/ingest"
	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/cratewatch/cratewatch/internal/store/storetest"
)

var ctx = context.Background()

// The crash test re-executes this test binary as the ingest process it kills.
const childEnv = "CRATEWATCH_INGEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		dbURL, dir, _ := strings.Cut(spec, "\n")
		st, err := store.Open(ctx, dbURL)
		if err == nil {
			_, err = ingest.Run(ctx, st, &index.Dir{Root: dir}, ingest.Options{BatchVersions: 100})
			st.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func line(name, vers string, yanked bool, deps ...string) string {
	var ds []string
	for _, d := range deps {
		n, req, _ := strings.Cut(d, "@")
		ds = append(ds, fmt.Sprintf(`{"name":%q,"req":%q,"features":[],"optional":false,"default_features":true,"target":null,"kind":"normal"}`, n, req))
	}
	return fmt.Sprintf(`{"name":%q,"vers":%q,"deps":[%s],"cksum":"%x","features":{},"yanked":%v}`,
		name, vers, strings.Join(ds, ","), sha256.Sum256([]byte(name+vers)), yanked)
}

func writeCrate(t testing.TB, root, name string, lines ...string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(index.Path(name)))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// genIndex writes n crates of 8 versions each, every version depending on up to 3 others.
func genIndex(t testing.TB, n int) string {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "config.json"), []byte(`{"dl":"http://127.0.0.1:1/dl"}`), 0o644)
	for i := range n {
		name := fmt.Sprintf("crate-%05d", i)
		var lines []string
		for v := range 8 {
			var deps []string
			for k := 1; k <= 3 && i-k >= 0; k++ {
				deps = append(deps, fmt.Sprintf("crate-%05d@^0.%d", i-k, (v+k)%8))
			}
			lines = append(lines, line(name, fmt.Sprintf("0.%d.0", v), (i+v)%11 == 0, deps...))
		}
		writeCrate(t, root, name, lines...)
	}
	return root
}

func run(t *testing.T, st store.Store, dir string) *ingest.Result {
	t.Helper()
	res, err := ingest.Run(ctx, st, &index.Dir{Root: dir}, ingest.Options{BatchVersions: 50})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIngest(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			dir := t.TempDir()
			writeCrate(t, dir, "serde", line("serde", "1.0.0", false), line("serde", "1.0.1", false))
			writeCrate(t, dir, "serde_json", line("serde_json", "1.0.0", false, "serde@^1"),
				`{"name":"serde_json","vers":"1.x"}`, line("serde_json", "1.0.1", false, "serde@^1.0.1"))
			writeCrate(t, dir, "a", line("a", "0.1.0", false))
			os.MkdirAll(filepath.Join(dir, ".git", "ob"), 0o755)
			os.WriteFile(filepath.Join(dir, ".git", "ob", "junk"), []byte("x"), 0o644)
			os.MkdirAll(filepath.Join(dir, "zz", "zz"), 0o755)
			os.WriteFile(filepath.Join(dir, "zz", "zz", "serde"), []byte(line("serde", "9.0.0", false)), 0o644)

			res := run(t, st, dir)
			if res.Files != 3 || res.Changes.VersionsAdded != 5 {
				t.Fatalf("first ingest: %+v", res)
			}
			// The malformed line and the misplaced file are reported with where they are.
			if res.BadLines != 2 || !strings.Contains(res.Errors[0].Error()+res.Errors[1].Error(), "index line 2 of se/rd/serde_json") ||
				!strings.Contains(res.Errors[0].Error()+res.Errors[1].Error(), "zz/zz/serde") {
				t.Fatalf("errors = %v", res.Errors)
			}

			// Unchanged: nothing written.
			res = run(t, st, dir)
			if res.Unchanged != 3 || res.Changes.Crates != 0 {
				t.Fatalf("re-ingest: %+v", res)
			}

			// One crate file changes: only it is written; its yank flip is recorded.
			writeCrate(t, dir, "serde", line("serde", "1.0.0", true), line("serde", "1.0.1", false), line("serde", "1.0.2", false))
			res = run(t, st, dir)
			if res.Unchanged != 2 || res.Changes.Crates != 1 || res.Changes.YankFlips != 1 || res.Changes.VersionsAdded != 1 {
				t.Fatalf("changed crate: %+v", res)
			}
			c, _ := st.Crate(ctx, "serde")
			if len(c.Versions[0].YankEvents) != 1 || !c.Versions[0].YankEvents[0].Yanked {
				t.Fatalf("yank event not recorded: %+v", c.Versions[0])
			}

			// A crate file disappears: the crate is marked removed, not deleted.
			os.Remove(filepath.Join(dir, filepath.FromSlash(index.Path("a"))))
			res = run(t, st, dir)
			if res.Removed != 1 {
				t.Fatalf("removed: %+v", res)
			}
			s, _ := st.Stats(ctx)
			if s.Crates != 2 || s.Versions != 5 {
				t.Fatalf("stats = %+v", s)
			}
		})
	}
}

func TestIngestTarball(t *testing.T) {
	dir := genIndex(t, 40)
	tgz := filepath.Join(t.TempDir(), "index.tar.gz")
	if out, err := exec.Command("tar", "-C", dir, "-czf", tgz, ".").CombinedOutput(); err != nil {
		t.Skipf("tar: %v %s", err, out)
	}
	st := storetest.Backends()[0].Open(t)
	src, err := index.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Run(ctx, st, src, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 40 || res.Changes.VersionsAdded != 320 || res.BadLines != 0 {
		t.Fatalf("tarball ingest: %+v %v", res, res.Errors)
	}
	if got, want := dump(t, st), dump(t, ingestDir(t, dir)); got != want {
		t.Fatal("tarball and directory ingests differ")
	}
}

func ingestDir(t *testing.T, dir string) store.Store {
	st := storetest.Backends()[0].Open(t)
	run(t, st, dir)
	return st
}

func TestIngestSparse(t *testing.T) {
	dir := t.TempDir()
	writeCrate(t, dir, "serde", line("serde", "1.0.0", false))
	writeCrate(t, dir, "rand", line("rand", "0.8.0", false, "serde@1"))
	var requests, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, sha256.Sum256(data))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	st := storetest.Backends()[0].Open(t)
	sp := &index.Sparse{BaseURL: "sparse+" + srv.URL + "/"}
	res, err := ingest.RunSparse(ctx, st, sp, []string{"serde", "rand", "nosuch"}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes.VersionsAdded != 2 || res.Removed != 1 {
		t.Fatalf("sparse ingest: %+v", res)
	}
	res, err = ingest.RunSparse(ctx, st, sp, []string{"serde", "rand"}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 2 || conditional.Load() != 2 || res.Changes.Crates != 0 {
		t.Fatalf("second sparse ingest: %+v, %d conditional hits", res, conditional.Load())
	}
}

// dump renders a store's logical content: everything but the times at which things were seen.
func dump(t *testing.T, st store.Store) string {
	t.Helper()
	states, err := st.IndexStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range states {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		c, err := st.Crate(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		c.FirstSeen = time.Time{}
		for i := range c.Versions {
			c.Versions[i].FirstSeen = time.Time{}
		}
		j, _ := json.Marshal(c)
		fmt.Fprintf(&b, "%x %s\n", states[n].Hash, j)
	}
	s, _ := st.Stats(ctx)
	fmt.Fprintf(&b, "%+v\n", s)
	return b.String()
}

// TestCrashSafety kills a real ingest process with SIGKILL at growing delays, reruns it, and
// checks the store ends exactly as after an uninterrupted ingest.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := genIndex(t, 1500)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ref := b.Open(t)
			run(t, ref, dir)
			want := dump(t, ref)
			total, _ := ref.Stats(ctx)

			b.Open(t) // a fresh, migrated store for the victim
			dbURL := b.URL(t)
			partial := 0
			for delay := 20 * time.Millisecond; ; delay = delay * 3 / 2 {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+dbURL+"\n"+dir)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				var err error
				select {
				case err = <-done:
				case <-time.After(delay):
					cmd.Process.Signal(syscall.SIGKILL)
					err = <-done
				}
				if err == nil {
					break
				}
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("ingest child failed on its own: %v\n%s", err, stderr.String())
				}
				// The store must open and read cleanly after every kill.
				st, err := store.Open(ctx, dbURL)
				if err != nil {
					t.Fatalf("store after kill: %v", err)
				}
				s, err := st.Stats(ctx)
				st.Close()
				if err != nil {
					t.Fatalf("stats after kill: %v", err)
				}
				if s.Versions > 0 && s.Versions < total.Versions {
					partial++
				}
				if delay > 2*time.Minute {
					t.Fatal("ingest never finished")
				}
			}
			if partial == 0 {
				t.Fatal("no kill landed in the middle of an ingest; the test proved nothing")
			}
			st, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := dump(t, st); got != want {
				t.Fatalf("store after %d interrupted runs differs from an uninterrupted ingest", partial)
			}
			t.Logf("%d kills left a partial store; the resumed ingest matched the reference", partial)
		})
	}
}
