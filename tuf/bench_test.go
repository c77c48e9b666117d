package tuf

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/index"
)

const index2020 = "../../shared/data/crates-index-2020-07.tar.gz"

// readTarIndex reads the index files and config.json of an index .tar.gz.
func readTarIndex(tb testing.TB, path string) []IndexFile {
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("index snapshot not available: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	must2(tb, func() (struct{}, error) { return struct{}{}, err })
	tr := tar.NewReader(gz)
	var files []IndexFile
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if i := strings.IndexByte(name, '/'); i >= 0 && !strings.Contains(name[:i], "config") && index.Path(name[i+1:]) != name && index.Path(name[strings.LastIndexByte(name, '/')+1:]) != name {
			name = name[i+1:] // tarball with a top-level directory
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		base := name[strings.LastIndexByte(name, '/')+1:]
		if name != configTarget && (index.ValidName(base) != nil || index.Path(base) != name) {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxIndexFile))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, IndexFile{Path: name, Data: data})
	}
	return files
}

// syntheticIndex makes n crates with 1 to 12 versions each, lines shaped like crates.io's.
func syntheticIndex(n int) []IndexFile {
	rng := rand.New(rand.NewPCG(1, 2))
	files := []IndexFile{{Path: configTarget, Data: []byte(`{"dl":"https://static.example.org/crates","api":"https://example.org"}`)}}
	for i := range n {
		name := fmt.Sprintf("crate-%x-%d", rng.Uint32()&0xffff, i)
		var b strings.Builder
		for v := range 1 + rng.IntN(12) {
			sum := sha256.Sum256(fmt.Appendf(nil, "%s %d", name, v))
			fmt.Fprintf(&b, `{"name":"%s","vers":"0.%d.0","deps":[{"name":"serde","req":"^1.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal"}],"cksum":"%s","features":{},"yanked":false}`+"\n",
				name, v, hex.EncodeToString(sum[:]))
		}
		files = append(files, IndexFile{Path: index.Path(name), Data: []byte(b.String())})
	}
	return files
}

func newBenchRepo(tb testing.TB, files []IndexFile) (*Repository, *UpdateStats) {
	dir := tb.TempDir()
	root, targets, ts := mustKey(tb, KeyEd25519), mustKey(tb, KeyEd25519), mustKey(tb, KeyEd25519)
	must(tb, Init(dir, InitOptions{RootKeys: []*Signer{root}, RootThreshold: 1, TargetsKey: targets, TimestampKey: ts}))
	r, err := Open(dir, Options{TargetsKey: targets, TimestampKey: ts})
	must(tb, err)
	st, err := r.Build(context.Background(), files, 0)
	must(tb, err)
	return r, st
}

func BenchmarkIndex2020(b *testing.B) { benchIndex(b, readTarIndex(b, index2020)) }

func BenchmarkSynthetic250k(b *testing.B) { benchIndex(b, syntheticIndex(250000)) }

func BenchmarkSynthetic10k(b *testing.B) { benchIndex(b, syntheticIndex(10000)) }

func benchIndex(b *testing.B, files []IndexFile) {
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			newBenchRepo(b, files)
		}
		b.ReportMetric(float64(len(files)), "index-files")
	})
	repo, _ := newBenchRepo(b, files)
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	b.Run("update", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		var written int64
		for b.Loop() {
			f := files[1+rng.IntN(len(files)-1)]
			data := append(byPath[f.Path], `{"name":"x","vers":"9.9.9","deps":[],"cksum":"00","features":{},"yanked":false}`+"\n"...)
			byPath[f.Path] = data
			st, err := repo.Update(context.Background(), []IndexFile{{Path: f.Path, Data: data}})
			must(b, err)
			written += st.BytesWritten
		}
		b.ReportMetric(float64(written)/float64(b.N), "bytes-written/op")
	})
	b.Run("client", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.Handle("/tuf/", http.StripPrefix("/tuf", repo.Handler()))
		mux.HandleFunc("/index/", func(w http.ResponseWriter, r *http.Request) {
			data, ok := byPath[strings.TrimPrefix(r.URL.Path, "/index/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write(data)
		})
		srv := httptest.NewServer(mux)
		defer srv.Close()
		ps, err := repo.PlainSizes(files)
		must(b, err)
		root := must2(b, func() ([]byte, error) { return os.ReadFile(repo.dir + "/root.json") })
		crate := "serde"
		if _, ok := byPath[index.Path(crate)]; !ok {
			crate = files[len(files)/2].Path[strings.LastIndexByte(files[len(files)/2].Path, '/')+1:]
		}
		var res *Result
		for b.Loop() {
			st, err := NewClientState(root)
			must(b, err)
			c := &Client{MetadataURL: srv.URL + "/tuf/", IndexURL: srv.URL + "/index/", State: st}
			res, err = c.Verify(context.Background(), crate, "", false)
			must(b, err)
		}
		repo.mu.RLock()
		top := repo.leaves[repo.leafIndex["targets"]].Length
		bin := repo.leaves[repo.leafIndex[res.Bin]].Length
		repo.mu.RUnlock()
		idx := int64(len(byPath[index.Path(crate)]))
		tap16 := res.MetadataBytes + res.IndexBytes
		plainBins := ps.Timestamp + ps.SnapshotAllRoles + top + bin + idx
		plainOne := ps.Timestamp + ps.SnapshotOneRole + ps.TargetsAllTargets + idx
		b.ReportMetric(float64(tap16), "tap16-client-B")
		b.ReportMetric(float64(plainBins), "plain-bins-client-B")
		b.ReportMetric(float64(plainOne), "plain-single-client-B")
		b.Logf("crate %s (index file %d B) bin %s: TAP 16 client %d B (%v); plain TUF with bins %d B (snapshot.json %d B); plain TUF single targets.json %d B (targets.json %d B); root.json %d B",
			crate, idx, res.Bin, tap16, res.Fetched, plainBins, ps.SnapshotAllRoles, plainOne, ps.TargetsAllTargets, len(root))
	})
}
